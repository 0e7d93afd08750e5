/* test_starter.c - the starter tmailrc of the first-run setup: exact text, and it parses back
 * into an account with the right URLs and no errors. */
#include "helpers.h"
#include "tm_test.h"
#include "tmail/config.h"

TM_TEST(starter_guesses_hosts_from_the_domain)
{
    char host[128];
    TM_CHECK(tm_config_guess_host("alice@example.org", "imap", host, sizeof(host)));
    TM_CHECK_STR(host, "imap.example.org");
    TM_CHECK(!tm_config_guess_host("alice", "imap", host, sizeof(host)));
    TM_CHECK(!tm_config_guess_host("alice@", "imap", host, sizeof(host)));
}

TM_TEST(starter_imap_text_parses_back_without_errors)
{
    struct tm_config_starter in = {
        false, "alice@example.org",   "Alice Example", "imap.example.org", 0, "smtp.example.org",
        0,     "pass show mail/alice"};
    struct tm_buf text;
    tm_buf_init(&text, 0);
    TM_CHECK_INT(tm_config_starter_text(&in, &text, NULL), TM_OK);
    TM_CHECK(strstr(text.data, "  set from = \"Alice Example <alice@example.org>\"\n") != NULL);
    TM_CHECK(strstr(text.data, "  set imap = imaps://alice@example.org@imap.example.org:993\n"));
    TM_CHECK(strstr(text.data, "  set smtp = smtp://alice@example.org@smtp.example.org:587\n"));
    struct tm_config *cfg = tm_config_new();
    TM_CHECK(cfg != NULL);
    TM_CHECK_INT(tm_config_parse_buffer(cfg, "starter", text.data, text.len, NULL), TM_OK);
    TM_CHECK_INT(tm_config_finish(cfg), TM_OK);
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->n_accounts, 1);
    TM_CHECK_INT(cfg->accounts[0].read.scheme, TM_URL_IMAPS);
    TM_CHECK_STR(cfg->accounts[0].read.user, "alice@example.org");
    TM_CHECK_STR(cfg->accounts[0].read.host, "imap.example.org");
    TM_CHECK_INT(cfg->accounts[0].send.port, 587);
    TM_CHECK_STR(cfg->accounts[0].password_cmd, "pass show mail/alice");
    tm_config_free(&cfg);
    tm_buf_cleanup(&text);
}

TM_TEST(starter_pop3_with_implicit_tls_submission)
{
    struct tm_config_starter in = {true, "bob@example.net",  NULL, "pop.example.net",
                                   0,    "mail.example.net", 465,  NULL};
    struct tm_buf text;
    tm_buf_init(&text, 0);
    TM_CHECK_INT(tm_config_starter_text(&in, &text, NULL), TM_OK);
    TM_CHECK(strstr(text.data, "  set from = \"bob@example.net\"\n") != NULL);
    TM_CHECK(strstr(text.data, "  set pop = pops://bob@example.net@pop.example.net:995\n"));
    TM_CHECK(strstr(text.data, "  set smtp = smtps://bob@example.net@mail.example.net:465\n"));
    TM_CHECK(strstr(text.data, "asks for the password") != NULL);
    tm_buf_cleanup(&text);
}

TM_TEST(starter_refuses_what_the_file_cannot_hold)
{
    struct tm_buf text;
    struct tm_error err;
    tm_buf_init(&text, 0);
    struct tm_config_starter bad_addr = {false, "not an address", NULL, "h", 0, "h", 0, NULL};
    TM_CHECK_INT(tm_config_starter_text(&bad_addr, &text, &err), TM_ECONFIG);
    struct tm_config_starter bad_name = {false, "a@b.c", "Evil\"\nset x", "h", 0, "h", 0, NULL};
    TM_CHECK_INT(tm_config_starter_text(&bad_name, &text, &err), TM_ECONFIG);
    struct tm_config_starter bad_cmd = {false, "a@b.c", NULL, "h", 0, "h", 0, "echo $(id)"};
    TM_CHECK_INT(tm_config_starter_text(&bad_cmd, &text, &err), TM_ECONFIG);
    struct tm_config_starter bad_host = {false, "a@b.c", NULL, "h/x", 0, "h", 0, NULL};
    TM_CHECK_INT(tm_config_starter_text(&bad_host, &text, &err), TM_ECONFIG);
    tm_buf_cleanup(&text);
}
