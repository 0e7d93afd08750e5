/* test_imap_decode.c - typed decoders over parsed responses: flags, FETCH attributes, dates,
 * capabilities, LIST and STATUS, mailbox-name safety. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_test_util.h"
#include "tm_test.h"
#include "tmail/flags.h"

TM_TEST(imap_flags_from_list_knows_system_flags_and_forwarded)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    TM_CHECK_INT(read_one("* FLAGS (\\seen \\ANSWERED \\Flagged \\Deleted \\Draft \\Recent "
                          "$forwarded $Junk \\* \"\\\\Seen\")\r\n",
                          &p, &r, NULL),
                 TM_OK);
    TM_CHECK_INT(imap_flags_from_list(&r.args[0]),
                 TM_FLAG_SEEN | TM_FLAG_ANSWERED | TM_FLAG_FLAGGED | TM_FLAG_DELETED |
                     TM_FLAG_DRAFT | TM_FLAG_RECENT | TM_FLAG_PASSED);
    TM_CHECK_INT(read_one("* FLAGS ()\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_flags_from_list(&r.args[0]), 0);
    TM_CHECK_INT(imap_flags_from_list(NULL), 0);
    imap_parser_free(&p);
}

TM_TEST(imap_flags_format_never_sends_recent)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(
        imap_flags_format(TM_FLAG_SEEN | TM_FLAG_FLAGGED | TM_FLAG_RECENT | TM_FLAG_PASSED, &b),
        TM_OK);
    TM_CHECK_STR(b.data, "\\Seen \\Flagged $Forwarded");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_flags_format(TM_FLAG_RECENT, &b), TM_OK);
    TM_CHECK_INT(b.len, 0);
    TM_CHECK_INT(imap_flags_format(0x7F, &b), TM_OK);
    TM_CHECK_STR(b.data, "\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded");
    tm_buf_cleanup(&b);
}

TM_TEST(imap_fetch_decode_header_sync_response)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    struct tm_error err;
    TM_CHECK_INT(
        read_one("* 7 FETCH (UID 4000000000 FLAGS (\\Seen $Forwarded) RFC822.SIZE 2048 "
                 "MODSEQ (9223372036854775807) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
                 "BODY[HEADER.FIELDS (DATE FROM)] {9}\r\nFrom: a\r\n X-GM-LABELS (a b) "
                 "ENVELOPE (NIL) BODYSTRUCTURE (\"TEXT\" \"PLAIN\"))\r\n",
                 &p, &r, &err),
        TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, &err), TM_OK);
    TM_CHECK_INT(f.seq, 7);
    TM_CHECK(f.has_uid && f.uid == 4000000000u);
    TM_CHECK(f.has_flags && f.flags == (TM_FLAG_SEEN | TM_FLAG_PASSED));
    TM_CHECK(f.has_size && f.size == 2048);
    TM_CHECK(f.has_modseq && f.modseq == INT64_MAX);
    TM_CHECK(f.has_internaldate);
    TM_CHECK_INT(f.internaldate, 837596665); /* 1996-07-17 09:44:25 UTC */
    TM_CHECK_INT(f.header_len, 9);
    TM_CHECK_STR(f.header, "From: a\r\n");
    TM_CHECK(f.body == NULL && f.section == NULL);
    TM_CHECK(f.envelope && f.envelope->n == 1);
    TM_CHECK(f.bodystructure && f.bodystructure->n == 2);
    imap_parser_free(&p);
}

TM_TEST(imap_fetch_decode_bodies_sections_and_nil)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    struct tm_error err;
    static const char in[] =
        "* 1 FETCH (BODY[] {3}\r\na\0b BODY[1.MIME] \"m\" BINARY.SIZE[1] 4)\r\n";
    TM_CHECK_INT(read_one_len(in, sizeof(in) - 1, &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, &err), TM_OK);
    TM_CHECK(f.body && f.body_len == 3 && memcmp(f.body, "a\0b", 4) == 0);
    TM_CHECK(f.section && f.section_len == 6 && strncmp(f.section, "1.MIME", 6) == 0);
    TM_CHECK_STR(f.section_data, "m");
    TM_CHECK_INT(read_one("* 2 FETCH (BODY[]<0> NIL RFC822.HEADER \"h\")\r\n", &p, &r, &err),
                 TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, &err), TM_OK);
    TM_CHECK(f.body == NULL && f.body_len == 0);
    TM_CHECK_STR(f.header, "h");
    TM_CHECK_INT(
        read_one("* 3 FETCH (RFC822 \"r\" BODY[HEADER] \"x\" BINARY[] \"b\")\r\n", &p, &r, &err),
        TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, &err), TM_OK);
    TM_CHECK_STR(f.body, "b");
    TM_CHECK_STR(f.header, "x");
    imap_parser_free(&p);
}

