// C expressions as gdb's print (crash's p) takes them, over the dump's
// variables: names, numbers, .m, ->m, [i], *, &, unary minus, casts to a
// type or pointer, parentheses; and crash's NAME:CPU for per-CPU
// variables. A recursive-descent parser that evaluates as it goes.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/value.h"

// Nesting of parentheses and unary operators believed.
#define MAX_NESTING 64

enum tok_kind { TOK_END, TOK_IDENT, TOK_NUMBER, TOK_PUNCT, TOK_BAD };

struct token {
	enum tok_kind kind;
	const char *start;
	size_t len;
	uint64_t number;
	char ident[128];
};

struct parser {
	const struct value_env *env;
	const char *text;
	const char *pos;
	struct token tok;
	int depth;
	// What the result's type came from, and what it is called.
	const char *type_source;
	struct vmt_eval_result *res;
	// "per_cpu(NAME, CPU)": the label of NAME:CPU alone.
	char per_cpu_label[160];
};

// A value as the parser holds it, with what C cannot say about it.
struct operand {
	struct vmt_value v;
	// The variable it is, when it is one alone.
	char name[128];
	// A variable whose type no source describes (v.type NULL).
	bool unknown_type;
	char why[200];
	// A per-CPU variable named without a CPU.
	bool per_cpu;
	// A function (text symbol): only its address is known.
	bool function;
};

static void next(struct parser *p)
{
	const char *s = p->pos;
	struct token *t = &p->tok;

	while (isspace((unsigned char)*s))
		s++;
	memset(t, 0, sizeof(*t));
	t->start = s;
	if (!*s) {
		t->kind = TOK_END;
	} else if (isalpha((unsigned char)*s) || *s == '_') {
		size_t n = 0;

		while (isalnum((unsigned char)s[n]) || s[n] == '_')
			n++;
		t->kind = n < sizeof(t->ident) ? TOK_IDENT : TOK_BAD;
		if (t->kind == TOK_IDENT) {
			memcpy(t->ident, s, n);
			t->ident[n] = '\0';
		}
		t->len = n;
	} else if (isdigit((unsigned char)*s)) {
		char *end;

		errno = 0;
		t->number = strtoull(s, &end, 0);
		t->len = (size_t)(end - s);
		t->kind = errno || isalnum((unsigned char)*end) || *end == '_' ?
				  TOK_BAD :
				  TOK_NUMBER;
	} else if (s[0] == '-' && s[1] == '>') {
		t->kind = TOK_PUNCT;
		t->len = 2;
	} else if (strchr("()[].*&-:", *s)) {
		t->kind = TOK_PUNCT;
		t->len = 1;
	} else {
		t->kind = TOK_BAD;
		t->len = 1;
	}
	p->pos = s + t->len;
}

static bool is_punct(const struct parser *p, const char *s)
{
	return p->tok.kind == TOK_PUNCT && p->tok.len == strlen(s) &&
	       !strncmp(p->tok.start, s, p->tok.len);
}

static bool is_ident(const struct parser *p, const char *s)
{
	return p->tok.kind == TOK_IDENT && !strcmp(p->tok.ident, s);
}

static struct vmt_error *syntax(const struct parser *p, const char *what)
{
	if (p->tok.kind == TOK_END)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"%s: %s at the end", p->text, what);
	return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT, "%s: %s at '%s'",
				p->text, what, p->tok.start);
}

// The operand must be a plain value: not a per-CPU variable without a
// CPU, not a variable of unknown type, not a function.
static struct vmt_error *need_value(const struct operand *o, const char *op)
{
	if (o->per_cpu)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"%s is a per-CPU variable: name a CPU (%s:0) to use %s",
					o->name, o->name, op);
	if (o->unknown_type)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s: %s; to use %s, cast it to its type, e.g. ((struct TYPE *)&%s)->member",
					o->name, o->why, op, o->name);
	if (o->function)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"%s is a function: only its address is known",
					o->name);
	return NULL;
}

static void plain(struct operand *o, const struct vmt_value *v)
{
	memset(o, 0, sizeof(*o));
	o->v = *v;
}

static struct vmt_error *parse_expr(struct parser *p, struct operand *o);
static struct vmt_error *parse_unary(struct parser *p, struct operand *o);

static const char *const type_words[] = {
	"struct", "union", "enum", "unsigned", "signed", "int", "long",
	"short", "char", "void", "_Bool", "const", "volatile",
};

static bool is_type_word(const char *s)
{
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
		if (!strcmp(s, type_words[i]))
			return true;
	return false;
}

