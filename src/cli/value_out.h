// Typed values in the CLI's two outputs: the text crash prints (through
// the library's formatter) and a JSON value (struct -> object, array ->
// list, char array -> string, pointer -> address string). Shared by p,
// struct, task and list -s.
#ifndef VMT_CLI_VALUE_OUT_H
#define VMT_CLI_VALUE_OUT_H

#include <stdbool.h>

#include "cmd.h"

/**
 * Write @p n as a JSON value. A struct's anonymous members' members are
 * its own (as C reaches them); runs of equal elements are spelled out. Sets
 * *@p truncated when an array was cut (by the element limit).
 */
void value_json(struct json *j, const struct vmt_value_node *n,
		bool *truncated);

/**
 * Read @p v and format it as crash does, into *@p text (free() it); the
 * tree into *@p tree_ret when not NULL (else freed). A pointer at the top
 * gets its type in parentheses first, as gdb's print does ("(struct
 * list_head *) 0x..."), unless @p bare.
 */
struct vmt_error *value_text(struct vmt_program *prog,
			     const struct vmt_value *v,
			     const struct vmt_format_options *opts,
			     unsigned int indent, bool bare, char **text,
			     struct vmt_value_node **tree_ret);

#endif
