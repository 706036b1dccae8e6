#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CET-IBT rule, checked on the module's source: a kernel function found
# by address (kallsyms) is only ever called through a member of struct
# isol_symbols, and each such member is only ever set by isol_fn(), which
# refuses a target without ENDBR64 (module/isol_symbols.c). Prints the
# offending lines and exits 1 when the rule is broken.
# Usage: lint-ibt.sh MODULE_DIR
set -uo pipefail
dir=$1
bad=0

complain() {
	echo "$*"
	bad=1
}

# Function-pointer members of struct isol_symbols: "type (*name)(args);".
mapfile -t fns < <(sed -n '/^struct isol_symbols {/,/^};/p' "$dir/isol.h" |
	sed -n 's/.*(\*\([a-z_0-9]*\))(.*/\1/p')
[ ${#fns[@]} -gt 0 ] || complain "no function pointer found in struct isol_symbols"

for f in "${fns[@]}"; do
	# Every assignment goes through isol_fn().
	grep -Hn "isol_sym\.$f *=" "$dir"/*.c | grep -v "= *isol_fn(" |
		while IFS= read -r l; do echo "set without isol_fn(): $l"; done | grep . &&
		bad=1
done
# Calls through isol_sym go to those members only.
while IFS= read -r l; do
	m=$(echo "$l" | sed -n 's/.*isol_sym\.\([a-z_0-9]*\) *(.*/\1/p')
	printf '%s\n' "${fns[@]}" | grep -qx "$m" || complain "call through data member: $l"
done < <(grep -Hn 'isol_sym\.[a-z_0-9]* *(' "$dir"/*.c)
# No other route from an address to a call: no cast to a function pointer
# type, and no lookup function outside isol_symbols.c.
grep -Hn '( *[a-z_0-9 ]* *( *\* *) *(' "$dir"/*.c "$dir"/*.h |
	grep -v '^[^:]*:[0-9]*: *typedef' | while IFS= read -r l; do
		echo "cast to a function pointer: $l"; done | grep . && bad=1
grep -Hn 'kallsyms_lookup_name\|isol_lookup_fn' "$dir"/*.c "$dir"/*.h |
	grep -v "^$dir/isol_symbols.c:" | while IFS= read -r l; do
		echo "lookup outside isol_symbols.c: $l"; done | grep . && bad=1
# isol_fn() itself checks, through isol_callable(), for ENDBR64.
sed -n '/^static void \*isol_fn(/,/^}/p' "$dir/isol_symbols.c" | grep -q 'isol_callable(' ||
	complain "isol_fn() does not call isol_callable()"
sed -n '/^static bool isol_callable(/,/^}/p' "$dir/isol_symbols.c" | grep -q 'isol_endbr_at(' ||
	complain "isol_callable() does not check for ENDBR64"
exit $bad
