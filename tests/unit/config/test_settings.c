/* test_settings.c - set/unset/reset of typed settings, their errors, and account blocks. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "src/config/private.h"
#include "tm_test.h"

TM_TEST(settings_defaults_come_from_the_table)
{
    struct tm_config *cfg = parse_text("");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->settings.sort, TM_SORT_THREADS);
    TM_CHECK_INT(cfg->settings.timeout, 600);
    TM_CHECK_INT(cfg->settings.delete_, TM_QUAD_ASK_YES);
    TM_CHECK(cfg->settings.mark_old);
    TM_CHECK_STR(cfg->settings.charset_fallback, "windows-1252");
    TM_CHECK(cfg->settings.editor == NULL);
    TM_CHECK_INT(cfg->defaults.tls, TM_TLS_ON);
    TM_CHECK_INT(cfg->n_accounts, 0);
    tm_config_free(&cfg);
    TM_CHECK(cfg == NULL);
}

TM_TEST(settings_table_is_sorted_and_defaults_are_valid)
{
    size_t n;
    const struct tm_setting_info *t = tm_config_settings(&n);
    char msg[256];
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(t[i - 1].name, t[i].name) >= 0)
            TM_CHECK(!"table not sorted");
        if (t[i].alias_of) {
            TM_CHECK(cfg_setting_find(t[i].alias_of) != NULL);
            continue;
        }
        TM_CHECK(t[i].description && *t[i].description);
        struct tm_settings g = {0};
        struct tm_account a = {0};
        void *dst = cfg_setting_ptr(&t[i], &g, &a);
        bool ok = cfg_value_set(&t[i], dst, t[i].def, msg, sizeof(msg));
        if (!ok)
            TM_CHECK_STR(t[i].name, msg);
        cfg_value_free(&t[i], dst);
        if (t[i].scope == TM_SCOPE_ACCOUNT)
            TM_CHECK(cfg_setting_index(&t[i]) >= 0 && cfg_setting_index(&t[i]) < 64);
    }
}

TM_TEST(settings_set_forms)
{
    struct tm_config *cfg = parse_text("set sort = threads\n"
                                       "set sort_aux=subject wrap=72\n"
                                       "set sort_reverse\n"
                                       "set nomark_old\n"
                                       "set invbeep\n"
                                       "set editor=\"vim -c 'set tw=72'\"\n"
                                       "set index_format = \"%4C %s\"\n"
                                       "set attribution=\"\" pager_index_lines = 5\n"
                                       "set timeout =30\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->settings.sort, TM_SORT_THREADS);
    TM_CHECK_INT(cfg->settings.sort_aux, TM_SORT_SUBJECT);
    TM_CHECK_INT(cfg->settings.wrap, 72);
    TM_CHECK(cfg->settings.sort_reverse);
    TM_CHECK(!cfg->settings.mark_old);
    TM_CHECK(!cfg->settings.beep);
    TM_CHECK_STR(cfg->settings.editor, "vim -c 'set tw=72'");
    TM_CHECK_STR(cfg->settings.index_format, "%4C %s");
    TM_CHECK(cfg->settings.attribution == NULL);
    TM_CHECK_INT(cfg->settings.pager_index_lines, 5);
    TM_CHECK_INT(cfg->settings.timeout, 30);
    tm_config_free(&cfg);
}

TM_TEST(settings_bool_spellings)
{
    struct tm_config *cfg = parse_text("set beep = off\nset help = false\nset tilde = On\n"
                                       "set askcc = 1\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK(!cfg->settings.beep && !cfg->settings.help);
    TM_CHECK(cfg->settings.tilde && cfg->settings.askcc);
    tm_config_free(&cfg);
}

TM_TEST(settings_unset_and_reset)
{
    struct tm_config *cfg = parse_text("set sort = size\nset editor = vi\nunset editor beep\n"
                                       "reset sort\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK(cfg->settings.editor == NULL);
    TM_CHECK(!cfg->settings.beep);
    TM_CHECK_INT(cfg->settings.sort, TM_SORT_THREADS);
    tm_config_free(&cfg);
}

TM_TEST(settings_unknown_name_suggests)
{
    struct tm_config *cfg = parse_text("\nset srot = date\nset sort_reverse\nset index_fromat=x\n"
                                       "set zzzzzzzzzz = 1\n");
    TM_CHECK_INT(cfg->n_errors, 3);
    TM_CHECK(
        has_diag(cfg, TM_CONFIG_ERROR, 2, "unknown setting \"srot\" (did you mean \"sort\"?)"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "did you mean \"index_format\"?"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "unknown setting \"zzzzzzzzzz\""));
    TM_CHECK(cfg->settings.sort_reverse); /* the rest of the file still counts */
    tm_config_free(&cfg);
}