// Whether the '(' just read opens a cast: a type keyword follows, or a
// name that is a type and no variable, followed by '*' or ')'.
static bool cast_follows(struct parser *p)
{
	struct parser save = *p;
	const struct vmt_type *t;
	struct value_var var;
	bool cast = false;
	char name[128];

	if (p->tok.kind == TOK_IDENT) {
		if (is_type_word(p->tok.ident)) {
			cast = true;
		} else {
			snprintf(name, sizeof(name), "%s", p->tok.ident);
			next(p);
			if ((is_punct(p, "*") || is_punct(p, ")")) &&
			    p->env->find_type &&
			    vmt_error_ok(p->env->find_type(p->env->arg, name,
							   &t)))
				cast = !p->env->variable ||
				       !vmt_error_ok(p->env->variable(
					       p->env->arg, name, &var));
		}
	}
	*p = save;
	return cast;
}

// A type name: qualifiers, "struct x" / base type words / a typedef, then
// any number of '*'.
static struct vmt_error *parse_type(struct parser *p,
				    const struct vmt_type **ret)
{
	const struct vmt_type *t = NULL;
	struct vmt_error *err;
	char words[128] = "";

	while (is_ident(p, "const") || is_ident(p, "volatile"))
		next(p);
	if (is_ident(p, "struct") || is_ident(p, "union") ||
	    is_ident(p, "enum")) {
		char name[300];

		snprintf(name, sizeof(name), "%s ", p->tok.ident);
		next(p);
		if (p->tok.kind != TOK_IDENT)
			return syntax(p, "expected a type name");
		strncat(name, p->tok.ident, sizeof(name) - strlen(name) - 1);
		if (!p->env->find_type)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"no type information");
		err = p->env->find_type(p->env->arg, name, &t);
		if (err)
			return err;
		next(p);
	} else if (p->tok.kind == TOK_IDENT && is_type_word(p->tok.ident)) {
		while (p->tok.kind == TOK_IDENT && is_type_word(p->tok.ident)) {
			if (strcmp(p->tok.ident, "const") &&
			    strcmp(p->tok.ident, "volatile")) {
				if (strlen(words) + strlen(p->tok.ident) + 2 >
				    sizeof(words))
					return syntax(p, "type name too long");
				if (words[0])
					strcat(words, " ");
				strcat(words, p->tok.ident);
			}
			next(p);
		}
		t = value_base_type(p->env->types, words);
		if (!t)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
						"%s: '%s' is not a C type",
						p->text, words);
	} else if (p->tok.kind == TOK_IDENT) {
		if (!p->env->find_type)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"no type information");
		err = p->env->find_type(p->env->arg, p->tok.ident, &t);
		if (err)
			return err;
		next(p);
	} else {
		return syntax(p, "expected a type");
	}
	while (is_ident(p, "const") || is_ident(p, "volatile"))
		next(p);
	while (is_punct(p, "*")) {
		t = value_pointer_type(p->env->types, t);
		if (!t)
			return &vmt_enomem;
		next(p);
		while (is_ident(p, "const") || is_ident(p, "volatile"))
			next(p);
	}
	*ret = t;
	return NULL;
}

// Names the kernel's headers define as macros over a variable, read as
// the macro reads: include/linux/cpumask.h (6.12) defines cpu_online_mask
// and the others as ((const struct cpumask *)&__cpu_online_mask); older
// kernels had variables of those names, which are found first.
static const struct {
	const char *name, *expansion;
} macros[] = {
	{ "cpu_possible_mask", "((const struct cpumask *)&__cpu_possible_mask)" },
	{ "cpu_online_mask", "((const struct cpumask *)&__cpu_online_mask)" },
	{ "cpu_present_mask", "((const struct cpumask *)&__cpu_present_mask)" },
	{ "cpu_active_mask", "((const struct cpumask *)&__cpu_active_mask)" },
	{ "cpu_dying_mask", "((const struct cpumask *)&__cpu_dying_mask)" },
};

// @p name as its macro expands, if it is one of macros[].
static struct vmt_error *parse_macro(struct parser *p, const char *name,
				     struct operand *o, bool *found)
{
	struct parser sub;
	struct vmt_error *err;

	*found = false;
	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		if (strcmp(name, macros[i].name))
			continue;
		*found = true;
		sub = *p;
		sub.text = sub.pos = macros[i].expansion;
		next(&sub);
		err = parse_expr(&sub, o);
		if (!err && sub.tok.kind != TOK_END)
			err = syntax(&sub, "unexpected");
		if (!err && !p->type_source)
			p->type_source = sub.type_source;
		return err;
	}
	return NULL;
}

