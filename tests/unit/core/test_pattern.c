/* test_pattern.c - mutt patterns: each atom, operators, precedence, smart case, errors. */
#include <stdio.h>
#include <stdlib.h>

#include "tm_test.h"
#include "tmail/flags.h"
#include "tmail/pattern.h"

#define NOW 1795000000

static struct tm_message_row sample(void)
{
    struct tm_message_row r;
    memset(&r, 0, sizeof(r));
    r.subject = "Re: [tmail-dev] Crash in maildir_scan";
    r.from_name = "Priya Raman";
    r.from_addr = "priya@example.org";
    r.to_addrs = "tmail-dev@lists.example.org";
    r.message_id = "abc@example.org";
    r.references = "root@example.org abc0@example.org";
    r.flags = TM_FLAG_FLAGGED | TM_FLAG_ANSWERED;
    r.size = 5000;
    r.date = NOW - 3 * 86400;
    return r;
}

/* 1 match, 0 no match, -1 compile error */
static int eval(const char *text)
{
    struct tm_pattern *p = NULL;
    struct tm_message_row r = sample();
    if (tm_pattern_compile(text, &p, NULL) != TM_OK)
        return -1;
    int m = tm_pattern_match(p, &r, NOW);
    tm_pattern_free(&p);
    return m;
}

TM_TEST(pattern_flag_atoms)
{
    TM_CHECK_INT(eval("~A"), 1);
    TM_CHECK_INT(eval("~N"), 1); /* unread */
    TM_CHECK_INT(eval("~R"), 0);
    TM_CHECK_INT(eval("~F"), 1);
    TM_CHECK_INT(eval("~Q"), 1);
    TM_CHECK_INT(eval("~D"), 0);
}

TM_TEST(pattern_regex_fields_and_smart_case)
{
    TM_CHECK_INT(eval("~s crash"), 1);
    TM_CHECK_INT(eval("~s Crash"), 1);
    TM_CHECK_INT(eval("~s CRASH"), 0); /* an upper-case letter makes it case-sensitive */
    TM_CHECK_INT(eval("~f priya@"), 1);
    TM_CHECK_INT(eval("~f 'Priya Raman'"), 1);
    TM_CHECK_INT(eval("~t lists\\.example"), 1);
    TM_CHECK_INT(eval("~i ^abc@"), 1);
    TM_CHECK_INT(eval("~x root@"), 1);
    TM_CHECK_INT(eval("~s \"tmail-dev\\] Crash\""), 1);
}

TM_TEST(pattern_operators_and_precedence)
{
    TM_CHECK_INT(eval("~F ~N"), 1); /* and */
    TM_CHECK_INT(eval("~F ~R"), 0);
    TM_CHECK_INT(eval("~R | ~F"), 1);    /* or */
    TM_CHECK_INT(eval("!~F"), 0);        /* not */
    TM_CHECK_INT(eval("~R ~F | ~Q"), 1); /* and binds tighter than or */
    TM_CHECK_INT(eval("~R (~F | ~Q)"), 0);
    TM_CHECK_INT(eval("!(~R | ~D)"), 1);
}

TM_TEST(pattern_size_and_date)
{
    TM_CHECK_INT(eval("~z <10K"), 1);
    TM_CHECK_INT(eval("~z >10K"), 0);
    TM_CHECK_INT(eval("~z 4K-5K"), 1);
    TM_CHECK_INT(eval("~z 5000"), 1);
    TM_CHECK_INT(eval("~d <1w"), 1);
    TM_CHECK_INT(eval("~d <2d"), 0);
    TM_CHECK_INT(eval("~d >2d"), 1);
}

TM_TEST(pattern_bare_word_searches_from_and_subject)
{
    TM_CHECK_INT(eval("maildir"), 1);
    TM_CHECK_INT(eval("priya"), 1);
    TM_CHECK_INT(eval("nothere"), 0);
}

TM_TEST(pattern_errors_say_where)
{
    struct tm_pattern *p = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_pattern_compile("~F (~N", &p, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "missing )") != NULL);
    TM_CHECK_INT(tm_pattern_compile("~k", &p, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "column 1") != NULL);
    TM_CHECK_INT(tm_pattern_compile("~s", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~z big", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~s '(a{1,3000}){1,3000}'", &p, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "nested repeats") != NULL);
    /* stacked + made glibc's regcomp take gigabytes (found by fuzz_pattern) */
    TM_CHECK_INT(tm_pattern_compile("x++++++++++++++++++++++++++++++++++++", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~s '((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)'", &p, &err),
                 TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("x++++?+++++++++", &p, &err), TM_EPARSE); /* stacked */
    TM_CHECK_INT(tm_pattern_compile("~s 'a*?'", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~f '[+]+@x+'", &p, &err), TM_OK); /* a literal + */
    tm_pattern_free(&p);
    TM_CHECK_INT(tm_pattern_compile("", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~F )", &p, &err), TM_EPARSE);
    char deep[200];
    memset(deep, '(', 100);
    snprintf(deep + 100, sizeof(deep) - 100, "~A");
    TM_CHECK_INT(tm_pattern_compile(deep, &p, &err), TM_EPARSE);
    TM_CHECK(p == NULL);
}
