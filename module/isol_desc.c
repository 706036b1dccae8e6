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
 * the text. Both walk the format alike and know %s, %d, %x, %lu and %lx,
 * all that the callers use; at anything else both stop, so the text ends
 * there rather than going wrong.
 */

#include "isol.h"

/* Any context: no locks, no allocation, a few instructions per character. */
void isol_desc_capture(struct isol_krec *r, const char *fmt, va_list args)
{
	/* Strings end at the last byte, a NUL that stays one. */
	char *pool = r->b.desc, *end = pool + sizeof(r->b.desc) - 1;
	unsigned int n = 0;
	ssize_t len;

	r->desc.fmt = fmt;
	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		fmt++;
		if (*fmt == 's') {
			/* Word at a time; a cut string fills the pool. */
			len = strscpy(pool, va_arg(args, const char *),
				      end - pool + 1);
			pool = len < 0 ? end : min(pool + len + 1, end);
			continue;
		}
		if (n == ISOL_DESC_ARGS)
			return;
		if (*fmt == 'd')
			r->desc.arg[n++] = va_arg(args, int);
		else if (*fmt == 'x')
			r->desc.arg[n++] = va_arg(args, unsigned int);
		else if (*fmt == 'l' && (fmt[1] == 'u' || fmt[1] == 'x'))
			r->desc.arg[n++] = va_arg(args, unsigned long);
		else
			return;
		fmt += *fmt == 'l';
	}
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
		if (n == ISOL_DESC_ARGS)
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
