// A log record as text, the way the kernel's syslog and /dev/kmsg readers
// see it (kernel/printk/printk.c: record_print_text(), info_print_prefix(),
// print_syslog(), print_time(), print_caller()).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "vmtool/log.h"

// print_caller(): a caller id with bit 31 set is a CPU number.
#define CALLER_CPU_FLAG 0x80000000u

const char *vmt_log_caller(const struct vmt_log_record *rec, char *buf)
{
	if (!rec->has_caller_id) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, 16, "%c%u",
		 rec->caller_id & CALLER_CPU_FLAG ? 'C' : 'T',
		 rec->caller_id & ~CALLER_CPU_FLAG);
	return buf;
}

// The prefix info_print_prefix() builds, in @p buf.
static void prefix(const struct vmt_log_record *rec,
		   const struct vmt_log_format *fmt, char *buf, size_t size)
{
	size_t len = 0;
	char caller[16];

	buf[0] = '\0';
	if (fmt->level)
		len += snprintf(buf + len, size - len, "<%u>",
				(unsigned int)rec->facility << 3 | rec->level);
	if (fmt->wallclock) {
		// As dmesg -T: ctime()'s format, here in UTC (the dump does
		// not say which time zone the machine used).
		// In whole seconds: a damaged ts_nsec (any u64) added to the
		// boot time in nanoseconds would overflow.
		int64_t boot = fmt->boot_time_nsec;
		int64_t boot_s = boot / 1000000000 -
				 (boot % 1000000000 < 0 ? 1 : 0);
		int64_t boot_ns = boot - boot_s * 1000000000;
		uint64_t ts_s = rec->ts_nsec / 1000000000 +
				((uint64_t)boot_ns + rec->ts_nsec % 1000000000) /
					1000000000;
		time_t t = (time_t)(boot_s + (int64_t)ts_s);
		struct tm tm;

		if (gmtime_r(&t, &tm))
			len += strftime(buf + len, size - len,
					"[%a %b %e %H:%M:%S %Y]", &tm);
	} else if (fmt->time) {
		len += snprintf(buf + len, size - len, "[%5" PRIu64 ".%06" PRIu64 "]",
				rec->ts_nsec / 1000000000,
				rec->ts_nsec % 1000000000 / 1000);
	}
	if (fmt->caller && rec->has_caller_id)
		len += snprintf(buf + len, size - len, "[%6s]",
				vmt_log_caller(rec, caller));
	if (len && len < size - 1 &&
	    (fmt->time || fmt->wallclock || (fmt->caller && rec->has_caller_id))) {
		buf[len++] = ' ';
		buf[len] = '\0';
	}
}

struct vmt_error *vmt_log_format_record(const struct vmt_log_record *rec,
					const struct vmt_log_format *fmt,
					char **ret)
{
	const char *text = rec->text, *end = rec->text + rec->text_len;
	char pre[96];
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	prefix(rec, fmt, pre, sizeof(pre));
	f = open_memstream(&buf, &size);
	if (!f)
		return errno == ENOMEM ? &vmt_enomem :
		       vmt_error_os(errno, NULL, "open_memstream");
	// Every line gets the prefix; a text ending in a newline ends with an
	// empty prefixed line, as record_print_text() makes it.
	for (;;) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);

		fputs(pre, f);
		fwrite(text, 1, n, f);
		fputc('\n', f);
		if (!nl)
			break;
		text = nl + 1;
	}
	if (fmt->dict && rec->subsystem)
		fprintf(f, " SUBSYSTEM=%s\n", rec->subsystem);
	if (fmt->dict && rec->device)
		fprintf(f, " DEVICE=%s\n", rec->device);
	if (fclose(f) || !buf) {
		free(buf);
		return &vmt_enomem;
	}
	*ret = buf;
	return NULL;
}
