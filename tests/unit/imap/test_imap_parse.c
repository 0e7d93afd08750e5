/* test_imap_parse.c - the IMAP response reader: every response kind, real Dovecot transcripts,
 * literals across reads, and hostile input, each read with chunk sizes 1, 2, 3, 7 and whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_test_util.h"
#include "tm_test.h"

static const size_t chunks[] = {0, 1, 2, 3, 7};

/* Every chunk size gives exactly `expect` and a clean end of input. */
static bool check_transcript(const char *in, size_t len, const char *expect, const char *file,
                             int line)
{
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        enum tm_status end;
        struct tm_error err;
        char *got = read_all(in, len, chunks[c], NULL, &end, &err);
        bool ok = strcmp(got, expect) == 0 && end == TM_ENET &&
                  strcmp(err.message, "connection closed") == 0;
        if (!ok)
            tm_test_fail(file, line, "chunk %zu: got\n%s(end %s: %s)\nexpected\n%s", chunks[c], got,
                         tm_status_name(end), err.message, expect);
        free(got);
        if (!ok)
            return false;
    }
    return true;
}

#define CHECK_TRANSCRIPT(in, expect)                                                               \
    do {                                                                                           \
        if (!check_transcript(in, sizeof(in) - 1, expect, __FILE__, __LINE__))                     \
            return;                                                                                \
    } while (0)

/* Every chunk size fails with st, a message containing `what`, printable ASCII only. */
static bool check_error(const char *in, size_t len, const struct imap_limits *lim,
                        enum tm_status st, const char *what, const char *file, int line)
{
    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        enum tm_status end;
        struct tm_error err;
        char *got = read_all(in, len, chunks[c], lim, &end, &err);
        bool printable = true;
        for (const char *m = err.message; *m; m++)
            if ((unsigned char)*m < 0x20 || (unsigned char)*m >= 0x7F)
                printable = false;
        for (const char *m = err.server_reply; end != TM_ENET && *m; m++)
            if ((unsigned char)*m < 0x20 || (unsigned char)*m >= 0x7F)
                printable = false;
        bool ok = end == st && strstr(err.message, what) && printable;
        if (!ok)
            tm_test_fail(file, line, "chunk %zu: %s \"%s\" (wanted %s \"%s\"); parsed: %s",
                         chunks[c], tm_status_name(end), err.message, tm_status_name(st), what,
                         got);
        free(got);
        if (!ok)
            return false;
    }
    return true;
}

#define CHECK_ERROR(in, lim, st, what)                                                             \
    do {                                                                                           \
        if (!check_error(in, sizeof(in) - 1, lim, st, what, __FILE__, __LINE__))                   \
            return;                                                                                \
    } while (0)

/* ---- Response kinds ---- */

TM_TEST(imap_tagged_ok_no_bad_with_and_without_text)
{
    CHECK_TRANSCRIPT("a1 OK LOGIN completed\r\n"
                     "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                     "a3 BAD\r\n"
                     "a4 ok lower case\r\n"
                     "A.5 NO \r\n",
                     "T a1 OK text=\"LOGIN completed\"\n"
                     "T a2 NO [AUTHENTICATIONFAILED] text=\"Authentication failed.\"\n"
                     "T a3 BAD text=\"\"\n"
                     "T a4 OK text=\"lower case\"\n"
                     "T A.5 NO text=\"\"\n");
}

TM_TEST(imap_untagged_status_responses_bye_preauth_and_bare_no)
{
    CHECK_TRANSCRIPT("* BYE Logging out\r\n"
                     "* PREAUTH [CAPABILITY IMAP4rev1] Logged in as joe\r\n"
                     "* NO\r\n"
                     "* BAD Bad things\r\n"
                     "* OK [ALERT] System shutdown in 10 minutes\r\n",
                     "* BYE text=\"Logging out\"\n"
                     "* PREAUTH [CAPABILITY IMAP4rev1] text=\"Logged in as joe\"\n"
                     "* NO text=\"\"\n"
                     "* BAD text=\"Bad things\"\n"
                     "* OK [ALERT] text=\"System shutdown in 10 minutes\"\n");
}

