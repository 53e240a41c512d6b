// The variable-length record buffer log_buf, from Linux kernel commit
// 7ff9554bb578 ("printk: convert byte-buffer to variable-length record
// buffer") (in v3.5) until the lockless ring replaced it in v5.10. Facts
// used (kernel/printk/printk.c of 4.x/5.4):
// - struct printk_log { u64 ts_nsec; u16 len, text_len, dict_len;
//   u8 facility; u8 flags:5, level:3; u32 caller_id (5.1+, with
//   CONFIG_PRINTK_CALLER) }, then text_len bytes of text, dict_len bytes
//   of dictionary ("KEY=value" strings separated by NULs), padding to len;
// - records run from log_first_idx to log_next_idx; a header whose len is
//   0 marks the end of the used buffer: the next record is at index 0
//   (log_next(), log_from_idx()).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/printk_parse.h"

// Text and dictionary are u16-sized each.
#define MAX_RECORD (3 * 65536)

static uint64_t load_n(const uint8_t *p, unsigned int n)
{
	return n == 2 ? load_le16(p) : n == 4 ? load_le32(p) : load_le64(p);
}

// The value of KEY= in a dictionary, or NULL.
static const char *dict_value(const char *dict, size_t len, const char *key,
			      size_t *len_ret)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < len;) {
		const char *s = dict + i;
		size_t n = strnlen(s, len - i);

		if (n > klen && !memcmp(s, key, klen) && s[klen] == '=') {
			*len_ret = n - klen - 1;
			return s + klen + 1;
		}
		i += n + 1;
	}
	*len_ret = 0;
	return NULL;
}

static struct vmt_error *add_record(struct printk_result *res,
				    const struct printk_log_layout *l,
				    const uint8_t *hdr, uint64_t seq,
				    const uint8_t *body, unsigned int text_len,
				    unsigned int dict_len)
{
	const char *dict = (const char *)body + text_len;
	struct vmt_log_record rec = { 0 };
	size_t sub_len, dev_len;
	const char *sub, *dev;

	rec.seq = seq;
	rec.ts_nsec = load_le64(hdr + l->ts_nsec);
	rec.facility = hdr[l->facility];
	rec.flags = printk_bits(hdr[l->flags_level], l->flags_shift,
				l->flags_bits);
	rec.level = printk_bits(hdr[l->flags_level], l->level_shift,
				l->level_bits);
	rec.has_caller_id = l->has_caller_id;
	if (l->has_caller_id)
		rec.caller_id = load_le32(hdr + l->caller_id);
	sub = dict_value(dict, dict_len, "SUBSYSTEM", &sub_len);
	dev = dict_value(dict, dict_len, "DEVICE", &dev_len);
	return printk_result_add(res, &rec, (const char *)body, text_len, sub,
				 sub_len, dev, dev_len);
}

struct vmt_error *printk_log_buf_parse(const struct printk_log_layout *l,
				       kread_fn *read, void *arg,
				       const struct printk_log_buf *lb,
				       struct printk_result *ret)
{
	struct printk_result res = { 0 };
	struct kwindow w;
	uint8_t hdr[64], *body;
	uint64_t idx = lb->first_idx, seq = lb->first_seq, steps = 0, limit;
	bool wrapped = false;
	struct vmt_error *err;

	if (l->hdr_size < 12 || l->hdr_size > sizeof(hdr) ||
	    l->ts_nsec + 8 > l->hdr_size || l->len + 2 > l->hdr_size ||
	    l->text_len + 2 > l->hdr_size || l->dict_len + 2 > l->hdr_size ||
	    l->facility >= l->hdr_size || l->flags_level >= l->hdr_size ||
	    (l->has_caller_id && l->caller_id + 4 > l->hdr_size) ||
	    l->flags_shift + l->flags_bits > 8 ||
	    l->level_shift + l->level_bits > 8)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"printk_log layout: a member lies outside its %"
					PRIu64 "-byte header", l->hdr_size);
	if (!lb->buf || lb->first_idx >= lb->buf_len ||
	    lb->next_idx >= lb->buf_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"log_buf %#" PRIx64 " of %u bytes: log_first_idx %u or log_next_idx %u outside it",
					lb->buf, lb->buf_len, lb->first_idx,
					lb->next_idx);
	body = malloc(MAX_RECORD);
	if (!body)
		return &vmt_enomem;
	err = kwindow_init(&w, read, arg, lb->buf, lb->buf + lb->buf_len);
	if (err) {
		free(body);
		return err;
	}
	// Each record takes at least a header: more steps than that means
	// the lens loop.
	limit = lb->buf_len / l->hdr_size + 2;
	while (idx != lb->next_idx) {
		unsigned int len, text_len, dict_len;
		bool last_part;

		if (++steps > limit) {
			printk_result_damage(&res, "log_buf: more than %" PRIu64
					     " records from log_first_idx %u without reaching log_next_idx %u (a cycle)",
					     limit, lb->first_idx,
					     lb->next_idx);
			break;
		}
		if (idx + l->hdr_size > lb->buf_len) {
			printk_result_damage(&res, "log_buf: record header at index %"
					     PRIu64 " runs past the %u-byte buffer",
					     idx, lb->buf_len);
			break;
		}
		err = kwindow_read(&w, lb->buf + idx, hdr, l->hdr_size);
		if (err) {
			printk_result_damage(&res, "log_buf: header at index %" PRIu64
					     " unreadable: %s", idx,
					     err->message);
			vmt_error_destroy(err);
			err = NULL;
			break;
		}
		len = (unsigned int)load_n(hdr + l->len, 2);
		if (!len) {
			// The end of the used part: continue at index 0, once.
			if (wrapped || idx < lb->next_idx) {
				printk_result_damage(&res, "log_buf: a second wrap marker at index %"
						     PRIu64, idx);
				break;
			}
			wrapped = true;
			idx = 0;
			continue;
		}
		text_len = (unsigned int)load_n(hdr + l->text_len, 2);
		dict_len = (unsigned int)load_n(hdr + l->dict_len, 2);
		// In the part that ends at log_next_idx no record crosses it.
		last_part = wrapped || lb->first_idx < lb->next_idx;
		if (len < l->hdr_size + text_len + dict_len ||
		    idx + len > lb->buf_len ||
		    (last_part && idx + len > lb->next_idx)) {
			printk_result_damage(&res, "log_buf: record %" PRIu64
					     " at index %" PRIu64
					     ": len %u does not hold its header, text_len %u and dict_len %u inside the %u-byte buffer",
					     seq, idx, len, text_len,
					     dict_len, lb->buf_len);
			break;
		}
		err = kwindow_read(&w, lb->buf + idx + l->hdr_size, body,
				   text_len + dict_len);
		if (err) {
			printk_result_damage(&res, "log_buf: record %" PRIu64
					     " at index %" PRIu64
					     " unreadable: %s", seq, idx,
					     err->message);
			vmt_error_destroy(err);
			err = NULL;
			break;
		}
		err = add_record(&res, l, hdr, seq, body, text_len, dict_len);
		if (err)
			break;
		idx += len;
		seq++;
	}
	kwindow_deinit(&w);
	free(body);
	if (err) {
		printk_result_deinit(&res);
		return err;
	}
	*ret = res;
	return NULL;
}
