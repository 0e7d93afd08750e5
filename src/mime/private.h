/* private.h - declarations shared between the files of the MIME layer (not a contract). */
#ifndef TMAIL_MIME_PRIVATE_H
#define TMAIL_MIME_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tmail/buf.h"
#include "tmail/mime.h"
#include "tmail/status.h"

/* The charset assumed for unlabelled or mislabelled 8-bit text. */
#define MIME_FALLBACK_CHARSET "WINDOWS-1252"

/* ---- charset.c ---- */

bool mime_utf8_valid(const char *s, size_t len);

/* The length of the run of ASCII bytes that s[0..len) starts with, read 8 bytes at a time: most
 * header text is ASCII, and what it holds mime_utf8_valid need not look at. */
static inline size_t mime_ascii_prefix(const char *s, size_t len)
{
    size_t i = 0;
    for (uint64_t w; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080u)
            break;
    }
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

/* Appends s[0..len) to out as UTF-8, each invalid byte replaced by U+FFFD. */
enum tm_status mime_utf8_sanitize(struct tm_buf *out, const char *s, size_t len);

/* Converts in[0..len) from the charset named charset[0..charset_len) (a MIME label: aliases,
 * an RFC 2231 "*language" suffix and junk names are handled) to UTF-8 appended to out. Unknown
 * charsets use fallback (NULL: MIME_FALLBACK_CHARSET). Invalid input sequences become U+FFFD;
 * only TM_ENOMEM and TM_ELIMIT (out's cap) are errors. */
enum tm_status mime_charset_convert(struct tm_buf *out, const char *charset, size_t charset_len,
                                    const char *in, size_t len, const char *fallback);

/* ---- decode.c ---- */

enum mime_cte {
    MIME_CTE_7BIT,
    MIME_CTE_8BIT,
    MIME_CTE_BINARY,
    MIME_CTE_QP,
    MIME_CTE_BASE64,
    MIME_CTE_UUENCODE, /* x-uuencode and its aliases: not in RFC 2045, but common */
    MIME_CTE_UNKNOWN,  /* passed through undecoded */
};

/* Content-Transfer-Encoding value (may be NULL: 7bit) to its enum. */
enum mime_cte mime_cte_parse(const char *value);

/* Base64 decoding that skips characters outside the alphabet and tolerates missing padding. */
enum tm_status mime_base64_decode(struct tm_buf *out, const char *in, size_t len);

/* Quoted-printable body decoding (RFC 2045 6.7), lenient: see doc/VIOLATIONS.md. */
enum tm_status mime_qp_decode(struct tm_buf *out, const char *in, size_t len);

/* Transfer-decodes in[0..len) per cte, appending to out. */
enum tm_status mime_transfer_decode(struct tm_buf *out, enum mime_cte cte, const char *in,
                                    size_t len);

/* The decoded size of in[0..len) under cte, computed without decoding into memory (exact for
 * base64 and pass-through, an upper bound for quoted-printable). */
size_t mime_decoded_size(enum mime_cte cte, const char *in, size_t len);

/* ---- header.c ---- */

/* Unfolds value[0..len) (each WSP* line-break WSP* becomes one space, NUL bytes dropped) and
 * trims it; malloc'd, NULL on allocation failure. */
char *mime_header_unfold(const char *value, size_t len);
/* The same into out, which has room for len + 1 bytes; returns the unfolded length. */
size_t mime_header_unfold_to(char *out, const char *value, size_t len);

/* Finds the first field called name in the header msg[0..hdr_len); false when absent. */
bool mime_header_find(const char *msg, size_t hdr_len, const char *name, struct tm_header_field *f);

/* A parsed structured header value such as Content-Type or Content-Disposition (RFC 2045,
 * RFC 2183, RFC 2231). */
#define MIME_PARAM_MAX 32
struct mime_param {
    char *name;  /* lower case, including any "*N" / "*" RFC 2231 suffix */
    char *value; /* unquoted, still RFC 2231-encoded when name ends in '*' */
};
struct mime_ctype {
    char type[64];     /* lower case; "text" when the value is missing or broken */
    char subtype[128]; /* lower case */
    struct mime_param params[MIME_PARAM_MAX];
    size_t nparams;
};

