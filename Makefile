# SPDX-License-Identifier: GPL-2.0
# task_isolation: top-level build.
#   make                 module against KDIR, and the userspace tools
#   make check           every test (host units, VM suites on both kernels)
#   make check KERNELS=6.1
#   make lint            checkpatch, sparse/W=1, cppcheck, ASan/UBSan (in check too)
#   make demo            boot a guest and show the module at work
#   make vm-shell        interactive guest with the module and tools
#   make clean           remove every build product
#   make distclean       also drop the kernel/apt download cache (.cache)

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNELS ?= 6.1 6.12
DEMO_KERNEL ?= 6.12
SHELL_KERNEL ?= 6.12

CC ?= gcc
AR ?= ar
ISOL_VERSION := $(shell cat VERSION)
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi -Ilib $(CFLAGS)
KMOD_LIBS := $(shell pkg-config --libs libkmod 2>/dev/null || echo -lkmod)
# Where the pkg-config file says libisol is installed.
PC_PREFIX ?= /usr
PC_LIBDIR ?= $${prefix}/lib

# Userspace parts are built as they appear in the tree.
USER_TARGETS := $(if $(wildcard tools/isolctl.c),tools/isolctl) \
	$(if $(wildcard lib/libisol.c),lib/libisol.so lib/libisol.a lib/libisol.pc) \
	$(if $(wildcard lib/libisol-prctl.c),lib/libisol-prctl.so)
# Programs that run in the guest: tests, the fuzzer and the stress test.
GUEST_SRCS := $(wildcard tests/guest/progs/*.c tests/fuzz/*.c tests/stress/*.c)
GUEST_PROGS := $(addprefix tests/out/guest-bin/,$(basename $(notdir $(GUEST_SRCS))))
GUEST_COMMON := tests/guest/common/guest.c tests/guest/common/guest.h \
	lib/libisol.c lib/isol.h include/uapi/linux/task_isolation.h

HARNESS := tests/harness

.PHONY: all module userspace guest-progs check lint demo vm-shell clean distclean

all: module userspace

module:
	@test -e $(KDIR)/Makefile || { \
		echo "No kernel build tree at KDIR=$(KDIR)."; \
		echo "Install linux-headers-$$(uname -r), or pass KDIR=/path/to/headers."; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

userspace: $(USER_TARGETS)

# isolctl carries libisol statically: one binary, no library path to set.
tools/isolctl: $(wildcard tools/*.c tools/*.h) lib/libisol.a lib/isol.h \
		include/uapi/linux/task_isolation.h VERSION
	$(CC) $(USER_CFLAGS) -DISOL_VERSION='"$(ISOL_VERSION)"' -o $@ \
		$(filter %.c,$^) lib/libisol.a $(KMOD_LIBS)

# One position-independent object serves the .so, the .a and the shim.
lib/libisol.o: lib/libisol.c lib/isol.h include/uapi/linux/task_isolation.h
	$(CC) $(USER_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

lib/libisol.so: lib/libisol.o
	$(CC) $(USER_CFLAGS) -shared -o $@ $<

lib/libisol.a: lib/libisol.o
	rm -f $@
	$(AR) rcs $@ $<

lib/libisol.pc: lib/libisol.pc.in VERSION
	sed -e 's|@VERSION@|$(ISOL_VERSION)|' -e 's|@PREFIX@|$(PC_PREFIX)|' \
		-e 's|@LIBDIR@|$(PC_LIBDIR)|' $< >$@

# Built on libisol, whose symbols stay inside: the shim exports prctl only.
lib/libisol-prctl.so: lib/libisol-prctl.c lib/isol-prctl.h lib/libisol.a
	$(CC) $(USER_CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $< \
		lib/libisol.a -Wl,--exclude-libs,ALL -ldl

guest-progs: $(GUEST_PROGS)

vpath %.c tests/guest/progs tests/fuzz tests/stress
tests/out/guest-bin/%: %.c $(GUEST_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/guest/common -o $@ $< \
		tests/guest/common/guest.c lib/libisol.c -lpthread

check: userspace guest-progs
	KERNELS="$(KERNELS)" $(HARNESS)/run.sh

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
	rm -f $(USER_TARGETS) tools/isolctl lib/*.so lib/*.o lib/*.a lib/*.pc
	rm -rf tests/out

distclean: clean
	rm -rf .cache
