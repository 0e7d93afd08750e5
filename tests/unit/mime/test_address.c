/* test_address.c - address lists: first mailbox and the display form. */
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

/* Checks tm_mime_first_address(value) against want_name / want_addr (NULL: absent). */
#define CHECK_FIRST(value, want_name, want_addr)                                                   \
    do {                                                                                           \
        char *n_ = NULL, *a_ = NULL;                                                               \
        const char *v_ = value;                                                                    \
        TM_CHECK_INT(tm_mime_first_address(v_, &n_, &a_), TM_OK);                                  \
        const char *wn_ = want_name, *wa_ = want_addr;                                             \
        int ok_ =                                                                                  \
            (wn_ ? n_ && strcmp(n_, wn_) == 0 : !n_) && (wa_ ? a_ && strcmp(a_, wa_) == 0 : !a_);  \
        if (!ok_)                                                                                  \
            tm_test_fail(__FILE__, __LINE__, "first(%s) = \"%s\" <%s>", v_ ? v_ : "(null)",        \
                         n_ ? n_ : "(null)", a_ ? a_ : "(null)");                                  \
        free(n_);                                                                                  \
        free(a_);                                                                                  \
        if (!ok_)                                                                                  \
            return;                                                                                \
    } while (0)

#define CHECK_DISPLAY(value, want)                                                                 \
    do {                                                                                           \
        char *d_ = NULL;                                                                           \
        TM_CHECK_INT(mime_addr_display(value, &d_), TM_OK);                                        \
        const char *w_ = want;                                                                     \
        int ok_ = w_ ? d_ && strcmp(d_, w_) == 0 : !d_;                                            \
        if (!ok_)                                                                                  \
            tm_test_fail(__FILE__, __LINE__, "display(%s) = \"%s\"", value, d_ ? d_ : "(null)");   \
        free(d_);                                                                                  \
        if (!ok_)                                                                                  \
            return;                                                                                \
    } while (0)

TM_TEST(address_name_and_angle_addr)
{
    CHECK_FIRST("John Doe <john@example.com>", "John Doe", "john@example.com");
    CHECK_FIRST("  John   Q. Public   <jqp@example.com> , x@y", "John Q. Public",
                "jqp@example.com");
}

TM_TEST(address_quoted_display_name_with_escapes)
{
    CHECK_FIRST("\"Doe, John \\\"JD\\\"\" <jd@example.com>", "Doe, John \"JD\"", "jd@example.com");
    CHECK_FIRST("\"unterminated <a@b>", "unterminated <a@b>", NULL);
}

TM_TEST(address_comments_ignored)
{
    CHECK_FIRST("(Comment) John (x) <john(inner)@example.com> (trailing)", "John",
                "john@example.com");
    CHECK_FIRST("<a@b> (trailing (nested) comment)", "trailing (nested) comment", "a@b");
}

TM_TEST(address_bare_addr_spec_with_comment_name)
{
    CHECK_FIRST("john@example.com", NULL, "john@example.com");
    CHECK_FIRST("john@example.com (John Doe)", "John Doe", "john@example.com");
    CHECK_FIRST("\"john doe\"@example.com", NULL, "\"john doe\"@example.com");
    CHECK_FIRST("MAILER-DAEMON", NULL, "MAILER-DAEMON");
}

TM_TEST(address_group_and_undisclosed_recipients)
{
    CHECK_FIRST("undisclosed-recipients:;", NULL, NULL);
    CHECK_FIRST("Friends: a@x, B <b@x>;, c@x", NULL, "a@x");
    CHECK_DISPLAY("undisclosed-recipients:;", "undisclosed-recipients:;");
    CHECK_DISPLAY("Friends: a@x, B <b@x>; , c@x", "Friends: a@x, B <b@x>;, c@x");
    CHECK_DISPLAY("Empty: ; Other:;", "Empty:;, Other:;");
    CHECK_DISPLAY("Unclosed: a@x", "Unclosed: a@x;");
}

TM_TEST(address_obsolete_route_dropped)
{
    CHECK_FIRST("<@route1,@route2:user@host>", NULL, "user@host");
    CHECK_FIRST("Joe <@a.example:joe@b.example>", "Joe", "joe@b.example");
}

TM_TEST(address_encoded_word_display_name)
{
    CHECK_FIRST("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", "Andr\xc3\xa9 Pirard",
                "PIRARD@vm1.ulg.ac.be");
    CHECK_FIRST("=?utf-8?b?5bGx55Sw?= =?utf-8?b?5aSq6YOO?= <t@example.jp>",
                "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e", "t@example.jp");
    CHECK_FIRST("\"=?utf-8?q?Jos=C3=A9?=\" <jose@x>", "Jos\xc3\xa9", "jose@x");
    CHECK_FIRST("Ren\xe9 <rene@x>", "Ren\xc3\xa9", "rene@x");
}

TM_TEST(address_junk_does_not_crash)
{
    static const char *const junk[] = {
        "",           ",,,",  "<",          ">",      "<<<>>>",
        "@",          "::;;", "(",          "\"",     "[",
        "a@[1.2.3.4", "\\",   "<@a,@b",     "a <b@c", "a <b@c> junk, d@e",
        ":;:;:<>",    "))((", "=?utf-8?q?",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        char *n = NULL, *a = NULL, *d = NULL;
        TM_CHECK_INT(tm_mime_first_address(junk[i], &n, &a), TM_OK);
        TM_CHECK_INT(mime_addr_display(junk[i], &d), TM_OK);
        free(n);
        free(a);
        free(d);
    }
    CHECK_FIRST("a <b@c> junk, d@e", "a", "b@c");
    CHECK_FIRST("a <b@c", "a", "b@c");
    CHECK_FIRST(NULL, NULL, NULL);
}

TM_TEST(address_display_list)
{
    CHECK_DISPLAY("\"Doe, Jane\" <jane@x>, bob@y (Bob), <c@z>",
                  "Doe, Jane <jane@x>, Bob <bob@y>, c@z");
    CHECK_DISPLAY("=?utf-8?q?Z=C3=BC?= <z@x>", "Z\xc3\xbc <z@x>");
    CHECK_DISPLAY("", NULL);
    CHECK_DISPLAY(" , ", NULL);
}

TM_TEST(address_list_is_capped)
{
    size_t n = 3000;
    char *v = malloc(n * 4 + 1);
    TM_CHECK(v != NULL);
    for (size_t i = 0; i < n; i++)
        memcpy(v + i * 4, "a@b,", 4);
    v[n * 4] = 0;
    struct mime_addr_list list;
    enum tm_status st = mime_addr_list_parse(v, &list);
    free(v);
    TM_CHECK_INT(st, TM_OK);
    TM_CHECK_INT(list.count, MIME_ADDR_MAX);
    mime_addr_list_cleanup(&list);
}
