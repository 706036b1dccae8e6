// SPDX-License-Identifier: GPL-2.0
/* The module's trace events are instantiated here, and only here. */

#include "isol.h"

#define CREATE_TRACE_POINTS
#include "isol_trace.h"

/*
 * Symbolising costs a kallsyms lookup, and the description its formatting:
 * only when someone traces.
 */
void isol_trace_break(const struct isol_krec *r)
{
	char func[ISOL_SYM_LEN];
	struct isol_break b;

	/* Tested before anything else: this is on every break's path. */
	if (!trace_isol_break_enabled())
		return;
	func[0] = '\0';
	if (r->func)
		isol_symbol(func, r->func, false);
	b = r->b;
	isol_desc_render(&b, &r->desc);
	trace_isol_break(&b, func);
}
