/* smtp_fixture.c - the shared fixture of the SMTP transcript tests. */
#include "smtp_fixture.h"

#include <stdio.h>
#include <string.h>

#include "src/net/private.h"
#include "tm_test.h"
#include "tmail/base64.h"

static enum tm_status give_secret(void *ctx, enum tm_secret kind, const char **secret,
                                  struct tm_error *err)
{
    (void)err;
    struct sfx *f = ctx;
    f->secret_calls++;
    f->asked = kind;
    *secret = f->secret;
    return TM_OK;
}

static void forget_secret(void *ctx, enum tm_secret kind)
{
    struct sfx *f = ctx;
    f->forget_calls++;
    f->forgotten = kind;
}

static enum tm_status fixed_nonce(struct tm_scram *scram, struct tm_error *err)
{
    return net_scram_set_nonce(scram, "rOprNGfwEbeRWgbNEkqO", err);
}

void sfx_init(struct sfx *f, const char *script)
{
    memset(f, 0, sizeof(*f));
    tm_error_clear(&f->err);
    f->secret = "secret";
    f->o = (struct tm_smtp_opts){
        .host = "smtp.example",
        .port = 587,
        .require_tls = true,
        .helo_name = "client.example",
        .secret = give_secret,
        .secret_forget = forget_secret,
        .secret_ctx = f,
        .cancel = &f->cancel,
    };
    if (tm_stream_scripted_new(script, &f->o.stream, &f->err) != TM_OK)
        tm_test_fail(__FILE__, __LINE__, "bad script: %s", f->err.message);
}

enum tm_status sfx_open(struct sfx *f)
{
    enum tm_status st = smtp_session_new(&f->o, &f->s, &f->err);
    f->o.stream = NULL; /* the session has it */
    if (st)
        return st;
    f->s->scram_prepare = fixed_nonce;
    return smtp_handshake(f->s, &f->o, &f->err);
}

void sfx_finish_at(struct sfx *f, const char *file, int line)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (!f->s || !f->s->stream)
        tm_test_fail(file, line, "no stream left to check");
    else if (tm_stream_scripted_finish(f->s->stream, &err) != TM_OK)
        tm_test_fail(file, line, "script not finished: %s", err.message);
}

void sfx_close(struct sfx *f)
{
    if (f->s)
        f->s->dead = true; /* no QUIT into a finished script */
    tm_smtp_close(&f->s);
    tm_stream_close(&f->o.stream);
}

const char *sfx_b64(const char *text)
{
    static char out[4096];
    struct tm_buf b;
    tm_buf_init(&b, sizeof(out) - 1);
    out[0] = 0;
    if (tm_base64_encode(text, strlen(text), &b) == TM_OK && b.data)
        memcpy(out, b.data, b.len + 1);
    tm_buf_cleanup(&b);
    return out;
}