TM_TEST(imap_continuation_with_text_base64_or_nothing)
{
    CHECK_TRANSCRIPT("+ idling\r\n"
                     "+\r\n"
                     "+ \r\n"
                     "+ dGVzdA==\r\n"
                     "+ Ready for literal data\n",
                     "+ text=\"idling\"\n"
                     "+ text=\"\"\n"
                     "+ text=\"\"\n"
                     "+ text=\"dGVzdA==\"\n"
                     "+ text=\"Ready for literal data\"\n");
}

TM_TEST(imap_numbered_data_responses_keep_zero)
{
    CHECK_TRANSCRIPT("* 0 EXISTS\r\n"
                     "* 23 EXISTS\r\n"
                     "* 0 RECENT\r\n"
                     "* 44 EXPUNGE\r\n"
                     "* 9223372036854775807 EXISTS\r\n",
                     "* 0 EXISTS\n"
                     "* 23 EXISTS\n"
                     "* 0 RECENT\n"
                     "* 44 EXPUNGE\n"
                     "* 9223372036854775807 EXISTS\n");
}

TM_TEST(imap_keyword_is_upper_cased_and_args_are_values)
{
    CHECK_TRANSCRIPT("* search 2 3 6\r\n"
                     "* SEARCH\r\n"
                     "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                     "* LIST (\\Noselect) NIL \"\"\r\n"
                     "* STATUS \"Sent Items\" (MESSAGES 3 UIDNEXT 4)\r\n"
                     "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"
                     "* ENABLED CONDSTORE QRESYNC\r\n"
                     "* ESEARCH (TAG \"a5\") UID COUNT 3 ALL 1:3,5\r\n",
                     "* SEARCH #2 #3 #6\n"
                     "* SEARCH\n"
                     "* LIST (\\HasNoChildren) \"/\" INBOX\n"
                     "* LIST (\\Noselect) NIL \"\"\n"
                     "* STATUS \"Sent Items\" (MESSAGES #3 UIDNEXT #4)\n"
                     "* NAMESPACE ((\"\" \"/\")) NIL NIL\n"
                     "* ENABLED CONDSTORE QRESYNC\n"
                     "* ESEARCH (TAG \"a5\") UID COUNT #3 ALL 1:3,5\n");
}

TM_TEST(imap_quoted_strings_unescape_and_keep_8bit)
{
    CHECK_TRANSCRIPT("* LIST () \"\\\\\" \"a \\\"quoted\\\" \\\\ name\"\r\n"
                     "* LIST () \".\" \"Entw\xC3\xBCrfe\"\r\n"
                     "* X \"\" \"tab\there\" \"]\"\r\n",
                     "* LIST () \"\\\\\" \"a \\\"quoted\\\" \\\\ name\"\n"
                     "* LIST () \".\" \"Entw\\xC3\\xBCrfe\"\n"
                     "* X \"\" \"tab\\x09here\" \"]\"\n");
}

TM_TEST(imap_nil_is_case_insensitive_and_nilly_is_an_atom)
{
    CHECK_TRANSCRIPT("* X nil NIL Nil NILLY (NIL)\r\n", "* X NIL NIL NIL NILLY (NIL)\n");
}

TM_TEST(imap_flags_and_wildcards_are_atoms)
{
    CHECK_TRANSCRIPT("* FLAGS (\\Answered \\Flagged $Forwarded \\* Junk)\r\n"
                     "* OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\n",
                     "* FLAGS (\\Answered \\Flagged $Forwarded \\* Junk)\n"
                     "* OK [PERMANENTFLAGS (\\Seen \\*)] text=\"Limited\"\n");
}

TM_TEST(imap_8bit_bytes_in_atoms_are_accepted)
{
    /* Servers that ignore modified UTF-7 send raw UTF-8 names as atoms. */
    CHECK_TRANSCRIPT("* LIST () \"/\" Entw\xC3\xBCrfe\r\n", "* LIST () \"/\" Entw\xC3\xBCrfe\n");
}

TM_TEST(imap_fetch_sections_are_one_atom)
{
    CHECK_TRANSCRIPT(
        "* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] \"x\" BODY[1.2.MIME]<0> \"y\" BINARY[1] \"z\" "
        "BODY[] NIL BODY[HEADER.FIELDS.NOT (\"X-A\" B)] \"w\")\r\n",
        "* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] \"x\" BODY[1.2.MIME]<0> \"y\" BINARY[1] \"z\" "
        "BODY[] NIL BODY[HEADER.FIELDS.NOT (\"X-A\" B)] \"w\")\n");
}