TM_TEST(settings_bad_values)
{
    struct tm_config *cfg = parse_text("set beep = maybe\n"
                                       "set wrap = 1000\n"
                                       "set timeout = soon\n"
                                       "set sort = thread\n"
                                       "set sort = banana\n"
                                       "set quote_regex = \"([\"\n"
                                       "set sort\n"
                                       "set noeditor\n"
                                       "set alternates = \"(a{1,3000}){1,3000}\"\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "beep needs yes or no"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "between -300 and 300"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "needs a number"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "did you mean \"threads\"?"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "one of: date, date-received"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 6, "bad regular expression"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 7, "sort needs a value"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 8, "unknown setting \"noeditor\""));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 9, "too many nested repeats"));
    TM_CHECK_INT(cfg->n_errors, 9);
    TM_CHECK_INT(cfg->settings.wrap, 0); /* bad values leave the old value */
    tm_config_free(&cfg);
}

TM_TEST(settings_unknown_command_suggests)
{
    struct tm_config *cfg = parse_text("sett sort = date\nfrobnicate\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "unknown command \"sett\" (did you mean \"set\"?)"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "unknown command \"frobnicate\""));
    tm_config_free(&cfg);
}

TM_TEST(settings_unterminated_quote_is_reported_with_line)
{
    struct tm_config *cfg = parse_text("set sort = date\nset from = \"Alice\nset wrap = 5\n");
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "unterminated \" quote"));
    TM_CHECK_INT(cfg->settings.wrap, 5);
    tm_config_free(&cfg);
}

TM_TEST(settings_line_continuation)
{
    struct tm_config *cfg = parse_text("set index_format = \"%4C \\\n%s\"\nset bad\n");
    TM_CHECK_STR(cfg->settings.index_format, "%4C %s");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "unknown setting"));
    tm_config_free(&cfg);
}

static const char account_text[] = "set realname = \"Alice Example\"\n"
                                   "set imap_keepalive = 120\n"
                                   "account personal\n"
                                   "  set from     = \"Alice Example <alice@example.org>\"\n"
                                   "  set imap     = imaps://alice@imap.example.org\n"
                                   "  set smtp     = smtp://alice@smtp.example.org:587\n"
                                   "  set password_cmd = \"pass show mail/personal\"\n"
                                   "  set record   = Sent\n"
                                   "end\n"
                                   "account local\n"
                                   "  set from = bob@example.net\n"
                                   "  set maildir = ~/Maildir\n"
                                   "  set imap_keepalive = 60\n"
                                   "end\n";

TM_TEST(accounts_blocks_with_inheritance)
{
    struct tm_config *cfg = parse_text(account_text);
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->n_accounts, 2);
    const struct tm_account *p = tm_config_account(cfg, "personal");
    TM_CHECK(p != NULL);
    TM_CHECK_STR(p->from, "Alice Example <alice@example.org>");
    TM_CHECK_STR(p->realname, "Alice Example");
    TM_CHECK_INT(p->imap_keepalive, 120);
    TM_CHECK_STR(p->sent, "Sent");
    TM_CHECK_INT(p->read.scheme, TM_URL_IMAPS);
    TM_CHECK_STR(p->read.host, "imap.example.org");
    TM_CHECK_STR(p->read.user, "alice");
    TM_CHECK_INT(p->read.port, 993);
    TM_CHECK_INT(p->send.scheme, TM_URL_SMTP);
    TM_CHECK_INT(p->send.port, 587);
    TM_CHECK_STR(p->file, "test.rc");
    TM_CHECK_INT(p->line, 3);
    const struct tm_account *l = tm_config_account(cfg, "local");
    TM_CHECK_INT(l->read.scheme, TM_URL_MAILDIR);
    TM_CHECK_STR(l->read.path, "/home/alice/Maildir");
    TM_CHECK_INT(l->imap_keepalive, 60);
    TM_CHECK(has_diag(cfg, TM_CONFIG_WARNING, 10, "no smtp URL"));
    tm_config_free(&cfg);
}

