# SPDX-License-Identifier: GPL-2.0
# task_isolation: top-level build.
#   make                 module against KDIR, and the userspace tools
#   make check           every test (host units, VM suites on every Debian kernel)
#   make check KERNELS=6.1
#   make check KERNELS=all  the same: every Debian series, 6.1 6.1-rt 6.12
#                        6.12-rt trixie sid sid-rt (tests/harness/lib.sh)
#   make check-debug     the VM suites, fuzzer, stress run and kmemleak on a
#                        KASAN/lockdep/UBSAN/kmemleak kernel (built once)
#   make lint            checkpatch, sparse/W=1, cppcheck, ASan/UBSan (in check too)
#   make demo            boot a guest and show the module at work
#   make bench           isolation and cost figures on both kernels (README)
#   make bench BENCH_KERNELS=6.12 BENCH_SECONDS=10
#   make vm-shell        interactive guest with the module and tools
#   make clean           remove every build product
#   make distclean       also drop the kernel/apt download cache (.cache)

KDIR ?= /lib/modules/$(shell uname -r)/build
# "default" is KERNELS_DEFAULT in tests/harness/lib.sh (every series).
KERNELS ?= default
# CHECK_DEBUG=1: make check also runs the debug kernel's suites (as
# make check-debug does), after the Debian kernels.
CHECK_DEBUG ?= 0
DEMO_KERNEL ?= 6.12
SHELL_KERNEL ?= 6.12
BENCH_KERNELS ?= 6.1 6.12
BENCH_SECONDS ?= 60

CC ?= gcc
AR ?= ar
ISOL_VERSION := $(shell cat VERSION)
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi -Ilib $(CFLAGS)
# libisol's ABI version: bumped on incompatible changes only.
LIBISOL_SONAME := libisol.so.0
KMOD_LIBS := $(shell pkg-config --libs libkmod 2>/dev/null || echo -lkmod)
# Where the pkg-config file says libisol is installed.
PC_PREFIX ?= /usr
PC_LIBDIR ?= $${prefix}/lib

# Userspace parts are built as they appear in the tree.
USER_TARGETS := $(if $(wildcard tools/isolctl.c),tools/isolctl) \
	$(if $(wildcard lib/libisol.c),lib/libisol.so lib/libisol.a lib/libisol.pc) \
	$(if $(wildcard lib/libisol-prctl.c),lib/libisol-prctl.so)
