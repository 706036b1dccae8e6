# SPDX-License-Identifier: GPL-2.0
# task_isolation: top-level build.
#   make                 module against KDIR, and the userspace tools
#   make check           every test (host units, VM suites on both kernels)
#   make check KERNELS=6.1
#   make check-debug     the VM suites, fuzzer, stress run and kmemleak on a
#                        KASAN/lockdep/UBSAN/kmemleak kernel (built once)
#   make lint            checkpatch, sparse/W=1, cppcheck, ASan/UBSan (in check too)
#   make demo            boot a guest and show the module at work
#   make vm-shell        interactive guest with the module and tools
#   make clean           remove every build product
#   make distclean       also drop the kernel/apt download cache (.cache)

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNELS ?= 6.1 6.12
# CHECK_DEBUG=1: make check also runs the debug kernel's suites (as
# make check-debug does), after the Debian kernels.
CHECK_DEBUG ?= 0
DEMO_KERNEL ?= 6.12
SHELL_KERNEL ?= 6.12

CC ?= gcc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi -Ilib $(CFLAGS)

# Userspace parts are built as they appear in the tree.
USER_TARGETS := $(if $(wildcard tools/isolctl.c),tools/isolctl) \
	$(if $(wildcard lib/libisol.c),lib/libisol.so) \
	$(if $(wildcard lib/libisol-prctl.c),lib/libisol-prctl.so)
# Programs that run in the guest: tests, the fuzzer and the stress test.
GUEST_SRCS := $(wildcard tests/guest/progs/*.c tests/fuzz/*.c tests/stress/*.c)
GUEST_PROGS := $(addprefix tests/out/guest-bin/,$(basename $(notdir $(GUEST_SRCS))))
GUEST_COMMON := tests/guest/common/guest.c tests/guest/common/guest.h \
	lib/libisol.c lib/isol.h include/uapi/linux/task_isolation.h

HARNESS := tests/harness

.PHONY: all module userspace guest-progs check check-debug debug-kernel lint demo \
	vm-shell clean distclean

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

guest-progs: $(GUEST_PROGS)

vpath %.c tests/guest/progs tests/fuzz tests/stress
tests/out/guest-bin/%: %.c $(GUEST_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/guest/common -o $@ $< \
		tests/guest/common/guest.c lib/libisol.c -lpthread

check: userspace guest-progs
	KERNELS="$(KERNELS)$(if $(filter 1,$(CHECK_DEBUG)), 6.1-debug)" $(HARNESS)/run.sh

# The debug kernel (tests/debug/): built from Debian's linux-source-6.1 on
# first use and cached until tests/debug/debug.config changes. No lint here
# (make check has it); the harness self-test is the debug kernel's own.
check-debug: userspace guest-progs
	KERNELS=6.1-debug LINT=0 $(HARNESS)/run.sh

debug-kernel:
	$(HARNESS)/setup-host.sh
	tests/debug/build-kernel.sh

lint:
	$(HARNESS)/setup-host.sh
	$(HARNESS)/kernels.sh $(KERNELS)
	$(HARNESS)/lint.sh $(KERNELS)

demo: userspace guest-progs
	$(HARNESS)/demo.sh $(DEMO_KERNEL)

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
