/* tls_scram.c - SCRAM-SHA-256 client (RFC 5802, RFC 7677) with OpenSSL's PBKDF2, HMAC and
 * random numbers; named tls_* because only those files may include OpenSSL. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "src/net/private.h"
#include "tmail/base64.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

#define SCRAM_KEY       32 /* SHA-256 output */
#define SCRAM_NONCE_MAX 64
#define SCRAM_MSG_MAX   ((size_t)8 * 1024)
#define SCRAM_ITER_MIN  4096
#define SCRAM_ITER_MAX  1000000

enum scram_step { STEP_NEW, STEP_FIRST_SENT, STEP_FINAL_SENT, STEP_DONE };

struct tm_scram {
    enum scram_step step;
    char *user;
    char *pass; /* wiped and freed once the keys are derived */
    char nonce[SCRAM_NONCE_MAX + 1];
    struct tm_buf first_bare; /* "n=user,r=nonce", part of the AuthMessage */
    unsigned char server_signature[SCRAM_KEY];
};

static void wipe_string(char **pp)
{
    if (*pp) {
        OPENSSL_cleanse(*pp, strlen(*pp));
        free(*pp);
        *pp = NULL;
    }
}

enum tm_status tm_scram_new(const char *user, const char *pass, struct tm_scram **out,
                            struct tm_error *err)
{
    struct tm_scram *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (s) {
        s->user = tm_strndup(user, strlen(user));
        s->pass = tm_strndup(pass, strlen(pass));
        tm_buf_init(&s->first_bare, SCRAM_MSG_MAX);
    }
    if (!s || !s->user || !s->pass) {
        tm_scram_free(&s);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    *out = s;
    return TM_OK;
}

void tm_scram_free(struct tm_scram **pp)
{
    if (!pp || !*pp)
        return;
    struct tm_scram *s = *pp;
    wipe_string(&s->user);
    wipe_string(&s->pass);
    if (s->first_bare.data)
        OPENSSL_cleanse(s->first_bare.data, s->first_bare.cap);
    tm_buf_cleanup(&s->first_bare);
    OPENSSL_cleanse(s, sizeof(*s));
    free(s);
    *pp = NULL;
}

static enum tm_status out_of_order(struct tm_error *err)
{
    return tm_error_set(err, TM_EPROTO, _("SCRAM steps called out of order"));
}

enum tm_status net_scram_set_nonce(struct tm_scram *s, const char *nonce, struct tm_error *err)
{
    size_t n = strlen(nonce);
    if (s->step != STEP_NEW)
        return out_of_order(err);
    if (n == 0 || n > SCRAM_NONCE_MAX || strchr(nonce, ','))
        return tm_error_set(err, TM_EPARSE, "bad SCRAM nonce");
    for (size_t i = 0; i < n; i++)
        if (nonce[i] < 0x21 || nonce[i] > 0x7e)
            return tm_error_set(err, TM_EPARSE, "bad SCRAM nonce");
    memcpy(s->nonce, nonce, n + 1);
    return TM_OK;
}

enum tm_status tm_scram_client_first(struct tm_scram *s, struct tm_buf *out_b64,
                                     struct tm_error *err)
{
    enum tm_status st = TM_OK;
    struct tm_buf msg;
    if (s->step != STEP_NEW)
        return out_of_order(err);
    if (!s->nonce[0]) {
        unsigned char raw[24];
        struct tm_buf b64;
        tm_buf_init(&b64, SCRAM_NONCE_MAX);
        if (RAND_bytes(raw, sizeof(raw)) != 1 || tm_base64_encode(raw, sizeof(raw), &b64))
            st = tm_error_set(err, TM_EAUTH, _("cannot make a SCRAM nonce"));
        else
            memcpy(s->nonce, b64.data, b64.len + 1); /* 32 characters, never ',' */
        tm_buf_cleanup(&b64);
        if (st)
            return st;
    }
    tm_buf_init(&msg, SCRAM_MSG_MAX);
    st = tm_buf_append_str(&s->first_bare, "n=");
    if (st == TM_OK)
        st = net_sasl_append_saslname(&s->first_bare, s->user);
    if (st == TM_OK)
        st = tm_buf_appendf(&s->first_bare, ",r=%s", s->nonce);
    if (st == TM_OK)
        st = tm_buf_appendf(&msg, "n,,%s", s->first_bare.data);
    if (st == TM_OK)
        st = tm_base64_encode(msg.data, msg.len, out_b64);
    tm_buf_cleanup(&msg);
    if (st)
        return tm_error_set(err, st, _("SCRAM user name too long"));
    s->step = STEP_FIRST_SENT;
    return TM_OK;
}

/* Decodes a base64 server message into text without NUL bytes. */
static enum tm_status decode_message(const char *b64, struct tm_buf *text, struct tm_error *err)
{
    struct tm_error ignored;
    if (tm_base64_decode(b64, strlen(b64), text, &ignored) != TM_OK || !text->data ||
        strlen(text->data) != text->len)
        return tm_error_set(err, TM_EPROTO, _("the server sent a malformed SCRAM message"));
    return TM_OK;
}

/* If *p starts with "key=", sets value to the text up to the next ',' (or the end) and moves *p
 * past that ','. */
static bool take_attr(const char **p, char key, const char **value, size_t *len)
{
    if (!*p || (*p)[0] != key || (*p)[1] != '=')
        return false;
    *value = *p + 2;
    const char *comma = strchr(*value, ',');
    *len = comma ? (size_t)(comma - *value) : strlen(*value);
    *p = comma ? comma + 1 : NULL;
    return true;
}

/* The parts of a server-first-message, pointing into its text. */
struct server_first {
    const char *nonce, *salt_b64;
    size_t nonce_len, salt_len;
    int iterations;
};

static enum tm_status parse_server_first(struct tm_scram *s, const char *text,
                                         struct server_first *sf, struct tm_error *err)
{
    const char *p = text, *iter_text = NULL;
    char iter[16];
    size_t iter_len = 0;
    int64_t n = 0;
    if (text[0] == 'm' && text[1] == '=')
        return tm_error_set(err, TM_EPROTO, _("the server requires an unknown SCRAM extension"));
    if (!take_attr(&p, 'r', &sf->nonce, &sf->nonce_len) ||
        !take_attr(&p, 's', &sf->salt_b64, &sf->salt_len) ||
        !take_attr(&p, 'i', &iter_text, &iter_len))
        return tm_error_set(err, TM_EPROTO, _("the server sent a malformed SCRAM challenge"));
    size_t ours = strlen(s->nonce);
    if (sf->nonce_len <= ours || memcmp(sf->nonce, s->nonce, ours) != 0)
        return tm_error_set(err, TM_EPROTO, _("the server's SCRAM nonce does not extend ours"));
    if (sf->salt_len == 0)
        return tm_error_set(err, TM_EPROTO, _("the server sent an empty SCRAM salt"));
    if (iter_len >= sizeof(iter))
        iter_len = sizeof(iter) - 1; /* too many digits either way */
    memcpy(iter, iter_text, iter_len);
    iter[iter_len] = 0;
    if (!tm_str_to_i64(iter, &n))
        return tm_error_set(err, TM_EPROTO, _("the server sent a malformed SCRAM challenge"));
    if (n < SCRAM_ITER_MIN || n > SCRAM_ITER_MAX)
        return tm_error_set(err, TM_EPROTO,
                            _("the server asks for %lld SCRAM iterations (allowed: %d to %d)"),
                            (long long)n, SCRAM_ITER_MIN, SCRAM_ITER_MAX);
    sf->iterations = (int)n;
    return TM_OK;
}

static bool hmac(const unsigned char *key, size_t key_len, const void *data, size_t len,
                 unsigned char out[SCRAM_KEY])
{
    unsigned int out_len = 0;
    return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) && out_len == SCRAM_KEY;
}

