/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kselftest.h definitions the patch series' selftest uses, so that
 * its unmodified source builds here (see tests/guest/cases/72-series-selftest.sh).
 */
#ifndef ISOL_SERIES_KSELFTEST_H
#define ISOL_SERIES_KSELFTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

static inline void ksft_exit_fail(void)
{
	exit(KSFT_FAIL);
}

static inline void ksft_exit_pass(void)
{
	exit(KSFT_PASS);
}

static inline __attribute__((format(printf, 1, 2))) void
ksft_exit_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	exit(KSFT_SKIP);
}

#endif