// A variable, with crash's ":CPU" for a per-CPU one.
static struct vmt_error *parse_variable(struct parser *p, struct operand *o)
{
	const struct value_env *env = p->env;
	struct value_var var;
	struct vmt_error *err;
	bool macro;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", p->tok.ident);
	if (!env->variable)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"no symbols to find %s", o->name);
	memset(&var, 0, sizeof(var));
	err = env->variable(env->arg, o->name, &var);
	if (err && err->code == VMT_ERROR_NOT_FOUND) {
		char name[sizeof(o->name)];
		struct vmt_error *merr;

		snprintf(name, sizeof(name), "%s", o->name);
		merr = parse_macro(p, name, o, &macro);
		if (macro) {
			vmt_error_destroy(err);
			if (!merr)
				next(p);
			return merr;
		}
	}
	if (err)
		return err;
	next(p);
	if (!p->type_source)
		p->type_source = var.type ? var.type_source : NULL;
	if (var.per_cpu && is_punct(p, ":")) {
		uint64_t addr;

		next(p);
		if (is_ident(p, "a") || is_ident(p, "all")) {
			// Every CPU's copy: only the variable alone.
			next(p);
			if (p->tok.kind != TOK_END)
				return syntax(p, "NAME:a stands alone");
			p->res->per_cpu_all = true;
			o->per_cpu = true;
		} else if (p->tok.kind == TOK_NUMBER) {
			if (!env->per_cpu)
				return vmt_error_format(VMT_ERROR_NOT_FOUND,
							"no per-CPU data");
			err = env->per_cpu(env->arg, o->name,
					   (unsigned int)p->tok.number, &addr);
			if (err)
				return err;
			snprintf(p->per_cpu_label, sizeof(p->per_cpu_label),
				 "per_cpu(%s, %" PRIu64 ")", o->name,
				 p->tok.number);
			next(p);
			value_object(&o->v, var.type, addr);
		} else {
			return syntax(p, "expected a CPU number or 'a'");
		}
	} else if (var.per_cpu) {
		o->per_cpu = true;
		o->v.type = var.type;
	} else {
		value_object(&o->v, var.type, var.address);
	}
	if (!o->per_cpu && !var.type) {
		if (var.function) {
			o->function = true;
		} else {
			o->unknown_type = true;
			snprintf(o->why, sizeof(o->why), "%s", var.why_unknown);
		}
	}
	return NULL;
}

static struct vmt_error *parse_primary(struct parser *p, struct operand *o)
{
	struct vmt_error *err;

	if (p->tok.kind == TOK_IDENT)
		return parse_variable(p, o);
	if (p->tok.kind == TOK_NUMBER) {
		const struct vmt_type *t = value_base_type(
			p->env->types,
			p->tok.number > INT64_MAX ? "unsigned long" : "long");

		if (!t)
			return &vmt_enomem;
		memset(o, 0, sizeof(*o));
		o->v.type = t;
		o->v.bits = p->tok.number;
		next(p);
		return NULL;
	}
	if (is_punct(p, "(")) {
		next(p);
		err = parse_expr(p, o);
		if (err)
			return err;
		if (!is_punct(p, ")"))
			return syntax(p, "expected ')'");
		next(p);
		return NULL;
	}
	return syntax(p, "expected a name, a number or '('");
}

static struct vmt_error *parse_postfix(struct parser *p, struct operand *o)
{
	struct vmt_error *err = parse_primary(p, o);
	struct vmt_value v;

	while (!err) {
		if (is_punct(p, ".") || is_punct(p, "->")) {
			const char *op = is_punct(p, ".") ? "." : "->";

			next(p);
			if (p->tok.kind != TOK_IDENT)
				return syntax(p, "expected a member name");
			if ((err = need_value(o, op)))
				return err;
			err = value_member(p->env, &o->v, p->tok.ident, &v);
			if (!err) {
				plain(o, &v);
				next(p);
			}
		} else if (is_punct(p, "[")) {
			struct operand index;
			uint64_t i;

			next(p);
			if ((err = need_value(o, "[]")))
				return err;
			err = parse_expr(p, &index);
			if (err)
				return err;
			if (!is_punct(p, "]"))
				return syntax(p, "expected ']'");
			next(p);
			if ((err = need_value(&index, "an index")) ||
			    (err = value_read_scalar(p->env, &index.v, &i)))
				return err;
			err = value_index(p->env, &o->v, (int64_t)i, &v);
			if (!err)
				plain(o, &v);
		} else {
			break;
		}
	}
	return err;
}

static struct vmt_error *parse_unary(struct parser *p, struct operand *o)
{
	struct vmt_error *err;
	struct vmt_value v;

