// An LZO1X decoder that can stop early: decompress_prefix() of an LZO page
// decodes only as far as a small read needs (on average half a page for a
// read at a random offset), where liblzo2 always decodes the whole page.
// Written from the format description in the kernel's
// Documentation/staging/lzo.rst (bitstream version 0, what liblzo2's
// lzo1x_1_compress and so makedumpfile write). Every read and copy is
// bounds-checked: the input is a dump, possibly corrupt.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "decompress/decompress.h"

struct lzo_in {
	const uint8_t *p;
	size_t len, pos;
};

// The "L ?: base + (zero_bytes * 255) + non_zero_byte" length extension:
// -1 if the input ends first.
static int64_t ext_len(struct lzo_in *in, size_t base)
{
	size_t zeros = 0;

	while (in->pos < in->len && in->p[in->pos] == 0) {
		in->pos++;
		zeros++;
	}
	if (in->pos >= in->len)
		return -1;
	// At most in->len zero bytes: no overflow.
	return (int64_t)(base + zeros * 255 + in->p[in->pos++]);
}

static int copy_literals(struct lzo_in *in, uint8_t *out, size_t out_len,
			 size_t *op, size_t n)
{
	if (n > in->len - in->pos || n > out_len - *op)
		return -1;
	memcpy(out + *op, in->p + in->pos, n);
	in->pos += n;
	*op += n;
	return 0;
}

// Copy @p len bytes from @p dist before @p dst to @p dst: a match may
// overlap what it produces (dist < len repeats a pattern), so chunks are
// never longer than the distance.
static inline void copy_match(uint8_t *dst, size_t dist, size_t len)
{
	const uint8_t *src = dst - dist;

	if (dist >= len) {
		memcpy(dst, src, len);
		return;
	}
	if (dist >= 8) {
		while (len >= 8) {
			memcpy(dst, src, 8);
			dst += 8;
			src += 8;
			len -= 8;
		}
	}
	while (len--)
		*dst++ = *src++;
}

int lzo1x_decode_prefix(const uint8_t *data, size_t in_len, uint8_t *out,
			size_t out_len, size_t want, size_t *produced_ret)
{
	struct lzo_in in = { .p = data, .len = in_len };
	size_t op = 0;
	// Literals the last instruction copied after itself: 0..3, or 4 for
	// "4 or more" (which changes what a next opcode 0..15 means).
	unsigned int state = 0;

	if (!in_len)
		return -1;
	if (want > out_len)
		want = out_len;
	// First byte 18..255: a literal run of byte - 17.
	if (data[0] > 17) {
		size_t t = (size_t)data[0] - 17;

		in.pos = 1;
		if (copy_literals(&in, out, out_len, &op, t))
			return -1;
		state = t < 4 ? (unsigned int)t : 4;
	}
	while (op < want) {
		size_t len, dist;
		unsigned int insn, next;

		if (in.pos >= in.len)
			return -1;
		insn = in.p[in.pos++];
		if (insn < 16) {
			if (state == 0) {
				// 0000LLLL: a long literal run.
				int64_t l = insn ? (int64_t)insn + 3 :
						   ext_len(&in, 3 + 15);

				if (l < 0 || copy_literals(&in, out, out_len, &op,
							   (size_t)l))
					return -1;
				state = 4;
				continue;
			}
			// 0000DDSS + H: 2 bytes within 1 KiB after 1..3
			// literals, 3 bytes at 2..3 KiB after 4 or more.
			if (in.pos >= in.len)
				return -1;
			dist = ((size_t)in.p[in.pos++] << 2) + ((insn >> 2) & 3);
			if (state == 4) {
				len = 3;
				dist += 2049;
			} else {
				len = 2;
				dist += 1;
			}
			next = insn & 3;
		} else if (insn < 64) {
			// 0001HLLL (16..48 KiB away, or the end) and 001LLLLL
			// (within 16 KiB), each followed by an LE16 DDDDDDDD
			// DDDDDDSS.
			size_t d16;
			int64_t l;

			if (insn < 32)
				l = insn & 7 ? (int64_t)(insn & 7) + 2 :
					       ext_len(&in, 2 + 7);
			else
				l = insn & 31 ? (int64_t)(insn & 31) + 2 :
						ext_len(&in, 2 + 31);
			if (l < 0 || in.len - in.pos < 2)
				return -1;
			d16 = in.p[in.pos] | (size_t)in.p[in.pos + 1] << 8;
			in.pos += 2;
			len = (size_t)l;
			next = d16 & 3;
			if (insn < 32) {
				dist = 16384 + ((size_t)(insn & 8) << 11) +
				       (d16 >> 2);
				if (dist == 16384)
					break; // end of the stream
			} else {
				dist = (d16 >> 2) + 1;
			}
		} else {
			// 01LDDDSS + H (3-4 bytes) and 1LLDDDSS + H (5-8
			// bytes), within 2 KiB.
			if (in.pos >= in.len)
				return -1;
			len = insn < 128 ? 3 + ((insn >> 5) & 1) :
					   5 + ((insn >> 5) & 3);
			dist = ((size_t)in.p[in.pos++] << 3) +
			       ((insn >> 2) & 7) + 1;
			next = insn & 3;
		}
		if (dist > op || len > out_len - op)
			return -1;
		// Most matches are short and near: one fixed-size copy, which
		// may write a few bytes past the match, inside the page; they
		// are rewritten before anything counts them as produced.
		if (len <= 8 && dist >= 8 && out_len - op >= 8)
			memcpy(out + op, out + op - dist, 8);
		else
			copy_match(out + op, dist, len);
		op += len;
		// The same for the 0..3 literals after a match.
		if (in.len - in.pos >= 4 && out_len - op >= 4) {
			memcpy(out + op, in.p + in.pos, 4);
			in.pos += next;
			op += next;
		} else if (copy_literals(&in, out, out_len, &op, next)) {
			return -1;
		}
		state = next;
	}
	*produced_ret = op;
	return 0;
}