/* Parses a Content-Type value (may be NULL); defaults to deftype/defsub when absent or unusable.
 * Also parses Content-Disposition, whose disposition type lands in type with an empty subtype. */
enum tm_status mime_ctype_parse(const char *value, const char *deftype, const char *defsub,
                                struct mime_ctype *ct);
void mime_ctype_cleanup(struct mime_ctype *ct);

/* The raw value of parameter name (lower case), or NULL: for boundary and charset, which are
 * used as given. Borrowed from ct. */
const char *mime_ctype_raw(const struct mime_ctype *ct, const char *name);

/* A parameter's value with RFC 2231 continuations and charsets (and, leniently, RFC 2047
 * words) decoded to malloc'd UTF-8; *value = NULL when absent. */
enum tm_status mime_ctype_param(const struct mime_ctype *ct, const char *name, char **value);
/* The same with the charset assumed for raw 8-bit bytes (NULL: MIME_FALLBACK_CHARSET; "UTF-8"
 * turns invalid bytes into U+FFFD). */
enum tm_status mime_ctype_param_fb(const struct mime_ctype *ct, const char *name,
                                   const char *fallback, char **value);

/* The filename of part p (Content-Disposition filename, else Content-Type name) decoded again
 * with fallback for raw 8-bit bytes; *out malloc'd or NULL. For --dump-mime's U+FFFD rule. */
enum tm_status mime_part_filename(const struct tm_mime_part *p, const char *fallback, char **out);

/* ---- rfc2047.c ---- */

/* tm_mime_decode_header_text appending to out, for text[0..len). */
enum tm_status mime_decode_header(struct tm_buf *out, const char *text, size_t len,
                                  const char *fallback);
/* What tm_mime_decode_header_text makes of text[0..len) (no NUL inside), without its copy:
 * *decoded is text itself when decoding would not change it, else scratch's data (scratch is
 * reset and its limit set); valid while both are. TM_ENOMEM is the only error. */
enum tm_status mime_decode_header_view(const char *text, size_t len, const char *fallback,
                                       struct tm_buf *scratch, const char **decoded,
                                       size_t *decoded_len);

/* ---- address.c ---- */

enum mime_addr_kind {
    MIME_ADDR_MAILBOX,
    MIME_ADDR_GROUP_START, /* name = the group's display name */
    MIME_ADDR_GROUP_END,
};
struct mime_addr {
    enum mime_addr_kind kind;
    char *name; /* decoded display name, or NULL */
    char *addr; /* addr-spec, or NULL */
};
#define MIME_ADDR_MAX 1000 /* entries kept from one header; the rest are dropped */
struct mime_addr_list {
    struct mime_addr *items;
    size_t count, cap;
};

/* Parses an address-list header value (unfolded, may be NULL) into list (initialised here). */
enum tm_status mime_addr_list_parse(const char *value, struct mime_addr_list *list);
void mime_addr_list_cleanup(struct mime_addr_list *list);

/* "Name <addr>, addr2, Group: Name3 <addr3>;" for display; malloc'd into *out (NULL when the
 * value holds no address). */
enum tm_status mime_addr_display(const char *value, char **out);
/* The same three with the charset for raw 8-bit display names (NULL: the default). */
enum tm_status mime_addr_list_parse_fb(const char *value, const char *fallback,
                                       struct mime_addr_list *list);
enum tm_status mime_addr_display_fb(const char *value, const char *fallback, char **out);
enum tm_status mime_first_address_fb(const char *value, const char *fallback, char **name,
                                     char **addr);

/* ---- html_text.c ---- */

/* Converts UTF-8 HTML to plain text appended to out: see html_text.c. */
enum tm_status mime_html_to_text(struct tm_buf *out, const char *html, size_t len);

/* The charset named by a <meta> tag in the first bytes of html, as a malloc'd string, or NULL. */
char *mime_html_sniff_charset(const char *html, size_t len);

#endif
