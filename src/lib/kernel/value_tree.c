// Reading a typed value into a tree of vmt_value_node: one node per scalar,
// string, array and struct, with arrays cut and runs of equal elements
// merged as gdb's print counts them, so that the text and the JSON of one
// value say the same.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/value.h"

// An object up to this size is read at once (task_struct is ~10 KiB); a
// larger one, or one that cannot be read whole, is read leaf by leaf.
#define WINDOW_MAX (1U << 20)
// Bytes of a char array kept (the rest is cut, as "...").
#define MAX_STRING_ARRAY (1U << 20)
// Strings are read in pieces that never cross a 4 KiB boundary, so one at
// the end of a mapped page reads (every arm64 page size is a multiple).
#define STRING_CHUNK 4096

struct builder {
	// The caller's environment, and the one used here: reads go through
	// the window first.
	const struct value_env *outer;
	struct value_env env;
	unsigned int max;
	uint64_t nodes;
	uint64_t win_base;
	uint8_t *win;
	size_t win_len;
};

static struct vmt_error *window_read(void *arg, uint64_t addr, void *buf,
				     size_t len)
{
	struct builder *b = arg;

	if (b->win && addr >= b->win_base && addr - b->win_base <= b->win_len &&
	    len <= b->win_len - (addr - b->win_base)) {
		memcpy(buf, b->win + (addr - b->win_base), len);
		return NULL;
	}
	return b->outer->read(b->outer->read_arg, addr, buf, len);
}

static void node_deinit(struct vmt_value_node *n)
{
	for (size_t i = 0; i < n->nr_children; i++)
		node_deinit(&n->children[i]);
	free(n->children);
	free(n->symbol);
	free(n->bytes);
	free(n->error);
}

void vmt_value_node_destroy(struct vmt_value_node *node)
{
	if (!node)
		return;
	node_deinit(node);
	free(node);
}

static uint64_t node_count(const struct vmt_value_node *n)
{
	uint64_t c = 1;

	for (size_t i = 0; i < n->nr_children; i++)
		c += node_count(&n->children[i]);
	return c;
}