/* Derives the client proof and the expected server signature (RFC 5802 section 3). */
static bool derive(struct tm_scram *s, const struct tm_buf *salt, int iter,
                   const struct tm_buf *auth_message, unsigned char proof[SCRAM_KEY])
{
    unsigned char salted[SCRAM_KEY], client_key[SCRAM_KEY], stored_key[SCRAM_KEY];
    unsigned char signature[SCRAM_KEY], server_key[SCRAM_KEY];
    bool ok =
        PKCS5_PBKDF2_HMAC(s->pass, (int)strlen(s->pass), (const unsigned char *)salt->data,
                          (int)salt->len, iter, EVP_sha256(), SCRAM_KEY, salted) == 1 &&
        hmac(salted, SCRAM_KEY, "Client Key", 10, client_key) &&
        EVP_Digest(client_key, SCRAM_KEY, stored_key, NULL, EVP_sha256(), NULL) == 1 &&
        hmac(stored_key, SCRAM_KEY, auth_message->data, auth_message->len, signature) &&
        hmac(salted, SCRAM_KEY, "Server Key", 10, server_key) &&
        hmac(server_key, SCRAM_KEY, auth_message->data, auth_message->len, s->server_signature);
    for (int i = 0; i < SCRAM_KEY; i++)
        proof[i] = client_key[i] ^ signature[i];
    OPENSSL_cleanse(salted, sizeof(salted));
    OPENSSL_cleanse(client_key, sizeof(client_key));
    OPENSSL_cleanse(stored_key, sizeof(stored_key));
    OPENSSL_cleanse(signature, sizeof(signature));
    OPENSSL_cleanse(server_key, sizeof(server_key));
    return ok;
}

