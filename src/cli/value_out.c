// Typed values as text (the library's gdb-style format) and as JSON.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value_out.h"

// Elements of one array written at most, runs spelled out included.
#define JSON_MAX_ELEMENTS 65536

static void struct_members(struct json *j, const struct vmt_value_node *n,
			   bool *truncated)
{
	for (size_t i = 0; i < n->nr_children; i++) {
		const struct vmt_value_node *c = &n->children[i];

		if (!c->name && c->kind == VMT_NODE_STRUCT) {
			// Anonymous struct/union: C names its members as ours.
			struct_members(j, c, truncated);
			continue;
		}
		if (!c->name)
			continue;
		json_key(j, c->name);
		value_json(j, c, truncated);
	}
}

void value_json(struct json *j, const struct vmt_value_node *n,
		bool *truncated)
{
	switch (n->kind) {
	case VMT_NODE_INT:
	case VMT_NODE_CHAR:
		if (n->bytes) {
			char buf[40];
			unsigned __int128 v = 0;

			// Wider than a JSON number: a hex string.
			for (size_t i = n->len; i-- > 0;)
				v = v << 8 | (unsigned char)n->bytes[i];
			if (v >> 64)
				snprintf(buf, sizeof(buf),
					 "0x%" PRIx64 "%016" PRIx64,
					 (uint64_t)(v >> 64), (uint64_t)v);
			else
				snprintf(buf, sizeof(buf), "0x%" PRIx64,
					 (uint64_t)v);
			json_string(j, buf);
		} else if (n->is_signed) {
			json_int(j, n->s);
		} else {
			json_uint(j, n->u);
		}
		break;
	case VMT_NODE_BOOL:
		if (n->u <= 1)
			json_bool(j, n->u != 0);
		else
			json_uint(j, n->u);
		break;
	case VMT_NODE_FLOAT:
		json_double(j, n->f, 6);
		break;
	case VMT_NODE_ENUM:
		json_string(j, n->enumerator);
		break;
	case VMT_NODE_POINTER:
	case VMT_NODE_FLEXIBLE:
		json_addr(j, n->u);
		break;
	case VMT_NODE_STRING: {
		const char *nul = memchr(n->bytes, '\0', n->len);

		// The C string the array holds.
		json_string_len(j, n->bytes,
				nul ? (size_t)(nul - n->bytes) : n->len);
		break;
	}
	case VMT_NODE_ARRAY: {
		uint64_t written = 0;

		json_begin_array(j);
		for (size_t i = 0; i < n->nr_children; i++) {
			const struct vmt_value_node *c = &n->children[i];

			for (uint64_t k = 0; k < (c->repeat ? c->repeat : 1);
			     k++) {
				if (written++ == JSON_MAX_ELEMENTS) {
					*truncated = true;
					break;
				}
				value_json(j, c, truncated);
			}
		}
		json_end_array(j);
		if (n->truncated)
			*truncated = true;
		break;
	}
	case VMT_NODE_STRUCT:
		json_begin_object(j);
		struct_members(j, n, truncated);
		json_end_object(j);
		break;
	default:
		json_null(j);
		break;
	}
}

// A pointer (not to a char: gdb shows those with their string) at the
// top of a print gets its type in front.
static bool type_prefix(const struct vmt_value *v, char *buf, size_t size)
{
	const struct vmt_type *t = v->type;

	for (int i = 0; t && i < 64 && (t->kind == VMT_TYPE_TYPEDEF ||
					t->kind == VMT_TYPE_CONST ||
					t->kind == VMT_TYPE_VOLATILE);
	     i++)
		t = t->target;
	if (!t || t->kind != VMT_TYPE_POINTER)
		return false;
	for (const struct vmt_type *target = t->target; target;
	     target = target->target) {
		if (target->kind == VMT_TYPE_INT && target->size == 1 &&
		    target->name && strstr(target->name, "char"))
			return false;
		if (target->kind != VMT_TYPE_TYPEDEF &&
		    target->kind != VMT_TYPE_CONST &&
		    target->kind != VMT_TYPE_VOLATILE)
			break;
	}
	vmt_type_declaration(v->type, NULL, buf, size);
	return true;
}

struct vmt_error *value_text(struct vmt_program *prog,
			     const struct vmt_value *v,
			     const struct vmt_format_options *opts,
			     unsigned int indent, bool bare, char **text,
			     struct vmt_value_node **tree_ret)
{
	struct vmt_value_node *tree;
	struct vmt_error *err;
	char prefix[256], *body;

	err = vmt_program_value_tree(prog, v, opts, &tree);
	if (err)
		return err;
	err = vmt_value_node_format(tree, opts, indent, &body);
	if (err) {
		vmt_value_node_destroy(tree);
		return err;
	}
	if (!bare && type_prefix(v, prefix, sizeof(prefix))) {
		size_t n = strlen(prefix) + strlen(body) + 4;
		char *s = malloc(n);

		if (!s) {
			free(body);
			vmt_value_node_destroy(tree);
			return &vmt_enomem;
		}
		snprintf(s, n, "(%s) %s", prefix, body);
		free(body);
		body = s;
	}
	*text = body;
	if (tree_ret)
		*tree_ret = tree;
	else
		vmt_value_node_destroy(tree);
	return NULL;
}
