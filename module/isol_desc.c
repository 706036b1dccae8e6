// SPDX-License-Identifier: GPL-2.0
/*
 * A break's description in words, formatted when someone reads it rather
 * than on the isolated CPU: vsnprintf() was the largest single cost of a
 * break's path (counted on 7.2: about 1600 of 8400 instructions from the
 * IPI to a strict-mode handler).
 *
 * At the break, isol_desc_capture() keeps the format, a literal, and its
 * arguments: numbers in struct isol_desc, strings copied one after another
 * (NUL-separated) into the record's own desc[], whose final text can hold
 * no more than that anyway. isol_desc_render() later replaces desc[] with
 * the text. Both read the format alike and know %s, %d, %x, %lu and %lx,
 * all that the callers use; at anything else both stop, so the text ends
 * there rather than going wrong.
 */

#include <linux/hash.h>
#include "isol.h"

/*
 * A format's conversions, worked out once: walking the format's text was
 * most of a capture's cost (counted on 7.2: about 270 instructions for
 * an IPI's description). Three bits each, in order, ending at 0.
 */
enum isol_conv {
	ISOL_CONV_END,
	ISOL_CONV_STR,
	ISOL_CONV_INT,		/* %d */
	ISOL_CONV_HEX,		/* %x */
	ISOL_CONV_ULONG,	/* %lu, %lx */
	ISOL_CONV_STOP,		/* one neither function knows */
};

#define ISOL_CONV_BITS		3
#define ISOL_CONV_MASK		((1U << ISOL_CONV_BITS) - 1)
/* Ten conversions; more, and the tenth reads as STOP (see below). */
#define ISOL_CONV_MAX		(32 / ISOL_CONV_BITS)

/*
 * Each entry is one word, read and written whole, so no lock is needed:
 * the format's address in the high half and its conversions in the low.
 * Formats are literals of this module's own (tests/unit/break-desc.sh
 * lists them), all within one module image, far less than 4 GiB: the low
 * 32 bits of an address tell them apart. Entries only ever hold what
 * isol_desc_convs() says of that format, whoever wrote them last.
 */
#define ISOL_CONV_CACHE_BITS	5
static u64 isol_conv_cache[1 << ISOL_CONV_CACHE_BITS];

static u32 isol_desc_convs(const char *fmt)
{
	unsigned int shift = 0;
	u32 convs = 0, c;

	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		fmt++;
		if (*fmt == 's')
			c = ISOL_CONV_STR;
		else if (*fmt == 'd')
			c = ISOL_CONV_INT;
		else if (*fmt == 'x')
			c = ISOL_CONV_HEX;
		else if (*fmt == 'l' && (fmt[1] == 'u' || fmt[1] == 'x'))
			c = ISOL_CONV_ULONG;
		else
			c = ISOL_CONV_STOP;
		/* Beyond ten: the capture stops, and the render with it. */
		if (shift == (ISOL_CONV_MAX - 1) * ISOL_CONV_BITS)
			c = ISOL_CONV_STOP;
		convs |= c << shift;
		shift += ISOL_CONV_BITS;
		if (c == ISOL_CONV_STOP)
			break;
		fmt += *fmt == 'l';
	}
	return convs;
}

/* Any context: no locks, no allocation. */
void isol_desc_capture(struct isol_krec *r, const char *fmt, va_list args)
{
	u64 *entry = &isol_conv_cache[hash_ptr(fmt, ISOL_CONV_CACHE_BITS)];
	/* Strings end at the last byte, a NUL that stays one. */
	char *pool = r->b.desc, *end = pool + sizeof(r->b.desc) - 1;
	u32 key = (u32)(unsigned long)fmt, convs;
	u64 e = READ_ONCE(*entry);
	unsigned int n = 0;
	ssize_t len;

	if (e >> 32 == key) {
		convs = (u32)e;
	} else {
		convs = isol_desc_convs(fmt);
		WRITE_ONCE(*entry, (u64)key << 32 | convs);
	}
	r->desc.fmt = fmt;
	for (; convs; convs >>= ISOL_CONV_BITS) {
		if ((convs & ISOL_CONV_MASK) == ISOL_CONV_STR) {
			/* Word at a time; a cut string fills the pool. */
			len = strscpy(pool, va_arg(args, const char *),
				      end - pool + 1);
			pool = len < 0 ? end : min(pool + len + 1, end);
			continue;
		}
		if (n == ISOL_DESC_ARGS)
			break;
		switch (convs & ISOL_CONV_MASK) {
		case ISOL_CONV_INT:
			r->desc.arg[n++] = va_arg(args, int);
			continue;
		case ISOL_CONV_HEX:
			r->desc.arg[n++] = va_arg(args, unsigned int);
			continue;
		case ISOL_CONV_ULONG:
			r->desc.arg[n++] = va_arg(args, unsigned long);
			continue;
		}
		break;
	}
	/* The render reads no more: the rest of arg[] is not cleared. */
	r->desc.nr_arg = n;
}

/* Process context or a traced break: turn @b->desc into the text. */
void isol_desc_render(struct isol_break *b, const struct isol_desc *d)
{
	char pool[sizeof(b->desc)], *out = b->desc;
	const char *fmt = d->fmt, *s = pool;
	size_t len = 0, size = sizeof(b->desc);
	unsigned int n = 0;

	memcpy(pool, b->desc, sizeof(pool));
	memset(b->desc, 0, sizeof(b->desc));
	for (; fmt && *fmt && len < size - 1; fmt++) {
		if (*fmt != '%') {
			out[len++] = *fmt;
			continue;
		}
		fmt++;
		if (*fmt == 's') {
			len += scnprintf(out + len, size - len, "%s", s);
			s += strnlen(s, pool + sizeof(pool) - 1 - s);
			s += s < pool + sizeof(pool) - 1;
			continue;
		}
		if (n == d->nr_arg)
			return;
		if (*fmt == 'd')
			len += scnprintf(out + len, size - len, "%d",
					 (int)d->arg[n++]);
		else if (*fmt == 'x')
			len += scnprintf(out + len, size - len, "%x",
					 (unsigned int)d->arg[n++]);
		else if (*fmt == 'l' && fmt[1] == 'u')
			len += scnprintf(out + len, size - len, "%lu",
					 d->arg[n++]);
		else if (*fmt == 'l' && fmt[1] == 'x')
			len += scnprintf(out + len, size - len, "%lx",
					 d->arg[n++]);
		else
			return;
		fmt += *fmt == 'l';
	}
}
