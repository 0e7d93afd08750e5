/* test_imap_compress.c - transcript tests of COMPRESS=DEFLATE (RFC 4978) in the IMAP session:
 * sent after login only when the server offers it and imap_deflate allows it, everything after
 * the OK compressed (a FETCH with a literal through it) (a zlib peer under the script inflates what
 * tmail sends and compresses the server's lines, so the script stays plain text), a refusal leaves
 * the connection plain, and PREAUTH connections compress too. */
#include <stdio.h>
#include <string.h>

#include "imap_session_fixture.h"
#include "src/net/private.h"
#include "tm_test.h"
#include "tmail/store.h"

#define CAPS_DEFLATE "IMAP4rev1 ENABLE QRESYNC CONDSTORE IDLE LITERAL+ ESEARCH COMPRESS=DEFLATE"
#define LOGIN_OFFERING_DEFLATE                                                                     \
    "C: t3 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\n"                                              \
    "S: t3 OK [CAPABILITY " CAPS_DEFLATE "] in\n"

/* The fixture's session, opened again with imap_deflate as given (the setting is read at open). */
static void open_with_deflate(struct fx *f, enum tm_url_scheme scheme, bool deflate)
{
    fx_open(f, scheme);
    tm_imap_ops.close(&f->s);
    f->acct.imap_deflate = deflate;
    struct tm_account_spec spec = {"t", "imap://x", f->account_id, &f->acct};
    TM_CHECK(tm_imap_ops.open(&f->env, &spec, &f->s, NULL) == TM_OK);
}

/* A script with the zlib peer under it (see net_deflate_test_peer). */
static void script_with_peer(struct fx *f, const char *script)
{
    fx_script(f, script);
    net_deflate_test_peer(f->s->stream);
}

/* Takes the compression off again and checks that the script was played to its end. */
static void finish_compressed(struct fx *f)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (net_deflate_test_unwrap(f->s->stream, &err) != TM_OK)
        tm_test_fail(__FILE__, __LINE__, "%s", err.message);
    fx_finish(f);
}

/* Collects the body of a FETCH response into ctx (a struct tm_buf). */
static enum tm_status on_fetch(struct tm_session *s, void *ctx, const struct imap_response *r,
                               struct tm_error *err)
{
    struct imap_fetch fetch;
    enum tm_status st = TM_OK;
    (void)s;
    if (!imap_fetch_of(r, &fetch, &st, err))
        return st;
    if (fetch.body && tm_buf_append(ctx, fetch.body, fetch.body_len))
        return TM_ENOMEM;
    return TM_OK;
}

TM_TEST(imap_compress_after_login_when_offered_then_a_fetch_through_it)
{
    struct fx f;
    struct tm_buf script, body, got;
    tm_buf_init(&script, 0);
    tm_buf_init(&body, 0);
    tm_buf_init(&got, 0);
    for (int i = 0; i < 200; i++)
        tm_buf_appendf(&body, "Body line %03d of a compressed fetch\r\n", i);
    tm_buf_append_str(&script, GREETING_STARTTLS STARTTLS_DONE LOGIN_OFFERING_DEFLATE
                      "C: t4 COMPRESS DEFLATE\n"
                      "S: t4 OK DEFLATE active\n"
                      /* sent with the OK, so read with it: it must go through the inflater */
                      "S: * CAPABILITY IMAP4rev1 ENABLE QRESYNC CONDSTORE LITERAL+ ESEARCH\n"
                      "C: t5 ENABLE QRESYNC\n"
                      "S: * ENABLED QRESYNC\n"
                      "S: t5 OK enabled\n"
                      "C: t6 UID FETCH 1 (BODY.PEEK[])\n");
    tm_buf_appendf(&script, "S: * 1 FETCH (UID 1 BODY[] {%zu}\n", body.len);
    for (int i = 0; i < 200; i++)
        tm_buf_appendf(&script, "S: Body line %03d of a compressed fetch\n", i);
    tm_buf_append_str(&script, "S: )\nS: t6 OK Fetch completed\n");
    open_with_deflate(&f, TM_URL_IMAP, true);
    script_with_peer(&f, script.data);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK(tm_stream_is_compressed(f.s->stream));
    TM_CHECK(f.s->qresync_enabled);
    TM_CHECK(!imap_caps_has(&f.s->caps, IMAP_CAP_IDLE)); /* the line after the OK was read */
    TM_CHECK_INT(imap_simple(f.s, on_fetch, &got, &err, "UID FETCH 1 (BODY.PEEK[])"), TM_OK);
    TM_CHECK_INT(got.len, body.len);
    TM_CHECK(memcmp(got.data, body.data, body.len) == 0);
    finish_compressed(&f);
    fx_close(&f);
    tm_buf_cleanup(&script);
    tm_buf_cleanup(&body);
    tm_buf_cleanup(&got);
}

TM_TEST(imap_compress_is_not_sent_when_imap_deflate_is_off)
{
    struct fx f;
    open_with_deflate(&f, TM_URL_IMAP, false);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_OFFERING_DEFLATE "C: t4 ENABLE QRESYNC\n"
                                                                         "S: * ENABLED QRESYNC\n"
                                                                         "S: t4 OK enabled\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK(!tm_stream_is_compressed(f.s->stream));
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_compress_is_not_sent_when_the_server_does_not_offer_it)
{
    struct fx f;
    open_with_deflate(&f, TM_URL_IMAP, true);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK(!tm_stream_is_compressed(f.s->stream));
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_compress_refused_keeps_the_connection_plain)
{
    struct fx f;
    open_with_deflate(&f, TM_URL_IMAP, true);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_OFFERING_DEFLATE
              "C: t4 COMPRESS DEFLATE\n"
              "S: t4 NO [COMPRESSIONACTIVE] DEFLATE active via TLS\n"
              "C: t5 ENABLE QRESYNC\n"
              "S: * ENABLED QRESYNC\n"
              "S: t5 OK enabled\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK(!tm_stream_is_compressed(f.s->stream));
    TM_CHECK(f.s->qresync_enabled);
    fx_finish(&f);
    fx_close(&f);
}

TM_TEST(imap_compress_after_preauth)
{
    struct fx f;
    open_with_deflate(&f, TM_URL_IMAPS, true);
    script_with_peer(&f, "S: * PREAUTH [CAPABILITY " CAPS_DEFLATE "] logged in\n"
                         "C: t1 CAPABILITY\n"
                         "S: * CAPABILITY " CAPS_DEFLATE "\n"
                         "S: t1 OK done\n"
                         "C: t2 COMPRESS DEFLATE\n"
                         "S: t2 OK DEFLATE active\n"
                         "C: t3 ENABLE QRESYNC\n"
                         "S: * ENABLED QRESYNC\n"
                         "S: t3 OK enabled\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_OK);
    TM_CHECK(tm_stream_is_compressed(f.s->stream));
    TM_CHECK_INT(f.secret_calls, 0);
    finish_compressed(&f);
    fx_close(&f);
}

TM_TEST(imap_compress_failure_of_the_command_drops_the_connection)
{
    struct fx f;
    open_with_deflate(&f, TM_URL_IMAP, true);
    fx_script(&f, GREETING_STARTTLS STARTTLS_DONE LOGIN_OFFERING_DEFLATE "C: t4 COMPRESS DEFLATE\n"
                                                                         "X:\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f.s, &err), TM_ENET);
    TM_CHECK(f.s->stream == NULL); /* the next operation reconnects */
    fx_close(&f);
}
