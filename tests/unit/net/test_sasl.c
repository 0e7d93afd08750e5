/* test_sasl.c - SASL client messages against the RFCs' examples: PLAIN (RFC 4616), OAUTHBEARER
 * (RFC 7628), XOAUTH2, and SCRAM-SHA-256 with the RFC 7677 test vector and its failure cases. */
#include <string.h>

#include "src/net/private.h"
#include "tm_test.h"
#include "tmail/base64.h"
#include "tmail/sasl.h"

/* base64 of text, in a static buffer. */
static const char *b64(const char *text)
{
    static char out[1024];
    struct tm_buf b;
    tm_buf_init(&b, 0);
    tm_base64_encode(text, strlen(text), &b);
    memcpy(out, b.data, b.len + 1);
    tm_buf_cleanup(&b);
    return out;
}

/* Decodes b64 into out (len bytes); returns the length or -1. */
static long unb64(const char *text, char *out, size_t size)
{
    struct tm_buf b;
    struct tm_error err;
    long n = -1;
    tm_buf_init(&b, 0);
    if (tm_base64_decode(text, strlen(text), &b, &err) == TM_OK && b.len < size) {
        memcpy(out, b.data ? b.data : "", b.len);
        out[b.len] = 0;
        n = (long)b.len;
    }
    tm_buf_cleanup(&b);
    return n;
}

TM_TEST(sasl_plain_matches_rfc4616)
{
    struct tm_buf out;
    struct tm_error err;
    char clear[100];
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_sasl_plain(NULL, "tim", "tanstaaftanstaaf", &out, &err), TM_OK);
    TM_CHECK_STR(out.data, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_sasl_plain("Ursel", "Kurt", "xipj3plmq", &out, &err), TM_OK);
    TM_CHECK_INT(unb64(out.data, clear, sizeof(clear)), 20);
    TM_CHECK(memcmp(clear, "Ursel\0Kurt\0xipj3plmq", 20) == 0);
    tm_buf_cleanup(&out);
}

TM_TEST(sasl_login_step_is_plain_base64)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_sasl_login_step("user", &out, &err), TM_OK);
    TM_CHECK_STR(out.data, "dXNlcg==");
    tm_buf_cleanup(&out);
}

TM_TEST(sasl_xoauth2_builds_the_bearer_string)
{
    struct tm_buf out;
    struct tm_error err;
    char clear[200];
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_sasl_xoauth2("someuser@example.com",
                                 "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", &out, &err),
                 TM_OK);
    TM_CHECK_STR(out.data,
                 "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRj"
                 "Mk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
    TM_CHECK(unb64(out.data, clear, sizeof(clear)) > 0);
    TM_CHECK_STR(clear, "user=someuser@example.com\x01"
                        "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
    TM_CHECK_INT(tm_sasl_xoauth2("a\x01"
                                 "b",
                                 "t", &out, &err),
                 TM_ECONFIG);
    tm_buf_cleanup(&out);
}

TM_TEST(sasl_oauthbearer_matches_rfc7628)
{
    struct tm_buf out;
    struct tm_error err;
    char clear[300];
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_sasl_oauthbearer("user@example.com", "server.example.com", 143,
                                     "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", &out, &err),
                 TM_OK);
    TM_CHECK(unb64(out.data, clear, sizeof(clear)) > 0);
    TM_CHECK_STR(clear, "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                        "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01");
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_sasl_oauthbearer("a,b=c", NULL, 0, "tok", &out, &err), TM_OK);
    TM_CHECK(unb64(out.data, clear, sizeof(clear)) > 0);
    TM_CHECK_STR(clear, "n,a=a=2Cb=3Dc,\x01"
                        "auth=Bearer tok\x01\x01");
    tm_buf_cleanup(&out);
}

#define RFC7677_SERVER_NONCE "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

/* Runs the RFC 7677 exchange up to the client-final-message. */
static struct tm_scram *rfc7677_until_final(struct tm_buf *out, const char *server_first,
                                            enum tm_status *st, struct tm_error *err)
{
    struct tm_scram *s = NULL;
    tm_buf_reset(out);
    if (tm_scram_new("user", "pencil", &s, err) ||
        net_scram_set_nonce(s, "rOprNGfwEbeRWgbNEkqO", err) || tm_scram_client_first(s, out, err)) {
        tm_scram_free(&s);
        return NULL;
    }
    tm_buf_reset(out);
    *st = tm_scram_client_final(s, b64(server_first), out, err);
    return s;
}

