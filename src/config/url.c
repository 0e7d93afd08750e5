/* url.c - reading and sending URLs of an account: imap://, imaps://, pop://, pops://, smtp://,
 * smtps:// with [user@]host[:port][/path], or an absolute Maildir path. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

static const struct {
    const char *name;
    enum tm_url_scheme scheme;
    int port;
} schemes[] = {
    {"imap", TM_URL_IMAP, 143}, {"imaps", TM_URL_IMAPS, 993}, {"pop", TM_URL_POP, 110},
    {"pops", TM_URL_POPS, 995}, {"smtp", TM_URL_SMTP, 587},   {"smtps", TM_URL_SMTPS, 465},
};
#define N_SCHEMES (sizeof(schemes) / sizeof(schemes[0]))

void cfg_url_cleanup(struct tm_url *u)
{
    free(u->user);
    free(u->host);
    free(u->path);
    memset(u, 0, sizeof(*u));
}

static void accepted(unsigned mask, char *out, size_t size)
{
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < N_SCHEMES && used < size; i++) {
        if (mask & (1u << schemes[i].scheme))
            used += (size_t)snprintf(out + used, size - used, "%s%s://", used ? ", " : "",
                                     schemes[i].name);
    }
    if ((mask & (1u << TM_URL_MAILDIR)) && used < size)
        snprintf(out + used, size - used, "%sa Maildir path", used ? ", " : "");
}

static bool host_ok(const char *h, size_t len)
{
    if (len == 0)
        return false;
    if (h[0] == '[')
        return h[len - 1] == ']' && len > 2;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '_' && c < 0x80)
            return false;
    }
    return true;
}

/* authority = [user@]host[:port] */
static bool parse_authority(const char *a, size_t len, struct tm_url *u)
{
    const char *at = NULL;
    for (size_t i = 0; i < len; i++)
        if (a[i] == '@')
            at = a + i;
    const char *host = at ? at + 1 : a;
    size_t hlen = len - (size_t)(host - a);
    const char *close = hlen && host[0] == '[' ? memchr(host, ']', hlen) : NULL;
    const char *colon =
        memchr(close ? close : host, ':', hlen - (size_t)((close ? close : host) - host));
    if (colon) {
        char port[8];
        size_t plen = hlen - (size_t)(colon + 1 - host);
        int64_t v;
        if (plen == 0 || plen >= sizeof(port))
            return false;
        memcpy(port, colon + 1, plen);
        port[plen] = 0;
        if (!tm_str_to_i64(port, &v) || v < 1 || v > 65535)
            return false;
        u->port = (int)v;
        hlen = (size_t)(colon - host);
    }
    if (!host_ok(host, hlen))
        return false;
    if (at && at == a)
        return false;
    u->user = at ? tm_strndup(a, (size_t)(at - a)) : NULL;
    u->host = tm_strndup(host, hlen);
    return u->host && (!at || u->user);
}

static bool parse_path_url(const char *text, unsigned mask, struct tm_url *u, char *msg,
                           size_t size, const char *want)
{
    if (!(mask & (1u << TM_URL_MAILDIR)) || strstr(text, "://")) {
        snprintf(msg, size, _("bad URL \"%s\" (expected %s)"), text, want);
        return false;
    }
    if (text[0] != '/') {
        snprintf(msg, size, _("Maildir path \"%s\" must be absolute (or start with ~)"), text);
        return false;
    }
    u->scheme = TM_URL_MAILDIR;
    u->path = strdup(text);
    return u->path != NULL;
}

bool cfg_url_parse(const char *text, unsigned mask, struct tm_url *u, char *msg, size_t size)
{
    char want[160];
    accepted(mask, want, sizeof(want));
    memset(u, 0, sizeof(*u));
    const char *sep = strstr(text, "://");
    size_t i = 0;
    for (; sep && i < N_SCHEMES; i++) {
        size_t n = strlen(schemes[i].name);
        if ((size_t)(sep - text) == n && strncasecmp(text, schemes[i].name, n) == 0)
            break;
    }
    if (!sep || i == N_SCHEMES)
        return parse_path_url(text, mask, u, msg, size, want);
    if (!(mask & (1u << schemes[i].scheme))) {
        snprintf(msg, size, _("%s:// URL \"%s\" not allowed here (expected %s)"), schemes[i].name,
                 text, want);
        return false;
    }
    const char *auth = sep + 3;
    const char *slash = strchr(auth, '/');
    size_t alen = slash ? (size_t)(slash - auth) : strlen(auth);
    u->scheme = schemes[i].scheme;
    u->port = schemes[i].port;
    if (!parse_authority(auth, alen, u) || (slash && slash[1] && !(u->path = strdup(slash + 1)))) {
        cfg_url_cleanup(u);
        snprintf(msg, size, _("bad URL \"%s\" (expected %s://[user@]host[:port][/path])"), text,
                 schemes[i].name);
        return false;
    }
    return true;
}
