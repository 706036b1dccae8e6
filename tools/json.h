/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer: objects, arrays, strings, integers, booleans. Output
 * is valid JSON whatever bytes a string holds: control characters and bytes
 * that are not UTF-8 are escaped.
 */
#ifndef ISOLCTL_JSON_H
#define ISOLCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	bool pretty;		/* indented, one member a line */
	int depth;
	bool first[JSON_MAX_DEPTH];
};

/* @pretty false writes one line, as a stream of records wants. */
void json_init(struct json *j, FILE *f, bool pretty);
/* @key is the member name inside an object, NULL inside an array or at top. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL: null */
void json_strn(struct json *j, const char *key, const char *val, size_t n);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* End of the top-level value: a newline, and a flush for streams. */
void json_end(struct json *j);

#endif /* ISOLCTL_JSON_H */
