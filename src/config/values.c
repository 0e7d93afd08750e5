/* values.c - typed setting values: bool, number with range, string, path, enum, URL (imap,
 * imaps, pop, pops, smtp, smtps, Maildir path), address and regex, each checked when set. */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/regex.h"
#include "tmail/str.h"

static bool fail(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return false;
}

static bool parse_bool(const char *t, bool *out)
{
    static const char *const yes[] = {"yes", "on", "true", "1"};
    static const char *const no[] = {"no", "off", "false", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0)
            return *out = true, true;
        if (strcasecmp(t, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

static bool set_enum(const struct tm_setting_info *s, int *dst, const char *t, char *msg,
                     size_t size)
{
    size_t n = 0;
    for (; s->values[n]; n++) {
        if (strcasecmp(t, s->values[n]) == 0)
            return *dst = (int)n, true;
    }
    const char *hint = cfg_did_you_mean(t, s->values, n, sizeof(char *));
    char list[256] = "";
    for (size_t i = 0, used = 0; i < n && used < sizeof(list); i++)
        used +=
            (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", s->values[i]);
    if (hint)
        return fail(msg, size, _("bad value \"%s\" for %s (did you mean \"%s\"?)"), t, s->name,
                    hint);
    return fail(msg, size, _("bad value \"%s\" for %s (one of: %s)"), t, s->name, list);
}

static bool set_number(const struct tm_setting_info *s, long *dst, const char *t, char *msg,
                       size_t size)
{
    int64_t v;
    if (!tm_str_to_i64(t, &v))
        return fail(msg, size, _("%s needs a number, not \"%s\""), s->name, t);
    if (v < s->min || v > s->max)
        return fail(msg, size, _("%s must be between %ld and %ld, not %s"), s->name, s->min, s->max,
                    t);
    *dst = (long)v;
    return true;
}

/* A size: digits with an optional K, M or G (powers of 1024), e.g. "256K". */
static bool set_size(const struct tm_setting_info *s, long *dst, const char *t, char *msg,
                     size_t size)
{
    char digits[32];
    size_t n = strlen(t), shift = 0;
    const char *units = "KMG";
    const char *unit = n > 0 ? strchr(units, toupper((unsigned char)t[n - 1])) : NULL;
    if (unit && *unit) {
        shift = 10 * (size_t)(unit - units + 1);
        n--;
    }
    int64_t v;
    if (n == 0 || n >= sizeof(digits))
        return fail(msg, size, _("%s needs a size such as 256K, not \"%s\""), s->name, t);
    memcpy(digits, t, n);
    digits[n] = 0;
    if (!tm_str_to_i64(digits, &v) || v < 0 || v > (INT64_MAX >> shift))
        return fail(msg, size, _("%s needs a size such as 256K, not \"%s\""), s->name, t);
    v <<= shift;
    if (v < s->min || v > s->max)
        return fail(msg, size, _("%s must be between %ld and %ld bytes, not %s"), s->name, s->min,
                    s->max, t);
    *dst = (long)v;
    return true;
}

bool cfg_regex_check(const char *text, char *msg, size_t size)
{
    regex_t re;
    struct tm_error err;
    if (tm_regex_compile(&re, text, REG_NOSUB, &err) != TM_OK)
        return fail(msg, size, "%s", err.message);
    regfree(&re);
    return true;
}

static bool addr_spec_ok(const char *a, size_t len)
{
    const char *at = memchr(a, '@', len);
    if (!at || at == a || at == a + len - 1 || memchr(at + 1, '@', len - (size_t)(at - a) - 1))
        return false;
    for (const char *p = a; p < a + len; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 127 || strchr("<>()[],;:\"\\", c))
            return false;
    }
    return at[1] != '.' && a[len - 1] != '.';
}

/* "user@host", "Name <user@host>" or "\"Name, Q.\" <user@host>". */
static bool address_ok(const char *t)
{
    const char *lt = strrchr(t, '<');
    if (!lt)
        return addr_spec_ok(t, strlen(t));
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1] != 0)
        return false;
    for (const char *p = t; p < lt; p++) {
        if (*p == '<' || *p == '>' || (unsigned char)*p < ' ')
            return false;
    }
    return addr_spec_ok(lt + 1, (size_t)(gt - lt - 1));
}

static bool fingerprint_ok(const char *t)
{
    size_t digits = 0;
    if (strncasecmp(t, "sha256:", 7) == 0)
        t += 7;
    for (; *t; t++) {
        if (isxdigit((unsigned char)*t))
            digits++;
        else if (*t != ':')
            return false;
    }
    return digits == 64;
}

static bool set_string(const struct tm_setting_info *s, char **dst, const char *t, char *msg,
                       size_t size)
{
    if (*t && s->type == TM_SET_REGEX && !cfg_regex_check(t, msg, size))
        return false;
    if (*t && s->type == TM_SET_ADDRESS && !address_ok(t))
        return fail(msg, size,
                    _("bad address \"%s\" for %s (expected user@example.org or "
                      "\"Name <user@example.org>\")"),
                    t, s->name);
    if (*t && s->scope == TM_SCOPE_ACCOUNT &&
        s->offset == offsetof(struct tm_account, tls_fingerprint) && !fingerprint_ok(t))
        return fail(msg, size, _("bad tls_fingerprint \"%s\" (expected sha256: and 64 hex digits)"),
                    t);
    if (*t && s->type == TM_SET_URL) {
        struct tm_url u;
        if (!cfg_url_parse(t, s->url_schemes, &u, msg, size))
            return false;
        cfg_url_cleanup(&u);
    }
    char *copy = NULL;
    if (*t && !(copy = strdup(t)))
        return fail(msg, size, _("out of memory"));
    free(*dst);
    *dst = copy;
    return true;
}

bool cfg_value_set(const struct tm_setting_info *s, void *dst, const char *text, char *msg,
                   size_t size)
{
    bool b;
    switch (s->type) {
    case TM_SET_BOOL:
        if (!parse_bool(text, &b))
            return fail(msg, size, _("%s needs yes or no, not \"%s\""), s->name, text);
        *(bool *)dst = b;
        return true;
    case TM_SET_NUMBER:
        return set_number(s, dst, text, msg, size);
    case TM_SET_SIZE:
        return set_size(s, dst, text, msg, size);
    case TM_SET_ENUM:
        return set_enum(s, dst, text, msg, size);
    default:
        return set_string(s, dst, text, msg, size);
    }
}

void cfg_value_free(const struct tm_setting_info *s, void *dst)
{
    if (s->type != TM_SET_BOOL && s->type != TM_SET_NUMBER && s->type != TM_SET_ENUM &&
        s->type != TM_SET_SIZE) {
        free(*(char **)dst);
        *(char **)dst = NULL;
    }
}

void cfg_value_unset(const struct tm_setting_info *s, void *dst)
{
    char msg[128];
    if (s->type == TM_SET_BOOL)
        *(bool *)dst = false;
    else if (s->type == TM_SET_NUMBER || s->type == TM_SET_ENUM || s->type == TM_SET_SIZE)
        cfg_value_set(s, dst, s->def, msg, sizeof(msg));
    else
        cfg_value_free(s, dst);
}

bool cfg_value_copy(const struct tm_setting_info *s, void *dst, const void *src)
{
    switch (s->type) {
    case TM_SET_BOOL:
        *(bool *)dst = *(const bool *)src;
        return true;
    case TM_SET_NUMBER:
    case TM_SET_SIZE:
        *(long *)dst = *(const long *)src;
        return true;
    case TM_SET_ENUM:
        *(int *)dst = *(const int *)src;
        return true;
    default: {
        const char *from = *(char *const *)src;
        char *copy = from ? strdup(from) : NULL;
        if (from && !copy)
            return false;
        free(*(char **)dst);
        *(char **)dst = copy;
        return true;
    }
    }
}
