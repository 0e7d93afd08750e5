/* sasl.c - initial responses of the simple SASL mechanisms: PLAIN (RFC 4616), LOGIN, XOAUTH2 and
 * OAUTHBEARER (RFC 7628). The clear text is built in a scratch buffer that is wiped after. */
#include <stdio.h>
#include <string.h>

#include "src/net/private.h"
#include "tmail/base64.h"
#include "tmail/i18n.h"
#include "tmail/sasl.h"

#define SASL_MAX ((size_t)64 * 1024) /* OAuth tokens can be a few KiB */

/* Appends base64(clear) to out and wipes clear. */
static enum tm_status encode_and_wipe(struct tm_buf *clear, enum tm_status st, struct tm_buf *out,
                                      struct tm_error *err)
{
    if (st == TM_OK)
        st = tm_base64_encode(clear->data ? clear->data : "", clear->len, out);
    if (clear->data)
        explicit_bzero(clear->data, clear->cap);
    tm_buf_cleanup(clear);
    if (st)
        tm_error_set(err, st, _("SASL response too long"));
    return st;
}

static enum tm_status no_ctrl_a(const char *what, const char *value, struct tm_error *err)
{
    if (value && strchr(value, '\x01'))
        return tm_error_set(err, TM_ECONFIG, _("the %s contains a control character (^A)"), what);
    return TM_OK;
}

enum tm_status tm_sasl_plain(const char *authzid, const char *user, const char *pass,
                             struct tm_buf *out, struct tm_error *err)
{
    struct tm_buf clear;
    enum tm_status st;
    tm_buf_init(&clear, SASL_MAX);
    st = tm_buf_append_str(&clear, authzid ? authzid : "");
    if (st == TM_OK)
        st = tm_buf_append(&clear, "", 1);
    if (st == TM_OK)
        st = tm_buf_append_str(&clear, user);
    if (st == TM_OK)
        st = tm_buf_append(&clear, "", 1);
    if (st == TM_OK)
        st = tm_buf_append_str(&clear, pass);
    return encode_and_wipe(&clear, st, out, err);
}

enum tm_status tm_sasl_login_step(const char *value, struct tm_buf *out, struct tm_error *err)
{
    enum tm_status st = tm_base64_encode(value, strlen(value), out);
    if (st)
        tm_error_set(err, st, _("SASL response too long"));
    return st;
}

enum tm_status tm_sasl_xoauth2(const char *user, const char *token, struct tm_buf *out,
                               struct tm_error *err)
{
    struct tm_buf clear;
    enum tm_status st = no_ctrl_a(_("user name"), user, err);
    if (st == TM_OK)
        st = no_ctrl_a(_("OAuth token"), token, err);
    if (st)
        return st;
    tm_buf_init(&clear, SASL_MAX);
    st = tm_buf_appendf(&clear,
                        "user=%s\x01"
                        "auth=Bearer %s\x01\x01",
                        user, token);
    return encode_and_wipe(&clear, st, out, err);
}

enum tm_status net_sasl_append_saslname(struct tm_buf *b, const char *user)
{
    enum tm_status st = TM_OK;
    for (const char *p = user; *p && st == TM_OK; p++)
        st = *p == ','   ? tm_buf_append_str(b, "=2C")
             : *p == '=' ? tm_buf_append_str(b, "=3D")
                         : tm_buf_append_char(b, *p);
    return st;
}

enum tm_status tm_sasl_oauthbearer(const char *user, const char *host, int port, const char *token,
                                   struct tm_buf *out, struct tm_error *err)
{
    struct tm_buf clear;
    enum tm_status st = no_ctrl_a(_("user name"), user, err);
    if (st == TM_OK)
        st = no_ctrl_a(_("host name"), host, err);
    if (st == TM_OK)
        st = no_ctrl_a(_("OAuth token"), token, err);
    if (st)
        return st;
    tm_buf_init(&clear, SASL_MAX);
    st = tm_buf_append_str(&clear, "n,a=");
    if (st == TM_OK)
        st = net_sasl_append_saslname(&clear, user);
    if (st == TM_OK)
        st = tm_buf_append_str(&clear, ",\x01");
    if (st == TM_OK && host)
        st = tm_buf_appendf(&clear, "host=%s\x01", host);
    if (st == TM_OK && port > 0)
        st = tm_buf_appendf(&clear, "port=%d\x01", port);
    if (st == TM_OK)
        st = tm_buf_appendf(&clear, "auth=Bearer %s\x01\x01", token);
    return encode_and_wipe(&clear, st, out, err);
}
