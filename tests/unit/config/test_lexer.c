/* test_lexer.c - words of a tmailrc line: quoting, escapes, expansion, comments, errors. */
#include <string.h>

#include "helpers.h"
#include "src/config/private.h"
#include "tm_test.h"

static enum tm_status lex(const char *line, struct cfg_words *w, char *msg)
{
    return cfg_lex_line(line, strlen(line), &test_env, w, msg, 256);
}

TM_TEST(lexer_splits_words_and_drops_comments)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("  set  sort = threads   # a comment", &w, msg), TM_OK);
    TM_CHECK_INT(w.n, 4);
    TM_CHECK_STR(w.w[0].text, "set");
    TM_CHECK_STR(w.w[3].text, "threads");
    TM_CHECK_INT(w.w[2].eq, 0);
    cfg_words_cleanup(&w);
    TM_CHECK_INT(lex("# only a comment", &w, msg), TM_OK);
    TM_CHECK_INT(w.n, 0);
}

TM_TEST(lexer_double_quotes_keep_spaces_and_hashes)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("set from = \"Alice # Example <a@b.org>\"", &w, msg), TM_OK);
    TM_CHECK_INT(w.n, 4);
    TM_CHECK_STR(w.w[3].text, "Alice # Example <a@b.org>");
    TM_CHECK_INT(w.w[3].eq, -1);
    cfg_words_cleanup(&w);
}

TM_TEST(lexer_single_quotes_are_literal)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("x '$HOME \\n \"q\"'", &w, msg), TM_OK);
    TM_CHECK_STR(w.w[1].text, "$HOME \\n \"q\"");
    cfg_words_cleanup(&w);
}

TM_TEST(lexer_backslash_escapes)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("x \"a\\tb\\\"c\" \\Cf \\e \\177 a\\ b", &w, msg), TM_OK);
    TM_CHECK_INT(w.n, 6);
    TM_CHECK_STR(w.w[1].text, "a\tb\"c");
    TM_CHECK_STR(w.w[2].text, "\x06");
    TM_CHECK_STR(w.w[3].text, "\x1b");
    TM_CHECK_STR(w.w[4].text, "\x7f");
    TM_CHECK_STR(w.w[5].text, "a b");
    cfg_words_cleanup(&w);
}

TM_TEST(lexer_expands_variables_and_tilde)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("x ~/Mail $MAILROOT/a ${MAILROOT}b \"$HOME\" ~x $UNSET. a~", &w, msg), TM_OK);
    TM_CHECK_INT(w.n, 8);
    TM_CHECK_STR(w.w[1].text, "/home/alice/Mail");
    TM_CHECK_STR(w.w[2].text, "/srv/mail/a");
    TM_CHECK_STR(w.w[3].text, "/srv/mailb");
    TM_CHECK_STR(w.w[4].text, "/home/alice");
    TM_CHECK_STR(w.w[5].text, "~x");
    TM_CHECK_STR(w.w[6].text, ".");
    TM_CHECK_STR(w.w[7].text, "a~");
    cfg_words_cleanup(&w);
}

TM_TEST(lexer_reports_unterminated_quote)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("set from = \"Alice", &w, msg), TM_EPARSE);
    TM_CHECK(strstr(msg, "unterminated") != NULL);
    TM_CHECK_INT(w.n, 0);
    TM_CHECK_INT(lex("set from = 'Alice", &w, msg), TM_EPARSE);
    TM_CHECK_INT(lex("x ${HOME", &w, msg), TM_EPARSE);
    TM_CHECK_INT(lex("x \\000", &w, msg), TM_EPARSE);
}

TM_TEST(lexer_marks_explicit_empty_value)
{
    struct cfg_words w;
    char msg[256];
    TM_CHECK_INT(lex("set a=\"\" b=", &w, msg), TM_OK);
    TM_CHECK_INT(w.n, 3);
    TM_CHECK(w.w[1].eq_tail_quoted);
    TM_CHECK(!w.w[2].eq_tail_quoted);
    cfg_words_cleanup(&w);
}

TM_TEST(did_you_mean_finds_close_names)
{
    static const char *const names[] = {"sort", "sort_aux", "index_format", "smtp"};
    TM_CHECK_STR(cfg_did_you_mean("srot", names, 4, sizeof(char *)), "sort");
    TM_CHECK_STR(cfg_did_you_mean("index_fromat", names, 4, sizeof(char *)), "index_format");
    TM_CHECK(cfg_did_you_mean("completely_else", names, 4, sizeof(char *)) == NULL);
    TM_CHECK_INT(cfg_edit_distance("ab", "ba"), 1);
    TM_CHECK_INT(cfg_edit_distance("kitten", "sitting"), 3);
}
