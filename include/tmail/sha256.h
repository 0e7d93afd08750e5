/* sha256.h - SHA-256 (FIPS 180-4) for content fingerprints such as --dump-mime's part hashes; not
 * for security decisions (TLS and signatures use OpenSSL in net/). */
#ifndef TMAIL_SHA256_H
#define TMAIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define TM_SHA256_LEN 32

struct tm_sha256 {
    uint32_t state[8];
    uint64_t bytes; /* message length so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
};

void tm_sha256_init(struct tm_sha256 *c);
void tm_sha256_update(struct tm_sha256 *c, const void *data, size_t len);
/* Writes the digest; c must be initialised again before reuse. */
void tm_sha256_final(struct tm_sha256 *c, unsigned char digest[TM_SHA256_LEN]);

/* The digest of data[0..len) as 64 lower-case hex digits and a NUL in hex[65]. */
void tm_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