TM_TEST(accounts_implicit_default_account)
{
    struct tm_config *cfg = parse_text("set from = a@b.org\nset folder = imap://a@h.org:1143/\n"
                                       "set smtp = smtps://h.org\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->n_accounts, 1);
    TM_CHECK_STR(cfg->accounts[0].name, "default");
    TM_CHECK_INT(cfg->accounts[0].read.port, 1143);
    TM_CHECK_INT(cfg->accounts[0].send.port, 465);
    tm_config_free(&cfg);
}

TM_TEST(accounts_missing_fields)
{
    struct tm_config *cfg = parse_text("account a\nset from = x@y.org\nend\n"
                                       "account b\nset pop = pops://u@pop.y.org\nend\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "account a has no reading URL"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "account b has no from address"));
    tm_config_free(&cfg);
}

TM_TEST(accounts_block_errors)
{
    struct tm_config *cfg = parse_text("end\naccount a\naccount b\nend\naccount a\nend\n"
                                       "account c\nset sort = date\nset maildir = /m\n"
                                       "set from = c@d.org\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "end without account"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "missing \"end\""));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "already defined at test.rc:2"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 8, "sort is a global setting"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 7, "account c has no \"end\""));
    tm_config_free(&cfg);
}

TM_TEST(accounts_bad_urls_and_addresses)
{
    struct tm_config *cfg = parse_text("set imap = pop://h.org\n"
                                       "set smtp = smtp://h.org:99999\n"
                                       "set maildir = Maildir\n"
                                       "set imap = http://h.org\n"
                                       "set from = \"Alice <alice>\"\n"
                                       "set from = alice@@x.org\n"
                                       "set tls_fingerprint = abc\n"
                                       "set tls = maybe\n"
                                       "set smtp = smtps://@h.org\n"
                                       "set from = \"Alice, Q. <a@x.org>\"\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "not allowed here (expected imap://, imaps://)"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "bad URL"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "must be absolute"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "bad URL \"http://h.org\""));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "bad address"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 6, "bad address"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 7, "bad tls_fingerprint"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 8, "bad value \"maybe\" for tls"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 9, "bad URL"));
    TM_CHECK_STR(cfg->defaults.from, "Alice, Q. <a@x.org>");
    tm_config_free(&cfg);
}

TM_TEST(accounts_tls_off_with_password_needs_allow_plaintext_auth)
{
    struct tm_config *cfg = parse_text("account a\nset from = a@b.org\nset imap = imap://h.org\n"
                                       "set tls = off\nset password_cmd = true\nend\n"
                                       "account b\nset from = a@b.org\nset imap = imap://h.org\n"
                                       "set tls = off\nset password_cmd = true\n"
                                       "set allow_plaintext_auth\nend\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "plain text; set allow_plaintext_auth"));
    TM_CHECK_INT(cfg->n_errors, 1);
    tm_config_free(&cfg);
}

TM_TEST(accounts_fingerprint_accepts_sha256)
{
    struct tm_config *cfg =
        parse_text("set tls_fingerprint = sha256:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                   "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n"
                   "set tls_ca_file = ~/ca.pem\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_STR(cfg->defaults.tls_ca_file, "/home/alice/ca.pem");
    tm_config_free(&cfg);
}

TM_TEST(parser_refuses_binary_and_huge_buffers)
{
    struct tm_config *cfg = tm_config_new();
    static const char bin[] = "set sort = date\nset \0wrap = 3\n";
    TM_CHECK_INT(tm_config_parse_buffer(cfg, "bin.rc", bin, sizeof(bin) - 1, NULL), TM_OK);
    TM_CHECK(cfg->unusable);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "binary data"));
    tm_config_free(&cfg);
}

TM_TEST(parser_overlong_line_is_one_error)
{
    static char text[TM_CONFIG_MAX_LINE + 64];
    memset(text, 'x', sizeof(text) - 1);
    memcpy(text, "set editor = ", 13);
    text[sizeof(text) - 1] = 0;
    char both[sizeof(text) + 32];
    snprintf(both, sizeof(both), "%s\nset wrap = 7\n", text);
    struct tm_config *cfg = parse_text(both);
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "line longer than 4096 bytes"));
    TM_CHECK_INT(cfg->settings.wrap, 7);
    tm_config_free(&cfg);
}

TM_TEST(parser_source_is_refused_when_pure)
{
    struct tm_config *cfg = parse_text("source other.rc\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "source is not available"));
    tm_config_free(&cfg);
}
