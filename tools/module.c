// SPDX-License-Identifier: GPL-2.0
/* isolctl: finding the module, and loading it through libkmod. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>

#include "isolctl.h"

#define MODULE_NAME	"task_isolation"

bool module_loaded(char *version, size_t len, char *state, size_t slen)
{
	char p[PATH_MAX];

	if (version && len)
		version[0] = '\0';
	if (state && slen)
		state[0] = '\0';
	if (access(sys_path(p, sizeof(p), "/module/%s", MODULE_NAME), F_OK))
		return false;
	if (version)
		read_text(sys_path(p, sizeof(p), "/module/%s/version", MODULE_NAME),
			  version, len);
	if (state)
		read_text(sys_path(p, sizeof(p), "/module/%s/initstate", MODULE_NAME),
			  state, slen);
	return true;
}

/*
 * Load the module as modprobe would: resolve it through modules.dep,
 * honour the blacklist and take options from modprobe.d. Returns 0, or -1
 * after printing why not.
 */
static int load_module(void)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int ret = -ENOENT;

	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		msg("cannot load %s: libkmod could not start (no /lib/modules/<release>?)",
		    MODULE_NAME);
		return -1;
	}
	if (kmod_module_new_from_lookup(ctx, MODULE_NAME, &list) < 0 || !list) {
		msg("%s is missing and the %s module is not installed for this "
		    "kernel (not in %s): install the task-isolation-dkms package "
		    "(make deb builds it; DKMS then builds the module for every "
		    "kernel with headers), or run 'sudo make dkms-install' in the "
		    "source tree", ISOL_DEVICE_PATH, MODULE_NAME,
		    kmod_get_dirname(ctx));
		kmod_unref(ctx);
		return -1;
	}
	kmod_list_foreach(l, list) {
		mod = kmod_module_get_module(l);
		ret = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
						      NULL, NULL, NULL, NULL);
		kmod_module_unref(mod);
		if (ret <= 0)
			break;
	}
	kmod_module_unref_list(list);
	kmod_unref(ctx);
	if (ret > 0) {
		msg("%s is blacklisted in modprobe.d: not loading it; load it "
		    "with 'modprobe %s' or remove the blacklist entry",
		    MODULE_NAME, MODULE_NAME);
		return -1;
	}
	if (ret < 0 && ret != -EEXIST) {
		msg("loading %s failed: %s (see dmesg)", MODULE_NAME, strerror(-ret));
		return -1;
	}
	return 0;
}

/* Why the device would not open, and, for a user, how to be let in. */
void device_open_failed(int err)
{
	if (err == EACCES && geteuid() != 0)
		msg("cannot open %s: %s: it is root's (mode 0600); the udev rule in "
		    "the examples gives it to the group \"isolation\" (README, "
		    "\"Letting a group use the device\"), and isolating a task also "
		    "needs CAP_SYS_NICE", ISOL_DEVICE_PATH, strerror(err));
	else
		msg("cannot open %s: %s", ISOL_DEVICE_PATH, strerror(err));
}

int ensure_device(bool quiet)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	if (!access(ISOL_DEVICE_PATH, F_OK))
		return 0;
	if (module_loaded(NULL, 0, NULL, 0)) {
		msg("%s is loaded but %s is missing: is devtmpfs mounted on /dev?",
		    MODULE_NAME, ISOL_DEVICE_PATH);
		return -1;
	}
	if (geteuid() != 0) {
		msg("%s is missing: the %s module is not loaded; run "
		    "'sudo modprobe %s', or run isolctl as root to load it",
		    ISOL_DEVICE_PATH, MODULE_NAME, MODULE_NAME);
		return -1;
	}
	if (load_module())
		return -1;
	/* devtmpfs creates the node at once; udev may still be renaming it. */
	for (i = 0; i < 100; i++) {
		if (!access(ISOL_DEVICE_PATH, F_OK)) {
			if (!quiet)
				msg("loaded the %s module", MODULE_NAME);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	msg("loaded %s, but %s did not appear within 1 s", MODULE_NAME,
	    ISOL_DEVICE_PATH);
	return -1;
}