/* Each FETCH must fail with TM_EPARSE and a message containing what. */
static bool fetch_fails(const char *line, const char *what)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    struct tm_error err;
    bool ok = read_one(line, &p, &r, &err) == TM_OK &&
              imap_fetch_decode(&r, &f, &err) == TM_EPARSE && strstr(err.message, what);
    if (!ok)
        tm_test_fail(__FILE__, __LINE__, "%s: %s", line, err.message);
    imap_parser_free(&p);
    return ok;
}

TM_TEST(imap_fetch_decode_rejects_bad_values)
{
    TM_CHECK(fetch_fails("* 1 FETCH (UID 0)\r\n", "UID 0 is out of range"));
    TM_CHECK(fetch_fails("* 1 FETCH (UID 4294967296)\r\n", "out of range"));
    TM_CHECK(fetch_fails("* 1 FETCH (UID \"5\")\r\n", "UID is not a number"));
    TM_CHECK(fetch_fails("* 1 FETCH (RFC822.SIZE 9007199254740993)\r\n", "out of range"));
    TM_CHECK(fetch_fails("* 1 FETCH (MODSEQ (0))\r\n", "MODSEQ 0 is out of range"));
    TM_CHECK(fetch_fails("* 1 FETCH (MODSEQ 5)\r\n", "one-number list"));
    TM_CHECK(fetch_fails("* 1 FETCH (FLAGS \\Seen)\r\n", "FLAGS is not a list"));
    TM_CHECK(fetch_fails("* 1 FETCH (INTERNALDATE \"31-Feb-2020 00:00:00 +0000\")\r\n",
                         "not a date-time"));
    TM_CHECK(fetch_fails("* 1 FETCH (INTERNALDATE \"17-Jul-1996 24:00:00 +0000\")\r\n",
                         "not a date-time"));
    TM_CHECK(fetch_fails("* 1 FETCH (INTERNALDATE \"17-Jly-1996 02:44:25 -0700\")\r\n",
                         "not a date-time"));
    TM_CHECK(fetch_fails("* 1 FETCH (BODY[] 5)\r\n", "is not a string"));
    TM_CHECK(fetch_fails("* 1 FETCH (UID 1 FLAGS)\r\n", "name-value pairs"));
    TM_CHECK(fetch_fails("* 1 FETCH (\"UID\" 1)\r\n", "attribute name expected"));
    TM_CHECK(fetch_fails("* 0 FETCH (UID 1)\r\n", "message number 0"));
    TM_CHECK(fetch_fails("* 1 FETCH (UID 1) extra\r\n", "name-value pairs"));
    TM_CHECK(fetch_fails("* FETCH (UID 1)\r\n", "not an IMAP FETCH"));
    TM_CHECK(fetch_fails("* 1 EXISTS\r\n", "not an IMAP FETCH"));
}

TM_TEST(imap_internaldate_forms_and_zones)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_fetch f;
    static const struct {
        const char *date;
        long long epoch;
    } cases[] = {
        {" 1-Jan-1970 00:00:00 +0000", 0},   {"01-Jan-1970 00:00:00 +0100", -3600},
        {"1-jan-1970 00:00:00 -0130", 5400}, {"29-Feb-2024 23:59:60 +0000", 1709251200},
        {"31-Dec-1969 23:59:59 +0000", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char line[128];
        snprintf(line, sizeof(line), "* 1 FETCH (INTERNALDATE \"%s\")\r\n", cases[i].date);
        TM_CHECK_INT(read_one(line, &p, &r, NULL), TM_OK);
        TM_CHECK_INT(imap_fetch_decode(&r, &f, NULL), TM_OK);
        TM_CHECK_INT(f.internaldate, cases[i].epoch);
    }
    TM_CHECK_INT(
        read_one("* 1 FETCH (INTERNALDATE \"29-Feb-2023 00:00:00 +0000\")\r\n", &p, &r, NULL),
        TM_OK);
    TM_CHECK_INT(imap_fetch_decode(&r, &f, NULL), TM_EPARSE);
    imap_parser_free(&p);
}

