/* test_imap_quote.c - command arguments: atoms, quoted strings, literals, mailbox names, and
 * splitting commands at synchronizing literals. */
#include <string.h>

#include "imap_test_util.h"
#include "tm_test.h"

static const char *astring(const char *s, size_t len, bool literal_plus, bool *sync)
{
    static struct tm_buf b;
    tm_buf_cleanup(&b);
    tm_buf_init(&b, 0);
    tm_buf_append_str(&b, "");
    if (imap_append_astring(&b, s, len, literal_plus, sync) != TM_OK)
        return "(error)";
    return b.data;
}

TM_TEST(imap_astring_picks_atom_quoted_or_literal)
{
    bool sync = false;
    TM_CHECK_STR(astring("joe", 3, false, &sync), "joe");
    TM_CHECK_STR(astring("12345", 5, false, &sync), "\"12345\"");
    TM_CHECK_STR(astring("2024-x", 6, false, &sync), "2024-x");
    TM_CHECK_STR(astring("INBOX.Sent-2024_x", 17, false, &sync), "INBOX.Sent-2024_x");
    TM_CHECK_STR(astring("", 0, false, &sync), "\"\"");
    TM_CHECK_STR(astring("nil", 3, false, &sync), "\"nil\"");
    TM_CHECK_STR(astring("two words", 9, false, &sync), "\"two words\"");
    TM_CHECK_STR(astring("a\"b\\c", 5, false, &sync), "\"a\\\"b\\\\c\"");
    TM_CHECK_STR(astring("a*", 2, false, &sync), "\"a*\"");
    TM_CHECK_STR(astring("%", 1, false, &sync), "\"%\"");
    TM_CHECK_STR(astring("x]", 2, false, &sync), "\"x]\"");
    TM_CHECK_STR(astring("(x)", 3, false, &sync), "\"(x)\"");
    TM_CHECK_STR(astring("{5}", 3, false, &sync), "\"{5}\"");
    TM_CHECK(!sync);
    TM_CHECK_STR(astring("p\xC3\xA4ss", 5, true, &sync), "{5+}\r\np\xC3\xA4ss");
    TM_CHECK(!sync);
    TM_CHECK_STR(astring("line\r\nbreak", 11, false, &sync), "{11}\r\nline\r\nbreak");
    TM_CHECK(sync);
    TM_CHECK_STR(astring("tab\t", 4, false, NULL), "{4}\r\ntab\t");
    TM_CHECK_STR(astring("nul\0", 4, true, &sync), "(error)");
}

TM_TEST(imap_astring_output_parses_back_to_the_same_bytes)
{
    static const char *const inputs[] = {"joe",    "",         "NIL",   "a b",      "\"\\",
                                         "x\r\ny", "\xFF\x01", "12345", "a{3}\r\n", "\xC3\xA4"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        for (int plus = 0; plus < 2; plus++) {
            struct tm_buf cmd;
            tm_buf_init(&cmd, 0);
            tm_buf_append_str(&cmd, "* X ");
            TM_CHECK_INT(imap_append_astring(&cmd, inputs[i], strlen(inputs[i]), plus, NULL),
                         TM_OK);
            tm_buf_append_str(&cmd, "\r\n");
            struct imap_parser *p = NULL;
            struct imap_response r;
            TM_CHECK_INT(read_one(cmd.data, &p, &r, NULL), TM_OK);
            TM_CHECK_INT(r.n_args, 1);
            TM_CHECK(r.args[0].type != IMAP_V_NIL && r.args[0].type != IMAP_V_LIST);
            TM_CHECK_INT(r.args[0].len, strlen(inputs[i]));
            TM_CHECK(memcmp(r.args[0].str, inputs[i], r.args[0].len) == 0);
            imap_parser_free(&p);
            tm_buf_cleanup(&cmd);
        }
    }
}

TM_TEST(imap_mailbox_names_in_utf7_or_utf8)
{
    struct tm_buf b;
    bool sync = false;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(imap_append_mailbox(&b, "Entw\xC3\xBCrfe", false, false, &sync), TM_OK);
    TM_CHECK_STR(b.data, "Entw&APw-rfe");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_append_mailbox(&b, "inbox", false, false, &sync), TM_OK);
    TM_CHECK_STR(b.data, "INBOX");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_append_mailbox(&b, "Sent Items", false, false, &sync), TM_OK);
    TM_CHECK_STR(b.data, "\"Sent Items\"");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_append_mailbox(&b, "Entw\xC3\xBCrfe 2", true, false, &sync), TM_OK);
    TM_CHECK_STR(b.data, "\"Entw\xC3\xBCrfe 2\"");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_append_mailbox(&b, "ctl\x01", false, false, &sync), TM_OK);
    TM_CHECK_STR(b.data, "ctl&AAE-");
    TM_CHECK(!sync);
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_append_mailbox(&b, "ctl\x01", true, false, &sync), TM_OK);
    TM_CHECK_STR(b.data, "{4}\r\nctl\x01");
    TM_CHECK(sync);
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_append_mailbox(&b, "bad\xFF", false, false, &sync), TM_EPARSE);
    TM_CHECK_INT(b.len, 0);
    tm_buf_cleanup(&b);
}

TM_TEST(imap_command_split_at_synchronizing_literals)
{
    struct tm_buf cmd;
    bool sync = false;
    tm_buf_init(&cmd, 0);
    tm_buf_append_str(&cmd, "a1 LOGIN ");
    imap_append_astring(&cmd, "us{3}\r\ner\x01", 10, false, &sync);
    tm_buf_append_char(&cmd, ' ');
    imap_append_astring(&cmd, "\"{1}\r\n\"", 7, false, &sync);
    tm_buf_append_char(&cmd, ' ');
    imap_append_astring(&cmd, "plus\x01", 5, true, &sync);
    tm_buf_append_char(&cmd, ' ');
    imap_append_astring(&cmd, "x\"{2}\r\ny", 8, true, &sync);
    tm_buf_append_str(&cmd, "\r\n");
    TM_CHECK(sync);
    const char *expect[] = {"a1 LOGIN {10}\r\n", "us{3}\r\ner\x01 {7}\r\n",
                            "\"{1}\r\n\" {5+}\r\nplus\x01 {8+}\r\nx\"{2}\r\ny\r\n"};
    size_t at = 0, part = 0;
    while (at < cmd.len) {
        size_t end = imap_command_split(cmd.data, cmd.len, at);
        TM_CHECK(end > at && part < 3);
        TM_CHECK_INT(end - at, strlen(expect[part]));
        TM_CHECK(memcmp(cmd.data + at, expect[part], end - at) == 0);
        at = end;
        part++;
    }
    TM_CHECK_INT(part, 3);
    /* Quoted strings hide "{n}" look-alikes; a command without literals is one part. */
    TM_CHECK_INT(imap_command_split("a SELECT \"{1}\r\n\"\r\n", 18, 0), 18);
    TM_CHECK_INT(imap_command_split("", 0, 0), 0);
    /* A literal announcing more than the command holds ends it. */
    TM_CHECK_INT(imap_command_split("a {9+}\r\nab", 10, 0), 10);
    tm_buf_cleanup(&cmd);
}
