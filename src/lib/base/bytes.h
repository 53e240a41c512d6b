// Endian-aware loads from byte buffers (dumps may come from either order).
#ifndef VMT_BASE_BYTES_H
#define VMT_BASE_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t load_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t load_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t load_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)load_le32(b) | (uint64_t)load_le32(b + 4) << 32;
}

static inline uint32_t load_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[0] << 24;
}

static inline uint64_t load_be64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)load_be32(b) << 32 | (uint64_t)load_be32(b + 4);
}

static inline uint16_t load_be16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[1] | b[0] << 8);
}

static inline uint16_t load16(const void *p, int big_endian)
{
	return big_endian ? load_be16(p) : load_le16(p);
}

static inline uint32_t load32(const void *p, int big_endian)
{
	return big_endian ? load_be32(p) : load_le32(p);
}

static inline uint64_t load64(const void *p, int big_endian)
{
	return big_endian ? load_be64(p) : load_le64(p);
}

#endif