# Programs that run in the guest: tests, the fuzzer, the stress test and
# the benchmark programs.
GUEST_SRCS := $(wildcard tests/guest/progs/*.c tests/fuzz/*.c tests/stress/*.c \
	bench/guest/*.c)
GUEST_PROGS := $(addprefix tests/out/guest-bin/,$(basename $(notdir $(GUEST_SRCS))))
GUEST_COMMON := tests/guest/common/guest.c tests/guest/common/guest.h \
	lib/libisol.c lib/isol.h include/uapi/linux/task_isolation.h
# The task isolation series' own selftest (v16, Chris Metcalf), when a copy
# is in the cache: never in the tree, built as it is for its guest case.
SERIES_SELFTEST ?= .cache/series/isolation.c
ifneq ($(wildcard $(SERIES_SELFTEST)),)
GUEST_PROGS += tests/out/guest-bin/series_isolation
endif

HARNESS := tests/harness

.PHONY: all module userspace guest-progs bench check check-debug debug-kernel lint \
	demo vm-shell clean distclean

# Without kernel headers, plain make builds the userspace and says how to
# get the module; make module insists.
all: userspace
	@if test -e $(KDIR)/Makefile; then $(MAKE) module; else \
		echo "Built the userspace only: no kernel build tree at KDIR=$(KDIR)."; \
		echo "For the module: apt install linux-headers-$$(uname -r), then make;"; \
		echo "or make KDIR=/path/to/headers; or install the task-isolation-dkms"; \
		echo "package (make deb), which builds it for every kernel with headers."; \
	fi

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

# The soname's link lets programs linked in the tree run from it.
lib/libisol.so: lib/libisol.o
	$(CC) $(USER_CFLAGS) -shared -Wl,-soname,$(LIBISOL_SONAME) -o $@ $<
	ln -sf libisol.so lib/$(LIBISOL_SONAME)

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

vpath %.c tests/guest/progs tests/fuzz tests/stress bench/guest
tests/out/guest-bin/%: %.c $(GUEST_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/guest/common -o $@ $< \
		tests/guest/common/guest.c lib/libisol.c -lpthread

# A program that knows nothing of isolation, linked statically as such
# programs often are: isolctl run isolates its threads all the same. The
# sanitizers cannot link statically, so make lint's build leaves them out.
tests/out/guest-bin/isol_workers: tests/guest/progs/isol_workers.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(USER_CFLAGS)) \
		-static -o $@ $< -lpthread

tests/out/guest-bin/series_isolation: $(SERIES_SELFTEST) tests/guest/series/kselftest.h
	@mkdir -p tests/out/series/src $(dir $@)
	cp $(SERIES_SELFTEST) tests/out/series/src/isolation.c
	cp tests/guest/series/kselftest.h tests/out/series/
	$(CC) -O2 -o $@ tests/out/series/src/isolation.c -lpthread

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
	$(HARNESS)/setup-host.sh sparse cppcheck
	$(HARNESS)/kernels.sh $(KERNELS)
	$(HARNESS)/lint.sh $(KERNELS)

demo: userspace guest-progs
	$(HARNESS)/demo.sh $(DEMO_KERNEL)

# The bench's instruction counter: a plugin for the host's QEMU.
ICOUNT_PLUGIN := tests/out/isol_icount.so
$(ICOUNT_PLUGIN): bench/icount/isol_icount.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $<

bench: userspace guest-progs $(ICOUNT_PLUGIN)
	BENCH_KERNELS="$(BENCH_KERNELS)" BENCH_SECONDS="$(BENCH_SECONDS)" \
		BENCH_ICOUNT_PLUGIN="$(abspath $(ICOUNT_PLUGIN))" $(HARNESS)/bench.sh

vm-shell: userspace guest-progs
	$(HARNESS)/prepare.sh $(SHELL_KERNEL)
	@echo "# booting $(SHELL_KERNEL) quietly; a root shell follows. Leave with"
	@echo "# 'poweroff -f' in the guest, or Ctrl-A then X."
	$(HARNESS)/vm.sh $(SHELL_KERNEL) shell nohz

clean:
	rm -f module/*.o module/*.ko module/*.mod module/*.mod.c module/.*.cmd \
		module/Module.symvers module/modules.order module/.*.d
	rm -f $(USER_TARGETS) tools/isolctl lib/*.so lib/*.so.* lib/*.o lib/*.a \
		lib/*.pc
	rm -rf tests/out

distclean: clean
	rm -rf .cache

# ---------------------------------------------------------------------------
# Installation and packaging (DKMS, make install, Debian packages).
#   make install [DESTDIR=] [PREFIX=/usr/local]   tools, library, examples
#   make uninstall                                the same files, removed
#   make dkms-source [DESTDIR=]   the DKMS source tree, /usr/src/task-isolation-VERSION
#   make dkms-install             dkms-source, then dkms add/build/install (root)
#   make dkms-uninstall           dkms remove --all, and the source tree
#   make deb                      the .deb files, in this directory
# What goes where is listed in README ("Installation"); the install test
# (tests/unit/install.sh) holds the expected list.

VERSION := $(shell cat VERSION)
DKMS_NAME := task-isolation

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DOCDIR ?= $(DATADIR)/doc/task-isolation
# The prctl shim is preloaded by path, never linked: it stays out of the
# linker's search path.
PKGLIBDIR ?= $(LIBDIR)/task-isolation
DKMS_SOURCE_TREE ?= /usr/src


# Products of issue 5's tools, installed when the tool's source is present.
ISOLCTL_FILES := $(if $(wildcard tools/isolctl.c),\
	tools/isolctl doc/isolctl.8 tools/isolctl.bash-completion)
LIBISOL_FILES := lib/libisol.so lib/libisol.a lib/libisol.pc lib/isol.h \
	include/uapi/linux/task_isolation.h lib/libisol-prctl.so
EXAMPLE_FILES := packaging/60-task-isolation.rules \
	packaging/modprobe.d/task_isolation.conf \
	packaging/modules-load.d/task_isolation.conf

.PHONY: install uninstall dkms-source dkms-install dkms-uninstall deb clean-packaging

install: userspace
	@for f in $(ISOLCTL_FILES) $(LIBISOL_FILES); do \
		[ -e "$$f" ] || { echo "make install: $$f has not been built" >&2; exit 1; }; \
	done
ifneq ($(ISOLCTL_FILES),)
	install -D -m 755 tools/isolctl $(DESTDIR)$(BINDIR)/isolctl
	install -D -m 644 doc/isolctl.8 $(DESTDIR)$(MANDIR)/man8/isolctl.8
	install -D -m 644 tools/isolctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/isolctl
endif
	install -D -m 755 lib/libisol.so $(DESTDIR)$(LIBDIR)/$(LIBISOL_SONAME)
	ln -sf $(LIBISOL_SONAME) $(DESTDIR)$(LIBDIR)/libisol.so
	install -D -m 644 lib/libisol.a $(DESTDIR)$(LIBDIR)/libisol.a
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|^prefix=.*|prefix=$(PREFIX)|' -e 's|^exec_prefix=.*|exec_prefix=$${prefix}|' \
		-e 's|^libdir=.*|libdir=$(LIBDIR)|' -e 's|^includedir=.*|includedir=$(INCLUDEDIR)|' \
		lib/libisol.pc >$(DESTDIR)$(LIBDIR)/pkgconfig/libisol.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/libisol.pc
	install -D -m 644 lib/isol.h $(DESTDIR)$(INCLUDEDIR)/isol/isol.h
	install -D -m 644 include/uapi/linux/task_isolation.h \
		$(DESTDIR)$(INCLUDEDIR)/isol/linux/task_isolation.h
	install -D -m 755 lib/libisol-prctl.so $(DESTDIR)$(PKGLIBDIR)/libisol-prctl.so
	install -D -m 644 packaging/60-task-isolation.rules \
		$(DESTDIR)$(DOCDIR)/examples/udev/60-task-isolation.rules
	install -D -m 644 packaging/modprobe.d/task_isolation.conf \
		$(DESTDIR)$(DOCDIR)/examples/modprobe.d/task_isolation.conf
	install -D -m 644 packaging/modules-load.d/task_isolation.conf \
		$(DESTDIR)$(DOCDIR)/examples/modules-load.d/task_isolation.conf
	install -D -m 644 packaging/systemd/task-isolation-tune.service \
		$(DESTDIR)$(DOCDIR)/examples/systemd/task-isolation-tune.service
	@[ -n "$(DESTDIR)" ] || [ "$$(id -u)" != 0 ] || ldconfig

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/isolctl $(DESTDIR)$(MANDIR)/man8/isolctl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/isolctl
	rm -f $(DESTDIR)$(LIBDIR)/$(LIBISOL_SONAME) $(DESTDIR)$(LIBDIR)/libisol.so \
		$(DESTDIR)$(LIBDIR)/libisol.a $(DESTDIR)$(LIBDIR)/pkgconfig/libisol.pc
	rm -f $(DESTDIR)$(INCLUDEDIR)/isol/isol.h \
		$(DESTDIR)$(INCLUDEDIR)/isol/linux/task_isolation.h
	rm -f $(DESTDIR)$(PKGLIBDIR)/libisol-prctl.so
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/examples/,udev/60-task-isolation.rules \
		modprobe.d/task_isolation.conf modules-load.d/task_isolation.conf \
		systemd/task-isolation-tune.service)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/isol/linux $(DESTDIR)$(INCLUDEDIR)/isol \
		$(DESTDIR)$(PKGLIBDIR) $(addprefix $(DESTDIR)$(DOCDIR)/examples/,udev \
		modprobe.d modules-load.d systemd) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) \
		2>/dev/null

# The DKMS source tree mirrors this one (module/ beside include/ and
# VERSION), so DKMS builds with the same Kbuild as the VM suite.
DKMS_DEST = $(DESTDIR)$(DKMS_SOURCE_TREE)/$(DKMS_NAME)-$(VERSION)
dkms-source:
	rm -rf $(DKMS_DEST)
	install -d $(DKMS_DEST)/module
	install -m 644 VERSION $(DKMS_DEST)/VERSION
	install -m 644 module/Kbuild $(wildcard module/*.c module/*.h) $(DKMS_DEST)/module/
	cd include && find . -name '*.h' -exec install -D -m 644 {} $(DKMS_DEST)/include/{} \;
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_DEST)/dkms.conf
	chmod 644 $(DKMS_DEST)/dkms.conf

dkms-install: dkms-source
	@! dkms status -m $(DKMS_NAME) -v $(VERSION) | grep -q . || \
		dkms remove -m $(DKMS_NAME) -v $(VERSION) --all
	dkms add -m $(DKMS_NAME) -v $(VERSION)
	dkms build -m $(DKMS_NAME) -v $(VERSION)
	dkms install -m $(DKMS_NAME) -v $(VERSION)

dkms-uninstall:
	-dkms remove -m $(DKMS_NAME) -v $(VERSION) --all
	rm -rf $(DKMS_DEST)

# dpkg-buildpackage in a copy of the tree, so that nothing is written
# beside the clone; the .deb files land here.
DEB_BUILD := build/deb
deb:
	@command -v dpkg-buildpackage >/dev/null && [ -e /usr/share/perl5/Debian/Debhelper/Sequence/dkms.pm ] || { \
		echo "make deb needs: apt install build-essential debhelper dh-dkms"; exit 1; }
	rm -rf $(DEB_BUILD)
	mkdir -p $(DEB_BUILD)/$(DKMS_NAME)-$(VERSION)
	cp -a Makefile VERSION README dkms.conf debian packaging module include lib \
		$(wildcard tools doc) $(DEB_BUILD)/$(DKMS_NAME)-$(VERSION)/
	$(MAKE) -s -C $(DEB_BUILD)/$(DKMS_NAME)-$(VERSION) clean
	cd $(DEB_BUILD)/$(DKMS_NAME)-$(VERSION) && dpkg-buildpackage -us -uc -b
	rm -f $(DKMS_NAME)-dkms_*.deb isolctl_*.deb libisol*.deb
	for f in $(DEB_BUILD)/*.deb; do \
		case "$$f" in *-dbgsym_*) ;; *) mv "$$f" . ;; esac; \
	done
	@ls -1 *.deb

clean: clean-packaging
clean-packaging:
	rm -rf build
	rm -f *.deb
