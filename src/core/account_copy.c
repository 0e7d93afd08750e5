/* account_copy.c - a worker's private copy of the account settings its backends read (reading and
 * sending), so that a
 * configuration reloaded on the UI thread never changes (or frees) them under a running session.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/config.h"
#include "tmail/i18n.h"

static bool copy_str(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return !src || *dst;
}

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void core_account_free(struct tm_account *a)
{
    if (!a)
        return;
    free(a->name);
    free(a->read_url);
    free(a->read.user);
    free(a->read.host);
    free(a->read.path);
    free(a->smtp_url);
    free(a->send.user);
    free(a->send.host);
    free(a->send.path);
    free(a->from);
    free(a->realname);
    free(a->signature);
    free(a->sent);
    free(a->drafts);
    free(a->password_cmd);
    wipe_free(a->password);
    free(a->oauth_token_cmd);
    free(a->tls_ca_file);
    free(a->tls_fingerprint);
    memset(a, 0, sizeof(*a));
}

enum tm_status core_account_copy(struct tm_account *dst, const struct tm_account *src,
                                 struct tm_error *err)
{
    memset(dst, 0, sizeof(*dst));
    dst->read.scheme = src->read.scheme;
    dst->read.port = src->read.port;
    dst->send.scheme = src->send.scheme;
    dst->send.port = src->send.port;
    dst->tls = src->tls;
    dst->allow_plaintext_auth = src->allow_plaintext_auth;
    dst->connect_timeout = src->connect_timeout;
    dst->imap_keepalive = src->imap_keepalive;
    dst->imap_idle = src->imap_idle;
    dst->imap_deflate = src->imap_deflate;
    dst->mail_check = src->mail_check;
    dst->prefetch_bodies = src->prefetch_bodies;
    dst->fetch_whole_max = src->fetch_whole_max;
    bool ok =
        copy_str(&dst->name, src->name) && copy_str(&dst->read_url, src->read_url) &&
        copy_str(&dst->read.user, src->read.user) && copy_str(&dst->read.host, src->read.host) &&
        copy_str(&dst->read.path, src->read.path) && copy_str(&dst->smtp_url, src->smtp_url) &&
        copy_str(&dst->send.user, src->send.user) && copy_str(&dst->send.host, src->send.host) &&
        copy_str(&dst->send.path, src->send.path) && copy_str(&dst->from, src->from) &&
        copy_str(&dst->realname, src->realname) && copy_str(&dst->signature, src->signature) &&
        copy_str(&dst->sent, src->sent) && copy_str(&dst->drafts, src->drafts) &&
        copy_str(&dst->password_cmd, src->password_cmd) &&
        copy_str(&dst->password, src->password) &&
        copy_str(&dst->oauth_token_cmd, src->oauth_token_cmd) &&
        copy_str(&dst->tls_ca_file, src->tls_ca_file) &&
        copy_str(&dst->tls_fingerprint, src->tls_fingerprint);
    if (!ok) {
        core_account_free(dst);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    return TM_OK;
}
