/* smtp_ehlo.c - the EHLO exchange's pure parts (RFC 5321 4.1.1.1, 4.1.3): the service
 * extensions of an EHLO reply (STARTTLS RFC 3207, AUTH RFC 4954, SIZE RFC 1870, 8BITMIME
 * RFC 6152, SMTPUTF8 RFC 6531, PIPELINING RFC 2920, ENHANCEDSTATUSCODES RFC 2034) and the
 * name the client greets with. No I/O. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

struct keyword {
    const char *name;
    unsigned bit;
};

static const struct keyword extensions[] = {
    {"STARTTLS", TM_SMTP_EXT_STARTTLS},
    {"AUTH", TM_SMTP_EXT_AUTH},
    {"SIZE", TM_SMTP_EXT_SIZE},
    {"8BITMIME", TM_SMTP_EXT_8BITMIME},
    {"SMTPUTF8", TM_SMTP_EXT_SMTPUTF8},
    {"PIPELINING", TM_SMTP_EXT_PIPELINING},
    {"ENHANCEDSTATUSCODES", TM_SMTP_EXT_ENHANCEDSTATUSCODES},
};

static const struct keyword mechanisms[] = {
    {"PLAIN", TM_SMTP_AUTH_PLAIN},
    {"LOGIN", TM_SMTP_AUTH_LOGIN},
    {"XOAUTH2", TM_SMTP_AUTH_XOAUTH2},
    {"OAUTHBEARER", TM_SMTP_AUTH_OAUTHBEARER},
    {"SCRAM-SHA-256", TM_SMTP_AUTH_SCRAM_SHA_256},
};

/* The bit of the keyword word[0..len) in table (case-insensitive), 0 for an unknown one. */
static unsigned lookup(const struct keyword *table, size_t n, const char *word, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(table[i].name) == len && strncasecmp(table[i].name, word, len) == 0)
            return table[i].bit;
    return 0;
}

/* Moves *p past blanks and returns the length of the word there (up to a blank, '=' when
 * stop_at_eq, or end). */
static size_t next_word(const char **p, const char *end, bool stop_at_eq)
{
    while (*p < end && **p == ' ')
        (*p)++;
    const char *w = *p;
    while (w < end && *w != ' ' && !(stop_at_eq && *w == '='))
        w++;
    return (size_t)(w - *p);
}

/* The mechanisms listed in p[0..end). */
static unsigned auth_mechanisms(const char *p, const char *end)
{
    unsigned bits = 0;
    for (size_t n; (n = next_word(&p, end, false)) > 0; p += n)
        bits |= lookup(mechanisms, sizeof(mechanisms) / sizeof(mechanisms[0]), p, n);
    return bits;
}

/* SIZE's optional number (RFC 1870 4): anything else, or a number too large to hold, is no
 * limit. */
static size_t size_limit(const char *p, const char *end)
{
    char digits[24];
    size_t n = next_word(&p, end, false);
    int64_t v = 0;
    if (n == 0 || n >= sizeof(digits))
        return 0;
    memcpy(digits, p, n);
    digits[n] = 0;
    if (digits[0] < '0' || digits[0] > '9' || !tm_str_to_i64(digits, &v) || v < 0 ||
        (uint64_t)v > SIZE_MAX)
        return 0;
    return (size_t)v;
}

/* One extension line: "KEYWORD params", or the obsolete "AUTH=mech mech". */
static void parse_line(const char *p, const char *end, struct tm_smtp_caps *caps)
{
    size_t n = next_word(&p, end, true);
    bool eq = p + n < end && p[n] == '=';
    unsigned bit = lookup(extensions, sizeof(extensions) / sizeof(extensions[0]), p, n);
    const char *params = p + n + (eq ? 1 : 0);
    if (eq && bit != TM_SMTP_EXT_AUTH)
        return; /* "SIZE=..." and the like are no keywords we know */
    caps->ext |= bit;
    if (bit == TM_SMTP_EXT_AUTH)
        caps->auth |= auth_mechanisms(params, end);
    else if (bit == TM_SMTP_EXT_SIZE)
        caps->size_limit = size_limit(params, end);
}

enum tm_status tm_smtp_parse_ehlo(const struct tm_smtp_reply *r, struct tm_smtp_caps *caps,
                                  struct tm_error *err)
{
    memset(caps, 0, sizeof(*caps));
    if (!r->complete || r->code != 250)
        return tm_error_set(err, TM_EPROTO,
                            _("the SMTP server's EHLO reply is not a complete 250 reply"));
    const char *p = r->text.data ? r->text.data : "";
    const char *end = p + r->text.len;
    const char *nl = memchr(p, '\n', (size_t)(end - p)); /* the first line is the greeting */
    for (p = nl ? nl + 1 : end; p < end;) {
        nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        parse_line(p, line_end, caps);
        p = nl ? nl + 1 : end;
    }
    return TM_OK;
}

/* Whether name is a domain with a dot: letters, digits, '-' and dots between labels. */
static bool is_dotted_domain(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 253 || !strchr(name, '.') || name[0] == '.' || name[len - 1] == '.' ||
        strstr(name, ".."))
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '.'))
            return false;
    return true;
}

enum tm_status smtp_ehlo_name(const char *configured, const char *fqdn, const char *local_addr,
                              char *out, size_t size, struct tm_error *err)
{
    int n = -1;
    if (size)
        out[0] = 0;
    if (configured && configured[0]) {
        for (const unsigned char *c = (const unsigned char *)configured; *c; c++)
            if (*c <= ' ' || *c == 0x7f)
                return tm_error_set(err, TM_ECONFIG,
                                    _("the EHLO name must be one word without control "
                                      "characters"));
        n = snprintf(out, size, "%s", configured);
    } else if (fqdn && is_dotted_domain(fqdn)) {
        n = snprintf(out, size, "%s", fqdn);
    } else if (local_addr && local_addr[0]) {
        n = snprintf(out, size, strchr(local_addr, ':') ? "[IPv6:%s]" : "[%s]", local_addr);
    } else {
        return tm_error_set(err, TM_ENOTSUP,
                            _("no name to greet the SMTP server with: the host name has no "
                              "dot and the local address is unknown"));
    }
    if (n < 0 || (size_t)n >= size) {
        if (size)
            out[0] = 0;
        return tm_error_set(err, TM_ELIMIT, _("the EHLO name is too long"));
    }
    return TM_OK;
}
