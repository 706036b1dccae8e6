# desc: the bench's instruction-counting QEMU plugin counts a known loop between its markers exactly
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
	-o "$tmp/isol_icount.so" "$top/bench/icount/isol_icount.c"
# A multiboot image QEMU boots directly, in 32-bit protected mode, where the
# markers decode as they do in the 64-bit bench (nopl disp32(%eax)): two
# counted loops of 2 instructions an iteration, then a stop with no start,
# then isa-debug-exit.
cat >"$tmp/guest.S" <<'ASM'
	.text
	.align 4
	.long 0x1badb002, 0, -0x1badb002
	.globl _start
_start:
	.irp n, 1000, 250000
	mov $\n, %ecx
	.byte 0x0f, 0x1f, 0x80, 0x01, 0x7a, 0x01, 0x15
1:	dec %ecx
	jnz 1b
	.byte 0x0f, 0x1f, 0x80, 0x02, 0x7a, 0x01, 0x15
	.endr
	.byte 0x0f, 0x1f, 0x80, 0x02, 0x7a, 0x01, 0x15
	mov $0, %al
	out %al, $0xf4
2:	hlt
	jmp 2b
ASM
as --32 -o "$tmp/guest.o" "$tmp/guest.S"
ld -m elf_i386 -Ttext=0x100000 -o "$tmp/guest.elf" "$tmp/guest.o"
rc=0
timeout 60 qemu-system-x86_64 -M q35 -accel tcg,thread=single -smp 2 \
	-display none -nodefaults -device isa-debug-exit,iobase=0xf4,iosize=1 \
	-kernel "$tmp/guest.elf" -plugin "$tmp/isol_icount.so,out=$tmp/counts" || rc=$?
# isa-debug-exit turns the 0 written into exit status 1.
[ $rc -eq 1 ] || { echo "QEMU exit status $rc"; exit 1; }
cat "$tmp/counts"
# Counted per block at its entry: the stop's block (the marker, the next
# loop's or the exit's first instructions) comes on top of 2 per iteration.
awk 'NR == 1 { ok = $1 == "icount" && $2 == 0 && $3 >= 2000 && $3 <= 2010 }
     NR == 2 { ok = ok && $1 == "icount" && $2 == 0 && $3 >= 500000 && $3 <= 500010 }
     END { exit !(ok && NR == 2) }' "$tmp/counts" || { echo "unexpected counts"; exit 1; }
# Without its out= argument the plugin refuses to load, and QEMU with it.
if timeout 20 qemu-system-x86_64 -M q35 -display none -nodefaults \
	-kernel "$tmp/guest.elf" -plugin "$tmp/isol_icount.so" 2>"$tmp/err"; then
	echo "the plugin loaded without out="
	exit 1
fi
grep -q "usage: -plugin isol_icount.so,out=PATH" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "counts as expected"
