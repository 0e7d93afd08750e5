/* test_smtp_auth.c - transcript tests of AUTH (RFC 4954): PLAIN with an initial response, LOGIN,
 * SCRAM-SHA-256 with the RFC 7677 vector and the server's proof, XOAUTH2 and OAUTHBEARER error
 * continuations, refusals that forget the secret, and the refusal to log in without TLS. */
#include <stdio.h>
#include <string.h>

#include "smtp_fixture.h"
#include "tm_test.h"

#define PLAIN_ALICE "AGFsaWNlAHNlY3JldA==" /* "\0alice\0secret" */
/* RFC 7677's exchange for user "user", password "pencil", nonce rOprNGfwEbeRWgbNEkqO. */
#define SCRAM_CLIENT_FIRST "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="
#define SCRAM_SERVER_FIRST                                                                         \
    "cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29F" \
    "c1VFamI2Z1E9PSxpPTQwOTY="
#define SCRAM_CLIENT_FINAL                                                                         \
    "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFw" \
    "V0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ=="
#define SCRAM_SERVER_FINAL     "dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ=="
#define SCRAM_SERVER_FINAL_BAD "dj03cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ=="
/* base64 of {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"} */
#define OAUTH_ERROR                                                                                \
    "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8i" \
    "fQ=="

TM_TEST(smtp_auth_plain_with_initial_response)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250-AUTH LOGIN PLAIN\n"
                         "S: 250 8BITMIME\n"
                         "C: AUTH PLAIN " PLAIN_ALICE "\n"
                         "S: 235 2.7.0 Authentication successful\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    TM_CHECK_INT(f.secret_calls, 1);
    TM_CHECK_INT(f.asked, TM_SECRET_PASSWORD);
    TM_CHECK_INT(f.forget_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_login_answers_both_prompts)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH LOGIN\n"
                         "C: AUTH LOGIN\n"
                         "S: 334 VXNlcm5hbWU6\n"
                         "C: YWxpY2U=\n"
                         "S: 334 UGFzc3dvcmQ6\n"
                         "C: c2VjcmV0\n"
                         "S: 235 2.7.0 Authentication successful\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_login_third_prompt_is_cancelled)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH LOGIN\n"
                         "C: AUTH LOGIN\n"
                         "S: 334 VXNlcm5hbWU6\n"
                         "C: YWxpY2U=\n"
                         "S: 334 UGFzc3dvcmQ6\n"
                         "C: c2VjcmV0\n"
                         "S: 334 QWdhaW4/\n"
                         "C: *\n"
                         "S: 501 5.7.0 Authentication aborted\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_EPROTO);
    TM_CHECK(strstr(f.err.message, "LOGIN") != NULL);
    TM_CHECK_INT(f.forget_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_prefers_scram_and_checks_the_server_proof)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH LOGIN PLAIN SCRAM-SHA-256\n"
                         "C: AUTH SCRAM-SHA-256 " SCRAM_CLIENT_FIRST "\n"
                         "S: 334 " SCRAM_SERVER_FIRST "\n"
                         "C: " SCRAM_CLIENT_FINAL "\n"
                         "S: 334 " SCRAM_SERVER_FINAL "\n"
                         "C: \n"
                         "S: 235 2.7.0 Authentication successful\n");
    f.o.user = "user";
    f.secret = "pencil";
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    TM_CHECK_INT(f.forget_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_scram_wrong_server_proof_is_cancelled)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH SCRAM-SHA-256\n"
                         "C: AUTH SCRAM-SHA-256 " SCRAM_CLIENT_FIRST "\n"
                         "S: 334 " SCRAM_SERVER_FIRST "\n"
                         "C: " SCRAM_CLIENT_FINAL "\n"
                         "S: 334 " SCRAM_SERVER_FINAL_BAD "\n"
                         "C: *\n"
                         "S: 501 5.7.0 Authentication aborted\n");
    f.o.user = "user";
    f.secret = "pencil";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK(strstr(f.err.message, "signature") != NULL);
    TM_CHECK_INT(f.forget_calls, 0); /* the password was not what failed */
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_scram_success_without_the_server_proof_is_refused)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH SCRAM-SHA-256\n"
                         "C: AUTH SCRAM-SHA-256 " SCRAM_CLIENT_FIRST "\n"
                         "S: 334 " SCRAM_SERVER_FIRST "\n"
                         "C: " SCRAM_CLIENT_FINAL "\n"
                         "S: 235 2.7.0 Authentication successful\n");
    f.o.user = "user";
    f.secret = "pencil";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK(strstr(f.err.message, "without proving") != NULL);
    TM_CHECK(f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_535_is_an_auth_error_and_forgets_the_secret)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH PLAIN\n"
                         "C: AUTH PLAIN " PLAIN_ALICE "\n"
                         "S: 535 5.7.8 Error: authentication failed: authentication failure\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK_STR(f.err.server_reply,
                 "535 5.7.8 Error: authentication failed: authentication failure");
    TM_CHECK(strstr(f.err.message, "refused the login of alice") != NULL);
    TM_CHECK(strstr(f.err.message, "secret") == NULL);
    TM_CHECK_INT(f.forget_calls, 1);
    TM_CHECK_INT(f.forgotten, TM_SECRET_PASSWORD);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_534_and_530_forget_but_454_does_not)
{
    static const char *const replies[] = {
        "534 5.7.9 Authentication mechanism is too weak", "530 5.7.0 Authentication required",
        "454 4.7.0 Temporary authentication failure", "504 5.5.4 Unrecognized authentication type"};
    static const enum tm_status want[] = {TM_EAUTH, TM_EAUTH, TM_ENET, TM_EAUTH};
    static const int forgets[] = {1, 1, 0, 0};
    for (size_t i = 0; i < 4; i++) {
        char script[2048];
        struct sfx f;
        snprintf(script, sizeof(script), "%sS: 250 AUTH PLAIN\nC: AUTH PLAIN %s\nS: %s\n", OPENING,
                 PLAIN_ALICE, replies[i]);
        sfx_init(&f, script);
        f.o.user = "alice";
        TM_CHECK_INT(sfx_open(&f), want[i]);
        TM_CHECK_STR(f.err.server_reply, replies[i]);
        TM_CHECK_INT(f.forget_calls, forgets[i]);
        sfx_finish(&f);
        sfx_close(&f);
    }
}