TM_TEST(scram_sha256_matches_the_rfc7677_vector)
{
    struct tm_scram *s = NULL;
    struct tm_buf out;
    struct tm_error err;
    char clear[300];
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_scram_new("user", "pencil", &s, &err), TM_OK);
    TM_CHECK_INT(net_scram_set_nonce(s, "rOprNGfwEbeRWgbNEkqO", &err), TM_OK);
    TM_CHECK_INT(tm_scram_client_first(s, &out, &err), TM_OK);
    TM_CHECK_STR(out.data, b64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
    tm_buf_reset(&out);
    TM_CHECK_INT(
        tm_scram_client_final(
            s, b64("r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), &out, &err),
        TM_OK);
    TM_CHECK(unb64(out.data, clear, sizeof(clear)) > 0);
    TM_CHECK_STR(clear, "c=biws,r=" RFC7677_SERVER_NONCE
                        ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    TM_CHECK_INT(
        tm_scram_verify_server(s, b64("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), &err),
        TM_OK);
    tm_scram_free(&s);
    TM_CHECK(s == NULL);
    tm_scram_free(&s);
    tm_buf_cleanup(&out);
}

TM_TEST(scram_wrong_server_signature_is_an_auth_failure)
{
    struct tm_buf out;
    struct tm_error err;
    enum tm_status st = TM_EIO;
    tm_buf_init(&out, 0);
    struct tm_scram *s = rfc7677_until_final(
        &out, "r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", &st, &err);
    TM_CHECK(s != NULL);
    TM_CHECK_INT(st, TM_OK);
    TM_CHECK_INT(
        tm_scram_verify_server(s, b64("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), &err),
        TM_EAUTH);
    TM_CHECK(strstr(err.message, "signature") != NULL);
    tm_scram_free(&s);
    s = rfc7677_until_final(&out, "r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                            &st, &err);
    TM_CHECK_INT(tm_scram_verify_server(s, b64("e=invalid-proof"), &err), TM_EAUTH);
    TM_CHECK(strstr(err.message, "invalid-proof") != NULL);
    tm_scram_free(&s);
    s = rfc7677_until_final(&out, "r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                            &st, &err);
    TM_CHECK_INT(tm_scram_verify_server(s, b64("x=what"), &err), TM_EPROTO);
    TM_CHECK_INT(tm_scram_verify_server(s, "not base64!", &err), TM_EPROTO);
    tm_scram_free(&s);
    tm_buf_cleanup(&out);
}

TM_TEST(scram_refuses_bad_server_first_messages)
{
    static const char *const bad[] = {
        "r=someoneelse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",              /* nonce not ours */
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",        /* nonce not extended */
        "r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095",    /* too few rounds */
        "r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001", /* too many */
        "r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=12x",     /* not a number */
        "r=" RFC7677_SERVER_NONCE ",s=,i=4096",                            /* empty salt */
        "r=" RFC7677_SERVER_NONCE ",s=W22Z*J0SNY7soEsUEjb6gQ==,i=4096",    /* bad salt */
        "m=ext,r=" RFC7677_SERVER_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", /* mandatory ext */
        "r=" RFC7677_SERVER_NONCE ",i=4096",                                  /* no salt */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm_buf out;
        struct tm_error err;
        enum tm_status st = TM_OK;
        tm_buf_init(&out, 0);
        struct tm_scram *s = rfc7677_until_final(&out, bad[i], &st, &err);
        TM_CHECK(s != NULL);
        TM_CHECK_INT(st, TM_EPROTO);
        TM_CHECK_INT(out.len, 0);
        tm_scram_free(&s);
        tm_buf_cleanup(&out);
    }
}

TM_TEST(scram_steps_out_of_order_fail)
{
    struct tm_scram *s = NULL;
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_scram_new("user", "pencil", &s, &err), TM_OK);
    TM_CHECK_INT(tm_scram_verify_server(s, b64("v=AAAA"), &err), TM_EPROTO);
    TM_CHECK_INT(tm_scram_client_final(s, b64("r=x,s=AAAA,i=4096"), &out, &err), TM_EPROTO);
    TM_CHECK_INT(tm_scram_client_first(s, &out, &err), TM_OK);
    TM_CHECK_INT(tm_scram_client_first(s, &out, &err), TM_EPROTO);
    tm_scram_free(&s);
    tm_buf_cleanup(&out);
}

TM_TEST(scram_random_nonces_differ_and_user_names_are_escaped)
{
    struct tm_scram *a = NULL, *b = NULL;
    struct tm_buf out_a, out_b;
    struct tm_error err;
    char clear[200];
    tm_buf_init(&out_a, 0);
    tm_buf_init(&out_b, 0);
    TM_CHECK_INT(tm_scram_new("a,b=c", "p", &a, &err), TM_OK);
    TM_CHECK_INT(tm_scram_new("a,b=c", "p", &b, &err), TM_OK);
    TM_CHECK_INT(tm_scram_client_first(a, &out_a, &err), TM_OK);
    TM_CHECK_INT(tm_scram_client_first(b, &out_b, &err), TM_OK);
    TM_CHECK(strcmp(out_a.data, out_b.data) != 0);
    TM_CHECK(unb64(out_a.data, clear, sizeof(clear)) > 0);
    TM_CHECK(strncmp(clear, "n,,n=a=2Cb=3Dc,r=", 17) == 0);
    TM_CHECK_INT(strlen(clear + 17), 32);
    TM_CHECK(strchr(clear + 17, ',') == NULL);
    tm_scram_free(&a);
    tm_scram_free(&b);
    tm_buf_cleanup(&out_a);
    tm_buf_cleanup(&out_b);
}
