// A symbol in the CLI's two outputs, shared by sym and whatis.
#ifndef VMT_CLI_SYM_OUT_H
#define VMT_CLI_SYM_OUT_H

#include <stdio.h>

#include "cmd.h"

/**
 * @p sym as a JSON object (schema/sym.schema.json). @p offset and
 * @p query: for a lookup by address, the offset into the symbol and the
 * address asked (tags and PAC bits included); NULL otherwise.
 */
void sym_json(struct json *j, const struct vmt_symbol *sym,
	      const uint64_t *offset, const uint64_t *query);

/**
 * @p sym as one line: by address, the address asked beside name+offset
 * (crash's form) and where the symbol starts; by name, its address.
 */
void sym_text(FILE *out, const struct vmt_symbol *sym,
	      const uint64_t *offset, const uint64_t *query);

#endif