enum tm_status tm_scram_client_final(struct tm_scram *s, const char *server_first_b64,
                                     struct tm_buf *out_b64, struct tm_error *err)
{
    struct tm_buf first, salt, final, auth;
    struct server_first sf = {0};
    unsigned char proof[SCRAM_KEY];
    enum tm_status st;
    if (s->step != STEP_FIRST_SENT)
        return out_of_order(err);
    tm_buf_init(&first, SCRAM_MSG_MAX);
    tm_buf_init(&salt, SCRAM_MSG_MAX);
    tm_buf_init(&final, SCRAM_MSG_MAX);
    tm_buf_init(&auth, 3 * SCRAM_MSG_MAX);
    st = decode_message(server_first_b64, &first, err);
    if (st == TM_OK)
        st = parse_server_first(s, first.data, &sf, err);
    if (st == TM_OK && tm_base64_decode(sf.salt_b64, sf.salt_len, &salt, NULL) != TM_OK)
        st = tm_error_set(err, TM_EPROTO, _("the server sent a malformed SCRAM salt"));
    if (st)
        goto out;
    /* c=biws is base64("n,,"): no channel binding. */
    st = tm_buf_appendf(&final, "c=biws,r=%.*s", (int)sf.nonce_len, sf.nonce);
    if (st == TM_OK)
        st = tm_buf_appendf(&auth, "%s,%s,%s", s->first_bare.data, first.data, final.data);
    if (st) {
        st = tm_error_set(err, st, _("SCRAM message too long"));
        goto out;
    }
    if (!derive(s, &salt, sf.iterations, &auth, proof)) {
        st = tm_error_set(err, TM_EAUTH, _("cannot compute the SCRAM proof"));
        goto out;
    }
    st = tm_buf_append_str(&final, ",p=");
    if (st == TM_OK)
        st = tm_base64_encode(proof, sizeof(proof), &final);
    if (st == TM_OK)
        st = tm_base64_encode(final.data, final.len, out_b64);
    if (st) {
        st = tm_error_set(err, st, _("SCRAM message too long"));
        goto out;
    }
    wipe_string(&s->pass);
    s->step = STEP_FINAL_SENT;
out:
    OPENSSL_cleanse(proof, sizeof(proof));
    if (final.data)
        OPENSSL_cleanse(final.data, final.cap);
    tm_buf_cleanup(&first);
    tm_buf_cleanup(&salt);
    tm_buf_cleanup(&final);
    tm_buf_cleanup(&auth);
    return st;
}

enum tm_status tm_scram_verify_server(struct tm_scram *s, const char *server_final_b64,
                                      struct tm_error *err)
{
    struct tm_buf text, sig, why;
    const char *p, *value = NULL;
    size_t len = 0;
    enum tm_status st;
    if (s->step != STEP_FINAL_SENT)
        return out_of_order(err);
    tm_buf_init(&text, SCRAM_MSG_MAX);
    tm_buf_init(&sig, SCRAM_MSG_MAX);
    tm_buf_init(&why, 4 * SCRAM_MSG_MAX);
    st = decode_message(server_final_b64, &text, err);
    p = text.data;
    if (st == TM_OK && take_attr(&p, 'e', &value, &len)) {
        tm_str_visible(&why, value, len, false);
        st = tm_error_set(err, TM_EAUTH, _("the server refused SCRAM authentication: %s"),
                          why.data ? why.data : "");
    } else if (st == TM_OK && (!take_attr(&p, 'v', &value, &len) ||
                               tm_base64_decode(value, len, &sig, NULL) != TM_OK)) {
        st = tm_error_set(err, TM_EPROTO, _("the server sent a malformed SCRAM final message"));
    } else if (st == TM_OK && (sig.len != SCRAM_KEY ||
                               CRYPTO_memcmp(sig.data, s->server_signature, SCRAM_KEY) != 0)) {
        st = tm_error_set(err, TM_EAUTH,
                          _("the server's SCRAM signature is wrong: it does not know the "
                            "password (an impostor?)"));
    }
    if (st == TM_OK)
        s->step = STEP_DONE;
    tm_buf_cleanup(&text);
    tm_buf_cleanup(&sig);
    tm_buf_cleanup(&why);
    return st;
}