TM_TEST(imap_unclosed_bracket_stays_in_a_plain_atom)
{
    CHECK_TRANSCRIPT("* LIST () \"/\" foo[bar\r\n", "* LIST () \"/\" foo[bar\n");
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct tm_error err;
    TM_CHECK_INT(read_one("* X a[b c] d[e\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_INT(r.n_args, 2);
    TM_CHECK_STR(r.args[0].str, "a[b c]");
    TM_CHECK_STR(r.args[1].str, "d[e");
    imap_parser_free(&p);
}

TM_TEST(imap_nested_lists_and_empty_lists)
{
    CHECK_TRANSCRIPT("* X () (()) ((a) (b (c NIL))) \"s\"\r\n",
                     "* X () (()) ((a) (b (c NIL))) \"s\"\n");
}

/* ---- Response codes ---- */

TM_TEST(imap_code_args_numbers_sets_and_lists)
{
    CHECK_TRANSCRIPT("a3 OK [COPYUID 1700000000 1:3 7:9] Moved UIDs.\r\n"
                     "* OK [COPYUID 38505 304,319:320 3956] Done\r\n"
                     "a4 OK [APPENDUID 38505 3955] APPEND completed\r\n"
                     "* NO [BADCHARSET (US-ASCII \"UTF-8\")] nope\r\n"
                     "* OK [uidnext 4]\r\n"
                     "a5 OK [READ-WRITE]\r\n",
                     "T a3 OK [COPYUID #1700000000 1:3 7:9] text=\"Moved UIDs.\"\n"
                     "* OK [COPYUID #38505 304,319:320 #3956] text=\"Done\"\n"
                     "T a4 OK [APPENDUID #38505 #3955] text=\"APPEND completed\"\n"
                     "* NO [BADCHARSET (US-ASCII \"UTF-8\")] text=\"nope\"\n"
                     "* OK [UIDNEXT #4] text=\"\"\n"
                     "T a5 OK [READ-WRITE] text=\"\"\n");
}

TM_TEST(imap_code_with_non_value_args_kept_raw)
{
    CHECK_TRANSCRIPT("* OK [WEBALERT https://x.example/?a=\"b] Web login required\r\n"
                     "* NO [X-THING a)b] odd\r\n"
                     "* OK [REFERRAL imap://user;AUTH=*@SERVER2/] Try there\r\n",
                     "* OK [WEBALERT https://x.example/?a=\"b] text=\"Web login required\"\n"
                     "* NO [X-THING a)b] text=\"odd\"\n"
                     "* OK [REFERRAL imap://user;AUTH=*@SERVER2/] text=\"Try there\"\n");
}

TM_TEST(imap_code_without_close_bracket_is_text)
{
    CHECK_TRANSCRIPT("* OK [ALERT oops\r\n", "* OK text=\"[ALERT oops\"\n");
}

TM_TEST(imap_text_ending_in_brace_number_is_not_a_literal)
{
    /* Only values can be literals: a status text ending in "{5}" must not make the reader wait. */
    CHECK_TRANSCRIPT("a1 NO Mailbox doesn't exist: foo {5}\r\n"
                     "* OK [ALERT] x {2}\r\n",
                     "T a1 NO text=\"Mailbox doesn't exist: foo {5}\"\n"
                     "* OK [ALERT] text=\"x {2}\"\n");
}

/* ---- Dovecot transcripts ---- */

TM_TEST(imap_dovecot_greeting_and_capability)
{
    CHECK_TRANSCRIPT(
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
        "AUTH=PLAIN] Dovecot (Debian) ready.\r\n"
        "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
        "THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
        "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
        "LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY STATUS=SIZE SAVEDATE LITERAL+ NOTIFY "
        "SPECIAL-USE\r\n"
        "a1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n",
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
        "AUTH=PLAIN] text=\"Dovecot (Debian) ready.\"\n"
        "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
        "THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
        "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
        "LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY STATUS=SIZE SAVEDATE LITERAL+ NOTIFY "
        "SPECIAL-USE\n"
        "T a1 OK text=\"Pre-login capabilities listed, post-login capabilities have more.\"\n");
}

TM_TEST(imap_dovecot_select_with_qresync)
{
    CHECK_TRANSCRIPT(
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
        "Flags permitted.\r\n"
        "* 3 EXISTS\r\n"
        "* 0 RECENT\r\n"
        "* OK [UNSEEN 2] First unseen.\r\n"
        "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
        "* OK [UIDNEXT 4] Predicted next UID\r\n"
        "* OK [HIGHESTMODSEQ 123] Highest\r\n"
        "* VANISHED (EARLIER) 1:3,5\r\n"
        "* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (120))\r\n"
        "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\n"
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
        "text=\"Flags permitted.\"\n"
        "* 3 EXISTS\n"
        "* 0 RECENT\n"
        "* OK [UNSEEN #2] text=\"First unseen.\"\n"
        "* OK [UIDVALIDITY #1700000000] text=\"UIDs valid\"\n"
        "* OK [UIDNEXT #4] text=\"Predicted next UID\"\n"
        "* OK [HIGHESTMODSEQ #123] text=\"Highest\"\n"
        "* VANISHED (EARLIER) 1:3,5\n"
        "* 2 FETCH (UID #3 FLAGS (\\Seen) MODSEQ (#120))\n"
        "T a2 OK [READ-WRITE] text=\"Select completed (0.001 + 0.000 secs).\"\n");
}

/* ---- Literals ---- */

TM_TEST(imap_fetch_header_literal_followed_by_more_attributes)
{
    CHECK_TRANSCRIPT("* 1 FETCH (UID 10 BODY[HEADER.FIELDS (DATE FROM)] {54}\r\n"
                     "Date: Wed, 17 Jul 1996 02:23:25 -0700\r\n"
                     "From: a@b.c\r\n"
                     "\r\n"
                     " FLAGS (\\Seen) RFC822.SIZE 1234)\r\n"
                     "a7 OK Fetch completed.\r\n",
                     "* 1 FETCH (UID #10 BODY[HEADER.FIELDS (DATE FROM)] L\"Date: Wed, 17 Jul 1996 "
                     "02:23:25 -0700\\x0D\\x0AFrom: a@b.c\\x0D\\x0A\\x0D\\x0A\" FLAGS (\\Seen) "
                     "RFC822.SIZE #1234)\n"
                     "T a7 OK text=\"Fetch completed.\"\n");
}

TM_TEST(imap_literal_split_across_reads)
{
    /* The literal holds CRLF, ")", "{3}" at a line end, and NUL; the chunked reads cut it
     * everywhere. */
    CHECK_TRANSCRIPT(
        "* 2 FETCH (BODY[] {18}\r\n"
        "a)\r\nb{3}\r\nc\0d\r\n\r\n) e)\r\n"
        "* 3 FETCH (BODY[] {0}\r\n"
        ")\r\n",
        "* 2 FETCH (BODY[] L\"a)\\x0D\\x0Ab{3}\\x0D\\x0Ac\\x00d\\x0D\\x0A\\x0D\\x0A)\" "
        "e)\n"
        "* 3 FETCH (BODY[] L\"\")\n");
}

TM_TEST(imap_literal_plus_and_binary_literal)
{
    CHECK_TRANSCRIPT("* 4 FETCH (BINARY[1] ~{3}\r\n"
                     "\0\1\2 BODY[] {2+}\r\n"
                     "ok)\r\n",
                     "* 4 FETCH (BINARY[1] L\"\\x00\\x01\\x02\" BODY[] L\"ok\")\n");
}

TM_TEST(imap_several_literals_in_one_response)
{
    CHECK_TRANSCRIPT("* LIST () \"/\" {3}\r\n"
                     "a b\r\n"
                     "* X ({1}\r\n"
                     "x {1}\r\n"
                     "y) {0}\r\n"
                     "\r\n",
                     "* LIST () \"/\" L\"a b\"\n"
                     "* X (L\"x\" L\"y\") L\"\"\n");
}

TM_TEST(imap_trailing_space_before_line_end_is_accepted)
{
    CHECK_TRANSCRIPT("* SEARCH \r\n"
                     "* SEARCH 1 2 \r\n",
                     "* SEARCH\n"
                     "* SEARCH #1 #2\n");
}

TM_TEST(imap_bare_lf_line_ends)
{
    CHECK_TRANSCRIPT("* 1 FETCH (BODY[] {2}\nab)\na1 OK done\n",
                     "* 1 FETCH (BODY[] L\"ab\")\nT a1 OK text=\"done\"\n");
}

/* ---- Hostile input ---- */

TM_TEST(imap_huge_literal_lengths_are_refused_before_reading)
{
    CHECK_ERROR("* 1 FETCH (BODY[] {4294967296}\r\nabc", NULL, TM_ELIMIT, "literal of 4294967296");
    CHECK_ERROR("* 1 FETCH (BODY[] {18446744073709551615}\r\n", NULL, TM_ELIMIT, "over the limit");
    CHECK_ERROR("* 1 FETCH (BODY[] {18446744073709551616}\r\n", NULL, TM_ELIMIT, "over the limit");
    CHECK_ERROR("* 1 FETCH (BODY[] {999999999999999999999999999999}\r\n", NULL, TM_ELIMIT,
                "literal of 999999999999999999999999");
    struct imap_limits lim = {.max_literal = 10};
    CHECK_ERROR("* 1 FETCH (BODY[] {11}\r\n", &lim, TM_ELIMIT, "over the limit of 10");
    lim.max_literal = 0;
    lim.max_response = 100;
    CHECK_ERROR("* 1 FETCH (BODY[] {90}\r\n", &lim, TM_ELIMIT, "response longer than 100");
}

TM_TEST(imap_refused_literal_leaves_its_bytes_unread)
{
    struct imap_limits lim = {.max_literal = 4};
    struct imap_parser *p = NULL;
    struct imap_memsource m;
    struct imap_response r;
    struct tm_error err;
    const char *in = "* 1 FETCH (BODY[] {5}\r\nhello)\r\n";
    TM_CHECK_INT(imap_parser_new(&lim, &p, &err), TM_OK);
    imap_memsource_init(&m, in, strlen(in), 0);
    struct imap_source src = imap_memsource_source(&m);
    TM_CHECK_INT(imap_read_response(p, &src, &r, &err), TM_ELIMIT);
    TM_CHECK_INT(m.pos, strlen("* 1 FETCH (BODY[] {5}\r\n"));
    TM_CHECK(strstr(err.server_reply, "{5}") != NULL);
    imap_parser_free(&p);
    TM_CHECK(p == NULL);
}

TM_TEST(imap_bad_literal_markers)
{
    CHECK_ERROR("* X {3} a\r\n", NULL, TM_EPARSE, "not at the end of the line");
    CHECK_ERROR("* X {}\r\n", NULL, TM_EPARSE, "without a length");
    CHECK_ERROR("* X {3\r\n", NULL, TM_EPARSE, "bad literal marker");
    CHECK_ERROR("* X {-3}\r\n", NULL, TM_EPARSE, "without a length");
    CHECK_ERROR("* X {3++}\r\n", NULL, TM_EPARSE, "bad literal marker");
}

TM_TEST(imap_literal_marker_in_code_or_text_is_not_read)
{
    CHECK_TRANSCRIPT("* OK [BADCHARSET {3}] x\r\n"
                     "* OK [BADCHARSET {3}\r\n",
                     "* OK [BADCHARSET {3}] text=\"x\"\n"
                     "* OK text=\"[BADCHARSET {3}\"\n");
}

TM_TEST(imap_input_ending_inside_a_literal_is_a_network_error)
{
    CHECK_ERROR("* 1 FETCH (BODY[] {10}\r\nabc", NULL, TM_ENET, "middle of a literal");
    CHECK_ERROR("* 1 FETCH (BODY[] {3}\r\nabc", NULL, TM_ENET, "connection closed");
    CHECK_ERROR("* 1 FETCH (UID 1", NULL, TM_ENET, "middle of a line");
}

TM_TEST(imap_numbers_with_too_many_digits)
{
    CHECK_ERROR("* 123456789012345678901234567890 EXISTS\r\n", NULL, TM_EPARSE, "number too large");
    CHECK_ERROR("* SEARCH 1 123456789012345678901234567890\r\n", NULL, TM_EPARSE,
                "number too large");
    CHECK_ERROR("* SEARCH 9223372036854775808\r\n", NULL, TM_EPARSE, "number too large");
    CHECK_ERROR("* 9223372036854775808 EXISTS\r\n", NULL, TM_EPARSE, "number too large");
    CHECK_ERROR("* 23EXISTS\r\n", NULL, TM_EPARSE, "bad message number");
}

TM_TEST(imap_nesting_depth_is_limited)
{
    char in[200], expect[200];
    size_t o = 0, e = 0;
    o += (size_t)snprintf(in + o, sizeof(in) - o, "* X ");
    e += (size_t)snprintf(expect + e, sizeof(expect) - e, "* X ");
    for (int i = 0; i < 32; i++)
        in[o++] = '(', expect[e++] = '(';
    for (int i = 0; i < 32; i++)
        in[o++] = ')', expect[e++] = ')';
    memcpy(in + o, "\r\n", 3);
    memcpy(expect + e, "\n", 2);
    if (!check_transcript(in, strlen(in), expect, __FILE__, __LINE__))
        return;
    memcpy(in, "* X ", 4);
    memset(in + 4, '(', 33);
    memcpy(in + 37, "a\r\n", 4);
    if (!check_error(in, strlen(in), NULL, TM_ELIMIT, "nested deeper than 32", __FILE__, __LINE__))
        return;
    struct imap_limits lim = {.max_depth = 2};
    CHECK_ERROR("* OK [X ((((a))))] t\r\n", &lim, TM_ELIMIT, "nested deeper than 2");
}

TM_TEST(imap_too_many_values_is_a_limit)
{
    struct imap_limits lim = {.max_items = 5};
    CHECK_ERROR("* SEARCH 1 2 3 4 5 6\r\n", &lim, TM_ELIMIT, "more than 5 values");
    CHECK_ERROR("* X (1 2) (3 4)\r\n", &lim, TM_ELIMIT, "more than 5 values");
}

TM_TEST(imap_quoted_string_errors)
{
    CHECK_ERROR("* LIST () \"/\" \"unterminated\r\n", NULL, TM_EPARSE, "unterminated quoted");
    CHECK_ERROR("* LIST () \"/\" \"bad \\n escape\"\r\n", NULL, TM_EPARSE, "bad escape");
    CHECK_ERROR("* LIST () \"/\" \"trailing \\\r\n", NULL, TM_EPARSE, "bad escape");
    CHECK_ERROR("* LIST () \"/\" \"raw\rCR\"\r\n", NULL, TM_EPARSE, "control character");
    CHECK_ERROR("* LIST () \"/\" \"nul\0byte\"\r\n", NULL, TM_EPARSE, "control character");
}

TM_TEST(imap_line_over_max_line_is_a_limit)
{
    struct imap_limits lim = {.max_line = 16};
    CHECK_ERROR("* SEARCH 1 2 3 4 5 6 7 8 9\r\n", &lim, TM_ELIMIT, "longer than 16");
    CHECK_ERROR("* 1 FETCH (BODY[] {2}\r\nab 1 2 3 4 5 6 7 8 9)\r\n", &lim, TM_ELIMIT,
                "longer than 16");
}

TM_TEST(imap_missing_spaces_and_garbage_after_parens)
{
    CHECK_ERROR("a1 OK[READ-WRITE] done\r\n", NULL, TM_EPARSE, "space expected");
    CHECK_ERROR("* OK [ALERT]text\r\n", NULL, TM_EPARSE, "space expected after a response code");
    CHECK_ERROR("* LIST (\\Noselect)\"/\" x\r\n", NULL, TM_EPARSE, "space expected");
    CHECK_ERROR("* 1 FETCH (UID 1)x\r\n", NULL, TM_EPARSE, "space expected");
    CHECK_ERROR("* 1 FETCH (UID 1))\r\n", NULL, TM_EPARSE, "space expected");
    CHECK_ERROR("* 1 FETCH (UID 1 FLAGS ()BODY[] NIL)\r\n", NULL, TM_EPARSE,
                "space or \")\" expected");
    CHECK_ERROR("* X \"a\"\"b\"\r\n", NULL, TM_EPARSE, "space expected");
    CHECK_ERROR("* X  a\r\n", NULL, TM_EPARSE, "unexpected character");
    CHECK_ERROR("* X ( a)\r\n", NULL, TM_EPARSE, "unexpected character");
    CHECK_ERROR("* X (a b\r\n", NULL, TM_EPARSE, "unterminated list");
    CHECK_ERROR("* X )\r\n", NULL, TM_EPARSE, "unexpected character");
    CHECK_ERROR("+idling\r\n", NULL, TM_EPARSE, "space expected after \"+\"");
    CHECK_ERROR("a1\r\n", NULL, TM_EPARSE, "space expected after the tag");
    CHECK_ERROR("a1 FOO bar\r\n", NULL, TM_EPARSE, "OK, NO or BAD expected");
    CHECK_ERROR("* 5\r\n", NULL, TM_EPARSE, "space expected after a number");
    CHECK_ERROR("* 5 \r\n", NULL, TM_EPARSE, "keyword expected");
    CHECK_ERROR("*\r\n", NULL, TM_EPARSE, "space expected after the tag");
    CHECK_ERROR("* \r\n", NULL, TM_EPARSE, "keyword expected");
    CHECK_ERROR("\r\n", NULL, TM_EPARSE, "tag, \"*\" or \"+\" expected");
    CHECK_ERROR("* OK [] x\r\n", NULL, TM_EPARSE, "response code expected");
    CHECK_ERROR("* OK [X(a)] x\r\n", NULL, TM_EPARSE, "bad response code");
}

TM_TEST(imap_control_bytes_in_errors_are_escaped)
{
    CHECK_ERROR("* X \x1b[31m\x01\xff\r\n", NULL, TM_EPARSE, "\\x1B[31m");
    CHECK_ERROR("* OK text with \0 NUL\r\n", NULL, TM_EPARSE, "NUL byte");
    CHECK_ERROR("+ a\0b\r\n", NULL, TM_EPARSE, "NUL byte");
}

TM_TEST(imap_empty_input_is_a_clean_end)
{
    CHECK_TRANSCRIPT("", "");
}

/* ---- Parser reuse ---- */

TM_TEST(imap_parser_reuses_its_arena_over_many_responses)
{
    /* Big and small responses alternate, so blocks are freed and the kept block grows. */
    struct tm_buf in;
    tm_buf_init(&in, 0);
    for (int i = 1; i <= 300; i++) {
        size_t n = (size_t)(i % 7 == 0 ? 200000 : i);
        tm_buf_appendf(&in, "* %d FETCH (UID %d BODY[] {%zu}\r\n", i, i, n);
        for (size_t k = 0; k < n; k++)
            tm_buf_append_char(&in, (char)('a' + k % 26));
        tm_buf_append_str(&in, ")\r\n");
    }
    struct imap_parser *p = NULL;
    struct imap_memsource m;
    struct imap_response r;
    struct tm_error err;
    TM_CHECK_INT(imap_parser_new(NULL, &p, &err), TM_OK);
    imap_memsource_init(&m, in.data, in.len, 4096);
    struct imap_source src = imap_memsource_source(&m);
    for (int i = 1; i <= 300; i++) {
        TM_CHECK_INT(imap_read_response(p, &src, &r, &err), TM_OK);
        TM_CHECK_INT(r.number, i);
        TM_CHECK_INT(r.args[0].items[3].len, i % 7 == 0 ? 200000 : i);
        TM_CHECK_INT(r.args[0].items[3].str[r.args[0].items[3].len - 1],
                     'a' + (r.args[0].items[3].len - 1) % 26);
    }
    TM_CHECK_INT(imap_read_response(p, &src, &r, &err), TM_ENET);
    imap_parser_free(&p);
    imap_parser_free(&p);
    tm_buf_cleanup(&in);
}

TM_TEST(imap_failed_read_clears_the_response)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct tm_error err;
    TM_CHECK_INT(read_one("* X (a\r\n", &p, &r, &err), TM_EPARSE);
    TM_CHECK(r.keyword == NULL && r.args == NULL && r.n_args == 0);
    TM_CHECK_INT(read_one("a1 OK fine\r\n", &p, &r, &err), TM_OK);
    TM_CHECK_STR(r.tag, "a1");
    imap_parser_free(&p);
}
