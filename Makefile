# SPDX-License-Identifier: GPL-2.0
# task_isolation: top-level build.
#   make                 module against KDIR, and the userspace tools
#   make check           every test (host units, VM suites on both kernels)
#   make check KERNELS=6.1
#   make demo            boot a guest and show the module at work
#   make bench           isolation and cost figures on both kernels (README)
#   make bench BENCH_KERNELS=6.12 BENCH_SECONDS=10
#   make vm-shell        interactive guest with the module and tools
#   make clean           remove every build product
#   make distclean       also drop the kernel/apt download cache (.cache)

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNELS ?= 6.1 6.12
DEMO_KERNEL ?= 6.12
SHELL_KERNEL ?= 6.12
BENCH_KERNELS ?= 6.1 6.12
BENCH_SECONDS ?= 60

CC ?= gcc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi -Ilib $(CFLAGS)

# Userspace parts are built as they appear in the tree.
USER_TARGETS := $(if $(wildcard tools/isolctl.c),tools/isolctl) \
	$(if $(wildcard lib/libisol.c),lib/libisol.so) \
	$(if $(wildcard lib/libisol-prctl.c),lib/libisol-prctl.so)
GUEST_PROGS := $(patsubst tests/guest/progs/%.c,tests/out/guest-bin/%,\
	$(wildcard tests/guest/progs/*.c))
# Benchmark programs land in the guest next to the test programs.
BENCH_PROGS := $(patsubst bench/guest/%.c,tests/out/guest-bin/%,\
	$(wildcard bench/guest/*.c))

HARNESS := tests/harness

.PHONY: all module userspace guest-progs bench check demo vm-shell clean distclean

all: module userspace

module:
	@test -e $(KDIR)/Makefile || { \
		echo "No kernel build tree at KDIR=$(KDIR)."; \
		echo "Install linux-headers-$$(uname -r), or pass KDIR=/path/to/headers."; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

userspace: $(USER_TARGETS)

tools/isolctl: tools/*.c include/uapi/linux/task_isolation.h
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.c,$^)

lib/libisol.so: lib/libisol.c lib/isol.h include/uapi/linux/task_isolation.h
	$(CC) $(USER_CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $<

lib/libisol-prctl.so: lib/libisol-prctl.c lib/isol-prctl.h lib/libisol.c lib/isol.h
	$(CC) $(USER_CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $(filter %.c,$^) -ldl

guest-progs: $(GUEST_PROGS) $(BENCH_PROGS)

tests/out/guest-bin/%: tests/guest/progs/%.c tests/guest/common/guest.c tests/guest/common/guest.h lib/libisol.c lib/isol.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/guest/common -o $@ $< tests/guest/common/guest.c lib/libisol.c -lpthread

tests/out/guest-bin/%: bench/guest/%.c tests/guest/common/guest.c tests/guest/common/guest.h lib/libisol.c lib/isol.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/guest/common -o $@ $< tests/guest/common/guest.c lib/libisol.c -lpthread

check: userspace guest-progs
	KERNELS="$(KERNELS)" $(HARNESS)/run.sh

demo: userspace guest-progs
	$(HARNESS)/demo.sh $(DEMO_KERNEL)

bench: userspace guest-progs
	BENCH_KERNELS="$(BENCH_KERNELS)" BENCH_SECONDS="$(BENCH_SECONDS)" \
		$(HARNESS)/bench.sh

vm-shell: userspace guest-progs
	$(HARNESS)/prepare.sh $(SHELL_KERNEL)
	$(HARNESS)/vm.sh $(SHELL_KERNEL) shell nohz

clean:
	rm -f module/*.o module/*.ko module/*.mod module/*.mod.c module/.*.cmd \
		module/Module.symvers module/modules.order module/.*.d
	rm -f $(USER_TARGETS) tools/isolctl lib/*.so
	rm -rf tests/out

distclean: clean
	rm -rf .cache