TM_TEST(smtp_auth_xoauth2_error_is_answered_with_an_empty_line)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH LOGIN PLAIN XOAUTH2\n"
                         "C: AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2sBAQ==\n"
                         "S: 334 " OAUTH_ERROR "\n"
                         "C: \n"
                         "S: 535 5.7.8 Username and Password not accepted\n");
    f.o.user = "alice";
    f.o.oauth = true;
    f.secret = "tok";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK_INT(f.asked, TM_SECRET_OAUTH_TOKEN);
    TM_CHECK_STR(f.err.server_reply, "535 5.7.8 Username and Password not accepted");
    TM_CHECK_INT(f.forget_calls, 1);
    TM_CHECK_INT(f.forgotten, TM_SECRET_OAUTH_TOKEN);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_oauthbearer_is_preferred_and_its_error_answered_with_aq)
{
    struct sfx f;
    sfx_init(&f,
             OPENING "S: 250 AUTH XOAUTH2 OAUTHBEARER\n"
                     "C: AUTH OAUTHBEARER "
                     "bixhPWFsaWNlLAFob3N0PXNtdHAuZXhhbXBsZQFwb3J0PTU4NwFhdXRoPUJlYXJlciB0b2sBAQ=="
                     "\n"
                     "S: 334 " OAUTH_ERROR "\n"
                     "C: AQ==\n"
                     "S: 535 5.7.8 Authentication credentials invalid\n");
    f.o.user = "alice";
    f.o.oauth = true;
    f.secret = "tok";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK_INT(f.forget_calls, 1);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_long_token_waits_for_the_first_challenge)
{
    static char token[601], script[4096];
    struct sfx f;
    memset(token, 'T', sizeof(token) - 1);
    char clear[700];
    snprintf(clear, sizeof(clear), "user=alice\001auth=Bearer %s\001\001", token);
    snprintf(script, sizeof(script),
             "%sS: 250 AUTH XOAUTH2\nC: AUTH XOAUTH2\nS: 334 \nC: %s\nS: 235 2.7.0 Accepted\n",
             OPENING, sfx_b64(clear));
    sfx_init(&f, script);
    f.o.user = "alice";
    f.o.oauth = true;
    f.secret = token;
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_login_empty_password_is_an_empty_line)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH LOGIN\n"
                         "C: AUTH LOGIN\n"
                         "S: 334 VXNlcm5hbWU6\n"
                         "C: YWxpY2U=\n"
                         "S: 334 UGFzc3dvcmQ6\n"
                         "C: \n"
                         "S: 235 ok\n");
    f.o.user = "alice";
    f.secret = "";
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_without_tls_is_refused_unless_allowed)
{
    struct sfx f;
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250 AUTH PLAIN\n");
    f.o.require_tls = false;
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_ETLS);
    TM_CHECK(strstr(f.err.message, "without TLS") != NULL);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
    /* tls = off and allow_plaintext_auth: the person asked for it. */
    sfx_init(&f, GREETING "C: EHLO client.example\n"
                          "S: 250-smtp.example\n"
                          "S: 250 AUTH PLAIN\n"
                          "C: AUTH PLAIN " PLAIN_ALICE "\n"
                          "S: 235 ok\n");
    f.o.require_tls = false;
    f.o.allow_plaintext_auth = true;
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_OK);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_with_no_common_mechanism_asks_no_secret)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH CRAM-MD5 GSSAPI\n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK(strstr(f.err.message, "SCRAM-SHA-256, PLAIN, LOGIN") != NULL);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
    sfx_init(&f, OPENING "S: 250 AUTH PLAIN LOGIN\n");
    f.o.user = "alice";
    f.o.oauth = true;
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    TM_CHECK(strstr(f.err.message, "OAUTHBEARER") != NULL);
    TM_CHECK_INT(f.secret_calls, 0);
    sfx_finish(&f);
    sfx_close(&f);
    sfx_init(&f, OPENING "S: 250 8BITMIME\n"); /* no AUTH at all */
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_EAUTH);
    sfx_finish(&f);
    sfx_close(&f);
}

TM_TEST(smtp_auth_endless_challenges_end_the_session)
{
    struct sfx f;
    sfx_init(&f, OPENING "S: 250 AUTH PLAIN\n"
                         "C: AUTH PLAIN " PLAIN_ALICE "\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n"
                         "C: *\n"
                         "S: 334 \n");
    f.o.user = "alice";
    TM_CHECK_INT(sfx_open(&f), TM_EPROTO);
    TM_CHECK(f.s->dead);
    sfx_finish(&f);
    sfx_close(&f);
}