TM_TEST(imap_caps_from_capability_response_and_code)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_caps c;
    TM_CHECK_INT(
        read_one("* CAPABILITY IMAP4rev1 imap4rev2 STARTTLS LOGINDISABLED SASL-IR "
                 "LITERAL+ LITERAL- IDLE CONDSTORE QRESYNC ENABLE UIDPLUS MOVE SPECIAL-USE "
                 "LIST-STATUS LIST-EXTENDED ESEARCH BINARY UTF8=ONLY NAMESPACE NOTIFY "
                 "COMPRESS=DEFLATE ID UNSELECT AUTH=PLAIN auth=login AUTH=XOAUTH2 "
                 "AUTH=OAUTHBEARER AUTH=SCRAM-SHA-256 AUTH=GSSAPI X-FOO \"IDLE\"\r\n",
                 &p, &r, NULL),
        TM_OK);
    imap_caps_parse(r.args, r.n_args, &c);
    for (int i = 0; i < IMAP_CAP__COUNT; i++)
        TM_CHECK(imap_caps_has(&c, (enum imap_cap)i));
    TM_CHECK(!imap_caps_has(&c, IMAP_CAP__COUNT));
    TM_CHECK_INT(c.auth, IMAP_AUTH_PLAIN | IMAP_AUTH_LOGIN | IMAP_AUTH_XOAUTH2 |
                             IMAP_AUTH_OAUTHBEARER | IMAP_AUTH_SCRAM_SHA_256);
    TM_CHECK_INT(
        read_one("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] ready\r\n", &p, &r, NULL), TM_OK);
    imap_caps_parse(r.code_args, r.n_code_args, &c);
    TM_CHECK(imap_caps_has(&c, IMAP_CAP_IMAP4REV1) && imap_caps_has(&c, IMAP_CAP_LITERALPLUS));
    TM_CHECK(!imap_caps_has(&c, IMAP_CAP_IDLE) && !imap_caps_has(&c, IMAP_CAP_STARTTLS));
    TM_CHECK_INT(c.auth, IMAP_AUTH_PLAIN);
    imap_parser_free(&p);
}