// Free a node built only to be compared, and give its count back.
static void drop(struct builder *b, struct vmt_value_node *n)
{
	b->nodes -= node_count(n);
	node_deinit(n);
	memset(n, 0, sizeof(*n));
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

// Whether @p a and @p b display the same (addresses aside).
static bool node_equal(const struct vmt_value_node *a,
		       const struct vmt_value_node *b)
{
	if (a->kind != b->kind || a->is_signed != b->is_signed ||
	    a->s != b->s || a->u != b->u ||
	    memcmp(&a->f, &b->f, sizeof(a->f)) ||
	    !str_eq(a->enumerator, b->enumerator) ||
	    !str_eq(a->symbol, b->symbol) || !str_eq(a->error, b->error) ||
	    !str_eq(a->name, b->name) || a->len != b->len ||
	    (a->bytes == NULL) != (b->bytes == NULL) ||
	    (a->len && a->bytes && memcmp(a->bytes, b->bytes, a->len)) ||
	    a->nr_children != b->nr_children || a->repeat != b->repeat ||
	    a->nr_elements != b->nr_elements || a->truncated != b->truncated)
		return false;
	for (size_t i = 0; i < a->nr_children; i++)
		if (!node_equal(&a->children[i], &b->children[i]))
			return false;
	return true;
}

// A read that failed: the node says why, unless memory ran out.
static struct vmt_error *unreadable(struct vmt_value_node *n,
				    struct vmt_error *err)
{
	if (err == &vmt_enomem || err->code == VMT_ERROR_NO_MEMORY)
		return err;
	n->kind = VMT_NODE_UNREADABLE;
	n->error = strdup(err->message ? err->message : "unreadable");
	vmt_error_destroy(err);
	return n->error ? NULL : &vmt_enomem;
}

static bool is_char_type(const struct vmt_type *t)
{
	return t && t->kind == VMT_TYPE_INT && t->size == 1 && t->name &&
	       strstr(t->name, "char");
}

// A C string at @p addr, at most @p max bytes (n->truncated when longer).
static struct vmt_error *read_c_string(struct builder *b, uint64_t addr,
				       size_t max, struct vmt_value_node *n)
{
	char *buf = malloc(max + 1);
	size_t done = 0;

	if (!buf)
		return &vmt_enomem;
	while (done < max + 1) {
		size_t chunk = STRING_CHUNK - ((addr + done) % STRING_CHUNK);
		struct vmt_error *err;
		char *nul;

		if (chunk > max + 1 - done)
			chunk = max + 1 - done;
		err = b->env.read(b->env.read_arg, addr + done, buf + done,
				  chunk);
		if (err) {
			free(buf);
			return err;
		}
		nul = memchr(buf + done, '\0', chunk);
		if (nul) {
			n->bytes = buf;
			n->len = (size_t)(nul - buf);
			return NULL;
		}
		done += chunk;
	}
	n->bytes = buf;
	n->len = max;
	n->truncated = true;
	return NULL;
}

static struct vmt_error *build(struct builder *b, const struct vmt_value *v,
			       const char *name, int depth,
			       struct vmt_value_node *n);

static struct vmt_error *build_scalar(struct builder *b,
				      const struct vmt_value *v,
				      const struct vmt_type *t,
				      struct vmt_value_node *n)
{
	struct vmt_error *err;
	uint64_t bits;

	if (t->kind == VMT_TYPE_INT && t->size > 8 && t->size <= 16 &&
	    v->in_memory && !v->bit_size) {
		// __int128: kept as its bytes.
		n->kind = VMT_NODE_INT;
		n->is_signed = t->is_signed;
		n->bytes = malloc(t->size);
		if (!n->bytes)
			return &vmt_enomem;
		n->len = t->size;
		err = b->env.read(b->env.read_arg, v->address, n->bytes,
				  t->size);
		return err ? unreadable(n, err) : NULL;
	}
	if (t->size > 8 || !t->size ||
	    (t->kind == VMT_TYPE_FLOAT && t->size != 4 && t->size != 8)) {
		n->kind = VMT_NODE_OPAQUE;
		return NULL;
	}
	err = value_read_scalar(&b->env, v, &bits);
	if (err)
		return unreadable(n, err);
	n->u = bits;
	n->s = (int64_t)bits;
	n->is_signed = t->is_signed && t->kind != VMT_TYPE_POINTER;
	switch (t->kind) {
	case VMT_TYPE_BOOL:
		n->kind = VMT_NODE_BOOL;
		break;
	case VMT_TYPE_FLOAT:
		n->kind = VMT_NODE_FLOAT;
		if (t->size == 4) {
			float fl;
			uint32_t w = (uint32_t)bits;

			memcpy(&fl, &w, 4);
			n->f = fl;
		} else {
			memcpy(&n->f, &bits, 8);
		}
		break;
	case VMT_TYPE_ENUM:
		n->kind = VMT_NODE_INT;
		for (size_t i = 0; i < t->nr_enumerators; i++) {
			const struct vmt_type_enumerator *e =
				&t->enumerators[i];
			uint64_t ev = (uint64_t)e->value;

			if (t->size < 8)
				ev &= (UINT64_C(1) << (t->size * 8)) - 1;
			if ((t->is_signed && e->value == n->s) ||
			    (!t->is_signed && ev == bits)) {
				n->kind = VMT_NODE_ENUM;
				n->enumerator = e->name;
				break;
			}
		}
		break;
	case VMT_TYPE_POINTER: {
		const struct vmt_type *target =
			value_resolve(&b->env, t->target);
		char sym[256];

		n->kind = VMT_NODE_POINTER;
		if (bits && b->env.symbolize &&
		    b->env.symbolize(b->env.arg, bits, sym, sizeof(sym))) {
			n->symbol = strdup(sym);
			if (!n->symbol)
				return &vmt_enomem;
		}
		if (bits && is_char_type(target)) {
			err = read_c_string(b, bits, b->max, n);
			if (err) {
				if (err == &vmt_enomem)
					return err;
				n->error = strdup(err->message);
				vmt_error_destroy(err);
				if (!n->error)
					return &vmt_enomem;
			}
		}
		break;
	}
	default:
		n->kind = is_char_type(t) ? VMT_NODE_CHAR : VMT_NODE_INT;
		break;
	}
	return NULL;
}

static struct vmt_error *build_string(struct builder *b,
				      const struct vmt_value *v,
				      uint64_t nelems,
				      struct vmt_value_node *n)
{
	size_t len = nelems > MAX_STRING_ARRAY ? MAX_STRING_ARRAY :
						 (size_t)nelems;
	struct vmt_error *err;

	n->kind = VMT_NODE_STRING;
	n->nr_elements = nelems;
	n->truncated = nelems > len;
	n->bytes = malloc(len ? len : 1);
	if (!n->bytes)
		return &vmt_enomem;
	n->len = len;
	err = b->env.read(b->env.read_arg, v->address, n->bytes, len);
	if (err) {
		free(n->bytes);
		n->bytes = NULL;
		n->len = 0;
		return unreadable(n, err);
	}
	return NULL;
}

static struct vmt_error *add_child(struct vmt_value_node *n, size_t *cap,
				   struct vmt_value_node *child)
{
	if (n->nr_children == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		struct vmt_value_node *m = realloc(n->children,
						   c * sizeof(*m));

		if (!m)
			return &vmt_enomem;
		n->children = m;
		*cap = c;
	}
	n->children[n->nr_children++] = *child;
	return NULL;
}

// Elements as gdb's print walks them: from each element, the equal ones
// that follow; a run longer than the threshold is one entry counted as
// the threshold, anything else counts one an element; stop at the limit.
static struct vmt_error *build_array(struct builder *b,
				     const struct vmt_value *v,
				     uint64_t nelems, int depth,
				     struct vmt_value_node *n)
{
	uint64_t i = 0, things = 0;
	struct vmt_value_node cur, next;
	struct vmt_value ev;
	struct vmt_error *err;
	size_t cap = 0;

	n->kind = VMT_NODE_ARRAY;
	n->nr_elements = nelems;
	while (i < nelems && things < b->max) {
		uint64_t reps = 1;

		memset(&cur, 0, sizeof(cur));
		err = value_index(&b->env, v, (int64_t)i, &ev);
		if (!err)
			err = build(b, &ev, NULL, depth + 1, &cur);
		if (err) {
			node_deinit(&cur);
			return err;
		}
		while (i + reps < nelems) {
			bool same;

			memset(&next, 0, sizeof(next));
			err = value_index(&b->env, v, (int64_t)(i + reps), &ev);
			if (!err)
				err = build(b, &ev, NULL, depth + 1, &next);
			same = !err && node_equal(&cur, &next);
			drop(b, &next);
			if (err) {
				drop(b, &cur);
				return err;
			}
			if (!same)
				break;
			reps++;
		}
		if (reps > VALUE_REPEAT_THRESHOLD) {
			things += VALUE_REPEAT_THRESHOLD;
		} else {
			if (reps > b->max - things)
				reps = b->max - things;
			things += reps;
		}
		cur.repeat = reps;
		i += reps;
		err = add_child(n, &cap, &cur);
		if (err) {
			drop(b, &cur);
			return err;
		}
	}
	n->truncated = i < nelems;
	return NULL;
}

static struct vmt_error *build_struct(struct builder *b,
				      const struct vmt_value *v,
				      const struct vmt_type *t, int depth,
				      struct vmt_value_node *n)
{
	struct vmt_value_node child;
	struct vmt_error *err;
	size_t cap = 0;

	n->kind = VMT_NODE_STRUCT;
	for (size_t i = 0; i < t->nr_members; i++) {
		const struct vmt_type_member *m = &t->members[i];
		struct vmt_value mv;

		value_object(&mv, m->type, v->address + m->bit_offset / 8);
		if (m->bit_size) {
			mv.bit_offset = (uint32_t)(m->bit_offset % 8);
			mv.bit_size = m->bit_size;
		}
		memset(&child, 0, sizeof(child));
		err = build(b, &mv, m->name, depth + 1, &child);
		if (!err)
			err = add_child(n, &cap, &child);
		if (err) {
			drop(b, &child);
			return err;
		}
	}
	return NULL;
}

static struct vmt_error *build(struct builder *b, const struct vmt_value *v,
			       const char *name, int depth,
			       struct vmt_value_node *n)
{
	const struct vmt_type *t = value_resolve(&b->env, v->type);

	if (++b->nodes > VALUE_MAX_NODES)
		return vmt_error_format(VMT_ERROR_OVERFLOW,
					"value at %#" PRIx64 ": more than %u parts to show",
					v->address, VALUE_MAX_NODES);
	n->name = name;
	n->type = v->type;
	n->address = v->in_memory ? v->address : 0;
	n->bit_size = v->bit_size;
	n->repeat = 1;
	if (!t) {
		n->kind = VMT_NODE_OPAQUE;
		return NULL;
	}
	switch (t->kind) {
	case VMT_TYPE_INT:
	case VMT_TYPE_BOOL:
	case VMT_TYPE_FLOAT:
	case VMT_TYPE_ENUM:
	case VMT_TYPE_POINTER:
		return build_scalar(b, v, t, n);
	case VMT_TYPE_ARRAY:
		if (!v->in_memory)
			break;
		if (!t->nelems) {
			struct vmt_error *err = NULL;

			// Of unknown length: its address, and a char array's
			// C string there (extern char linux_banner[]).
			n->kind = VMT_NODE_FLEXIBLE;
			n->u = v->address;
			if (is_char_type(value_resolve(&b->env, t->target)))
				err = read_c_string(b, v->address, b->max, n);
			if (err && err != &vmt_enomem) {
				n->error = strdup(err->message);
				vmt_error_destroy(err);
				err = n->error ? NULL : &vmt_enomem;
			}
			return err;
		}
		if (depth >= VALUE_MAX_DEPTH)
			break;
		if (is_char_type(value_resolve(&b->env, t->target)))
			return build_string(b, v, t->nelems, n);
		return build_array(b, v, t->nelems, depth, n);
	case VMT_TYPE_STRUCT:
	case VMT_TYPE_UNION:
		if (!v->in_memory || depth >= VALUE_MAX_DEPTH)
			break;
		return build_struct(b, v, t, depth, n);
	default:
		break;
	}
	n->kind = VMT_NODE_OPAQUE;
	return NULL;
}

struct vmt_error *value_tree(const struct value_env *env,
			     const struct vmt_value *v,
			     const struct vmt_format_options *opts,
			     struct vmt_value_node **ret)
{
	struct builder b = { .outer = env };
	struct vmt_value_node *root;
	struct vmt_error *err;
	uint64_t size;

	b.env = *env;
	b.env.read = window_read;
	b.env.read_arg = &b;
	b.max = opts && opts->max_elements ? opts->max_elements :
					     VALUE_DEFAULT_MAX_ELEMENTS;
	size = v->in_memory ? value_type_size(env, v->type) : 0;
	if (size && size <= WINDOW_MAX) {
		b.win = malloc(size);
		if (!b.win)
			return &vmt_enomem;
		err = env->read(env->read_arg, v->address, b.win, size);
		if (!err) {
			b.win_base = v->address;
			b.win_len = size;
		} else {
			uint8_t byte;

			free(b.win);
			b.win = NULL;
			vmt_error_destroy(err);
			// Not even its first byte: the object is not there
			// (a NULL pointer followed); else read what is.
			err = env->read(env->read_arg, v->address, &byte, 1);
			if (err)
				return err;
		}
	}
	root = calloc(1, sizeof(*root));
	if (!root) {
		free(b.win);
		return &vmt_enomem;
	}
	err = build(&b, v, NULL, 0, root);
	free(b.win);
	if (!err && root->kind == VMT_NODE_UNREADABLE) {
		uint8_t byte;

		// Nothing read: the read's own error (its address and kind).
		err = env->read(env->read_arg, v->address, &byte, 1);
		if (!err)
			err = vmt_error_format(VMT_ERROR_FAULT, "%s",
					       root->error);
	}
	if (err) {
		vmt_value_node_destroy(root);
		return err;
	}
	*ret = root;
	return NULL;
}
