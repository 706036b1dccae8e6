// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for `make bench`: counts the guest instructions each
 * vCPU executes between two marker instructions, so that a cost loop is
 * measured in instructions, which the host's load cannot move.
 *
 * The markers are multi-byte NOPs no compiler emits, nopl 0x15017a01(%rax)
 * (start) and nopl 0x15017a02(%rax) (stop); see bench/guest/isol_bench.c.
 * Each stop after a start on the same vCPU appends one line, "icount VCPU
 * INSNS", to the file named by the plugin's argument out=PATH; a stop
 * with no start writes nothing, which the report notices as a missing
 * count. Counting is per translation block, at its entry: the rest of the
 * start's block is not counted and the rest of the stop's is, and a block
 * cut short by an interrupt counts whole; a few instructions each.
 *
 * QEMU installs no plugin header, so the entry points of plugin API
 * version 1 (QEMU 7.2, Debian 12) used here are declared below.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu_index, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vcpu_udata_cb cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, vcpu_udata_cb cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;
EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info *info,
			       int argc, char **argv);

#define MAX_VCPUS	64
#define MARKER_LEN	7

/* 0f 1f 80 disp32: nopl disp32(%rax); the displacement tells them apart. */
static const unsigned char marker_start[MARKER_LEN] = { 0x0f, 0x1f, 0x80, 0x01, 0x7a, 0x01, 0x15 };
static const unsigned char marker_stop[MARKER_LEN] = { 0x0f, 0x1f, 0x80, 0x02, 0x7a, 0x01, 0x15 };

static uint64_t executed[MAX_VCPUS], started[MAX_VCPUS];
static bool counting[MAX_VCPUS];
static FILE *out;

/*
 * QEMU runs these from the vCPU threads; the bench runs TCG single-threaded
 * (one thread for all vCPUs), so the per-vCPU counters need no atomics.
 */
static void on_block(unsigned int vcpu, void *insns)
{
	if (vcpu < MAX_VCPUS)
		executed[vcpu] += (uintptr_t)insns;
}

static void on_start(unsigned int vcpu, void *unused)
{
	(void)unused;
	if (vcpu < MAX_VCPUS) {
		started[vcpu] = executed[vcpu];
		counting[vcpu] = true;
	}
}

static void on_stop(unsigned int vcpu, void *unused)
{
	(void)unused;
	if (vcpu >= MAX_VCPUS || !counting[vcpu])
		return;
	counting[vcpu] = false;
	fprintf(out, "icount %u %" PRIu64 "\n", vcpu, executed[vcpu] - started[vcpu]);
	fflush(out);
}

static bool is_marker(struct qemu_plugin_insn *insn, const unsigned char *marker)
{
	return qemu_plugin_insn_size(insn) == MARKER_LEN &&
	       !memcmp(qemu_plugin_insn_data(insn), marker, MARKER_LEN);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct qemu_plugin_insn *insn;

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)n);
	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		if (is_marker(insn, marker_start))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
		else if (is_marker(insn, marker_stop))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info *info,
			int argc, char **argv)
{
	(void)info;
	if (argc != 1 || strncmp(argv[0], "out=", 4)) {
		fprintf(stderr, "isol_icount: usage: -plugin isol_icount.so,out=PATH\n");
		return -1;
	}
	out = fopen(argv[0] + 4, "w");
	if (!out) {
		perror(argv[0] + 4);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