TM_TEST(imap_code_number_reads_numeric_codes)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    uint64_t v = 0;
    TM_CHECK_INT(read_one("* OK [UIDVALIDITY 1700000000] UIDs valid\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK(imap_code_number(&r, "UIDVALIDITY", &v) && v == 1700000000);
    TM_CHECK(!imap_code_number(&r, "UIDNEXT", &v));
    TM_CHECK_INT(read_one("* OK [UIDNEXT x] bad\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK(!imap_code_number(&r, "UIDNEXT", &v));
    TM_CHECK_INT(read_one("* OK [PERMANENTFLAGS (\\Seen \\*)] x\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK(imap_list_has_atom(&r.code_args[0], "\\*"));
    TM_CHECK(!imap_list_has_atom(&r.code_args[0], "\\Deleted"));
    TM_CHECK_INT(imap_flags_from_list(&r.code_args[0]), TM_FLAG_SEEN);
    imap_parser_free(&p);
}

TM_TEST(imap_list_decode_utf7_names_attrs_and_delimiters)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_list_entry e;
    struct tm_error err;
    TM_CHECK_INT(
        read_one("* LIST (\\HasNoChildren \\Drafts) \"/\" \"Entw&APw-rfe\"\r\n", &p, &r, &err),
        TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, false, &e, &err), TM_OK);
    TM_CHECK_STR(e.name_utf8, "Entw\xC3\xBCrfe");
    TM_CHECK_STR(e.raw_name, "Entw&APw-rfe");
    TM_CHECK_INT(e.delimiter, '/');
    TM_CHECK_INT(e.attrs, IMAP_LIST_HASNOCHILDREN | IMAP_LIST_DRAFTS);
    TM_CHECK(!e.name_undecodable && !e.name_unsafe);
    imap_list_entry_cleanup(&e);
    TM_CHECK(e.name_utf8 == NULL);

    TM_CHECK_INT(read_one("* LSUB (\\NonExistent \\Sent \\Trash \\Junk \\All \\Archive \\Flagged "
                          "\\Marked \\Unmarked \\Subscribed \\Remote \\HasChildren \\NoInferiors) "
                          "NIL inbox\r\n",
                          &p, &r, &err),
                 TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, false, &e, &err), TM_OK);
    TM_CHECK_STR(e.name_utf8, "INBOX");
    TM_CHECK_INT(e.delimiter, 0);
    TM_CHECK_INT(e.attrs, 0xFFFF & ~IMAP_LIST_HASNOCHILDREN & ~IMAP_LIST_DRAFTS);
    imap_list_entry_cleanup(&e);

    TM_CHECK_INT(read_one("* LIST () \"\\\\\" 2024\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, false, &e, &err), TM_OK);
    TM_CHECK_STR(e.name_utf8, "2024");
    TM_CHECK_INT(e.delimiter, '\\');
    imap_list_entry_cleanup(&e);
    imap_parser_free(&p);
}

TM_TEST(imap_list_decode_flags_undecodable_and_unsafe_names)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_list_entry e;
    struct tm_error err;
    /* Raw 8-bit where modified UTF-7 was due: shown as it is, marked, never silently lost. */
    TM_CHECK_INT(read_one("* LIST () \"/\" \"Entw\xC3\xBCrfe\"\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, false, &e, &err), TM_OK);
    TM_CHECK(e.name_undecodable);
    TM_CHECK_STR(e.name_utf8, "Entw\xC3\xBCrfe");
    imap_list_entry_cleanup(&e);
    /* Under UTF8=ACCEPT the same name is just UTF-8 ... */
    TM_CHECK_INT(imap_list_decode(&r, true, &e, &err), TM_OK);
    TM_CHECK(!e.name_undecodable && !e.name_unsafe);
    TM_CHECK_STR(e.name_utf8, "Entw\xC3\xBCrfe");
    imap_list_entry_cleanup(&e);
    /* ... and "&" is not special. */
    TM_CHECK_INT(read_one("* LIST () \"/\" \"a&APw-\"\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, true, &e, &err), TM_OK);
    TM_CHECK_STR(e.name_utf8, "a&APw-");
    imap_list_entry_cleanup(&e);
    /* Invalid UTF-8 and NUL become U+FFFD. */
    static const char nul[] = "* LIST () \"/\" {4}\r\na\xFF\0b\r\n";
    TM_CHECK_INT(read_one_len(nul, sizeof(nul) - 1, &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, true, &e, &err), TM_OK);
    TM_CHECK(e.name_undecodable);
    TM_CHECK_STR(e.name_utf8, "a\xEF\xBF\xBD\xEF\xBF\xBD"
                              "b");
    TM_CHECK_INT(e.raw_name_len, 4);
    imap_list_entry_cleanup(&e);
    /* An escape sequence encoded in UTF-7 decodes, and is flagged. */
    TM_CHECK_INT(read_one("* LIST () \"/\" \"x&ABs-[31m\"\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_list_decode(&r, false, &e, &err), TM_OK);
    TM_CHECK(!e.name_undecodable && e.name_unsafe);
    TM_CHECK_STR(e.name_utf8, "x\x1b[31m");
    imap_list_entry_cleanup(&e);
    imap_parser_free(&p);
}

TM_TEST(imap_list_decode_rejects_malformed_responses)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_list_entry e;
    const char *bad[] = {"* LIST \"/\" INBOX\r\n",  "* LIST () \"//\" INBOX\r\n",
                         "* LIST () \"/\" NIL\r\n", "* LIST () \"/\" (a)\r\n",
                         "* LIST () 5 INBOX\r\n",   "* STATUS INBOX ()\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TM_CHECK_INT(read_one(bad[i], &p, &r, NULL), TM_OK);
        TM_CHECK_INT(imap_list_decode(&r, false, &e, NULL), TM_EPARSE);
        TM_CHECK(e.name_utf8 == NULL);
    }
    imap_parser_free(&p);
}

TM_TEST(imap_status_decode_items)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_status_info s;
    struct tm_error err;
    TM_CHECK_INT(read_one("* STATUS \"&ZeVnLIqe-\" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 "
                          "UNSEEN 0 HIGHESTMODSEQ 7011231777 SIZE 12345 APPENDLIMIT NIL)\r\n",
                          &p, &r, &err),
                 TM_OK);
    TM_CHECK_INT(imap_status_decode(&r, false, &s, &err), TM_OK);
    TM_CHECK_STR(s.mailbox_utf8, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    TM_CHECK(s.has_messages && s.messages == 231);
    TM_CHECK(s.has_uidnext && s.uidnext == 44292);
    TM_CHECK(s.has_uidvalidity && s.uidvalidity == 1);
    TM_CHECK(s.has_unseen && s.unseen == 0);
    TM_CHECK(s.has_highestmodseq && s.highestmodseq == 7011231777ull);
    imap_status_info_cleanup(&s);
    TM_CHECK_INT(read_one("* STATUS INBOX (UIDVALIDITY 0)\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_status_decode(&r, false, &s, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "UIDVALIDITY 0") != NULL);
    TM_CHECK_INT(read_one("* STATUS INBOX (MESSAGES)\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_status_decode(&r, false, &s, &err), TM_EPARSE);
    TM_CHECK_INT(read_one("* STATUS INBOX (UIDNEXT 4294967296)\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(imap_status_decode(&r, false, &s, &err), TM_EPARSE);
    TM_CHECK(s.mailbox_utf8 == NULL);
    imap_parser_free(&p);
}

TM_TEST(imap_name_is_safe_rejects_controls)
{
    TM_CHECK(imap_name_is_safe("INBOX/Entw\xC3\xBCrfe"));
    TM_CHECK(imap_name_is_safe(""));
    TM_CHECK(!imap_name_is_safe("a\tb"));
    TM_CHECK(!imap_name_is_safe("a\x1b[2Jb"));
    TM_CHECK(!imap_name_is_safe("a\x7f"));
    TM_CHECK(!imap_name_is_safe("a\xC2\x9B"
                                "b")); /* U+009B CSI */
    TM_CHECK(!imap_name_is_safe("a\xFF"));
    TM_CHECK(imap_name_is_safe("\xC2\xA0"));
}