	if (++p->depth > MAX_NESTING)
		return syntax(p, "nested too deeply");
	if (is_punct(p, "*")) {
		next(p);
		err = parse_unary(p, o);
		if (!err)
			err = need_value(o, "*");
		if (!err)
			err = value_deref(p->env, &o->v, &v);
		if (!err)
			plain(o, &v);
	} else if (is_punct(p, "&")) {
		next(p);
		err = parse_unary(p, o);
		if (!err && (o->per_cpu || o->function))
			err = need_value(o, "&");
		// &var of unknown type is still its address (a void *).
		if (!err)
			err = value_address_of(p->env, &o->v, &v);
		if (!err)
			plain(o, &v);
	} else if (is_punct(p, "-")) {
		uint64_t bits;

		next(p);
		err = parse_unary(p, o);
		if (!err)
			err = need_value(o, "-");
		if (!err)
			err = value_read_scalar(p->env, &o->v, &bits);
		if (!err) {
			v = o->v;
			v.in_memory = false;
			v.bit_size = v.bit_offset = 0;
			v.address = 0;
			v.bits = (uint64_t)0 - bits;
			plain(o, &v);
		}
	} else if (is_punct(p, "(")) {
		struct parser at_paren = *p;
		const struct vmt_type *t = NULL;

		next(p);
		if (!cast_follows(p)) {
			// A parenthesized expression, a primary.
			*p = at_paren;
			err = parse_postfix(p, o);
		} else {
			err = parse_type(p, &t);
			if (!err && !is_punct(p, ")"))
				err = syntax(p, "expected ')' after the type");
			if (!err) {
				next(p);
				err = parse_unary(p, o);
			}
			if (!err && (o->per_cpu || o->function))
				err = need_value(o, "a cast");
			if (!err)
				err = value_cast(p->env, &o->v, t, &v);
			if (!err) {
				plain(o, &v);
				p->type_source = "cast";
			}
		}
	} else {
		err = parse_postfix(p, o);
	}
	p->depth--;
	return err;
}

static struct vmt_error *parse_expr(struct parser *p, struct operand *o)
{
	return parse_unary(p, o);
}

void vmt_eval_result_deinit(struct vmt_eval_result *r)
{
	if (!r)
		return;
	free(r->per_cpu_addresses);
	r->per_cpu_addresses = NULL;
	r->nr_cpus = 0;
}

// A per-CPU variable alone: every CPU's copy.
static struct vmt_error *per_cpu_addresses(struct parser *p,
					   const struct operand *o)
{
	const struct value_env *env = p->env;
	struct vmt_eval_result *res = p->res;
	struct vmt_error *err;
	unsigned int n;

	if (!env->nr_cpus || !env->per_cpu)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s: no per-CPU data", o->name);
	err = env->nr_cpus(env->arg, &n);
	if (err)
		return vmt_error_wrap(err, "per-CPU variable %s", o->name);
	res->per_cpu_addresses = calloc(n ? n : 1, sizeof(uint64_t));
	if (!res->per_cpu_addresses)
		return &vmt_enomem;
	res->nr_cpus = n;
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		uint64_t addr = 0;

		// An unknown CPU stays 0; the others are still shown.
		if (vmt_error_ok(env->per_cpu(env->arg, o->name, cpu, &addr)))
			res->per_cpu_addresses[cpu] = addr;
	}
	res->per_cpu = true;
	res->value.type = o->v.type;
	return NULL;
}

struct vmt_error *value_eval(const struct value_env *env, const char *expr,
			     struct vmt_eval_result *ret)
{
	struct parser p = { .env = env, .text = expr, .pos = expr, .res = ret };
	struct operand o;
	struct vmt_error *err;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->label, sizeof(ret->label), "%s", expr);
	next(&p);
	if (p.tok.kind == TOK_END)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"empty expression");
	err = parse_expr(&p, &o);
	if (!err && p.tok.kind != TOK_END)
		err = syntax(&p, "unexpected");
	if (err)
		return err;
	// Any operation clears the name: it is left on a variable alone.
	ret->is_variable = o.name[0] != '\0';
	if (ret->is_variable && p.per_cpu_label[0])
		snprintf(ret->label, sizeof(ret->label), "%s",
			 p.per_cpu_label);
	ret->type_source = p.type_source ? p.type_source : "expression";
	if (o.per_cpu)
		return per_cpu_addresses(&p, &o);
	if (o.function) {
		memset(&ret->value, 0, sizeof(ret->value));
		ret->value.type = value_pointer_type(env->types, NULL);
		if (!ret->value.type)
			return &vmt_enomem;
		ret->value.bits = o.v.address;
		ret->type_source = NULL;
		snprintf(ret->note, sizeof(ret->note),
			 "%s is a function (a text symbol): its address",
			 o.name);
		return NULL;
	}
	if (o.unknown_type) {
		const struct vmt_type *word =
			value_base_type(env->types, "unsigned long");

		if (!word)
			return &vmt_enomem;
		value_object(&ret->value, word, o.v.address);
		ret->type_source = NULL;
		snprintf(ret->note, sizeof(ret->note),
			 "%s; shown: the 8-byte word at %#" PRIx64, o.why,
			 o.v.address);
		return NULL;
	}
	ret->value = o.v;
	return NULL;
}
