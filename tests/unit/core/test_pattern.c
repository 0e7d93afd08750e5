/* test_pattern.c - mutt patterns: each atom, operators, precedence, smart case, errors, and the
 * text atoms (~b ~B ~h =b =B =h): their literals, line-wise matching and result sets. */
#include <locale.h>
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

/* ---- text atoms: ~b ~B ~h =b =B =h ---- */

static struct tm_pattern *compiled(const char *text)
{
    struct tm_pattern *p = NULL;
    struct tm_error err;
    if (tm_pattern_compile(text, &p, &err) != TM_OK)
        fprintf(stderr, "%s: %s\n", text, err.message);
    return p;
}

TM_TEST(pattern_text_atoms_compile_with_scope_and_literals)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    struct tm_pattern *p = compiled("~b zebra ~F | =B 'a.b' | ~h '^X-Spam: yes' | =h Ünïcode");
    TM_CHECK(p);
    TM_CHECK_INT(tm_pattern_text_count(p), 4);
    const struct tm_pattern_text *t = tm_pattern_text_atom(p, 0);
    TM_CHECK(t && t->scope == TM_PATTERN_BODY && !t->string && t->plain && t->ignore_case);
    TM_CHECK_STR(t->arg, "zebra");
    TM_CHECK_INT(t->n_groups, 1);
    TM_CHECK_STR(t->groups[0].literals[0], "zebra");
    t = tm_pattern_text_atom(p, 1); /* a string: the dot is a dot */
    TM_CHECK(t && t->scope == TM_PATTERN_WHOLE && t->string && t->plain);
    TM_CHECK_STR(t->groups[0].literals[0], "a.b");
    t = tm_pattern_text_atom(p, 2);
    TM_CHECK(t && t->scope == TM_PATTERN_HEADERS && !t->plain && !t->ignore_case);
    TM_CHECK_STR(t->groups[0].literals[0], "X-Spam: yes");
    t = tm_pattern_text_atom(p, 3); /* an upper-case letter beyond ASCII counts */
    TM_CHECK(t && t->scope == TM_PATTERN_HEADERS && t->string && !t->ignore_case);
    TM_CHECK(tm_pattern_text_atom(p, 4) == NULL);
    tm_pattern_free(&p);
    TM_CHECK((p = compiled("~N ~s x")) != NULL);
    TM_CHECK_INT(tm_pattern_text_count(p), 0);
    TM_CHECK(tm_pattern_text_ready(p, 1));
    tm_pattern_free(&p);
}

TM_TEST(pattern_text_atoms_bad_input_is_a_clear_error)
{
    struct tm_pattern *p = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_pattern_compile("~b", &p, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "needs an argument") != NULL);
    TM_CHECK_INT(tm_pattern_compile("=b", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~h '('", &p, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "regular expression") != NULL);
    TM_CHECK_INT(tm_pattern_compile("~B 'x{1,3000}{1,3000}'", &p, &err), TM_EPARSE);
    TM_CHECK_INT(tm_pattern_compile("~b foo )", &p, &err), TM_EPARSE);
    TM_CHECK(p == NULL);
    /* =b takes any string, even one that is no valid regex */
    TM_CHECK_INT(tm_pattern_compile("=b '(*.*['", &p, &err), TM_OK);
    tm_pattern_free(&p);
    /* = before anything else is still a bare word */
    TM_CHECK_INT(tm_pattern_compile("=x", &p, &err), TM_OK);
    TM_CHECK_INT(tm_pattern_text_count(p), 0);
    tm_pattern_free(&p);
}

static int text_matches(const char *pattern, const char *headers, const char *body)
{
    struct tm_pattern *p = compiled(pattern);
    if (!p)
        return -1;
    int m = tm_pattern_text_match(p, 0, headers, strlen(headers), body, strlen(body));
    tm_pattern_free(&p);
    return m;
}

TM_TEST(pattern_text_match_scope_lines_and_smart_case)
{
    const char *hdr = "Subject: Weekly report\nX-Spam: yes\n";
    const char *body = "Dear team,\nthe Zebrafinch arrived.\nbye\n";
    TM_CHECK_INT(text_matches("~b zebrafinch", hdr, body), 1);
    TM_CHECK_INT(text_matches("~b Zebrafinch", hdr, body), 1);
    TM_CHECK_INT(text_matches("~b ZEBRAFINCH", hdr, body), 0); /* smart case */
    TM_CHECK_INT(text_matches("~b weekly", hdr, body), 0);     /* a header is not body */
    TM_CHECK_INT(text_matches("~h weekly", hdr, body), 1);
    TM_CHECK_INT(text_matches("~h zebra", hdr, body), 0);
    TM_CHECK_INT(text_matches("~B weekly", hdr, body), 1);
    TM_CHECK_INT(text_matches("~B zebra", hdr, body), 1);
    TM_CHECK_INT(text_matches("~h '^x-spam: yes$'", hdr, body), 1); /* line anchors */
    TM_CHECK_INT(text_matches("~b '^the'", hdr, body), 1);
    TM_CHECK_INT(text_matches("~b 'team.*zebra'", hdr, body), 0); /* no match across lines */
    TM_CHECK_INT(text_matches("~b 'team,$'", hdr, body), 1);
    TM_CHECK_INT(text_matches("=b 'finch arr'", hdr, body), 1);
    TM_CHECK_INT(text_matches("=b 'z.bra'", hdr, body), 0); /* a string: no regex */
    TM_CHECK_INT(text_matches("~b 'z.bra'", hdr, body), 1);
    TM_CHECK_INT(text_matches("=h 'Weekly'", hdr, body), 1); /* case-sensitive */
    TM_CHECK_INT(text_matches("=h 'Report'", hdr, body), 0);
    TM_CHECK_INT(text_matches("=h 'report'", hdr, body), 1);
}

TM_TEST(pattern_text_results_drive_matching_and_combine)
{
    struct tm_message_row r = sample();
    r.id = 7;
    struct tm_pattern *p = compiled("~b foo ~F | !~h bar");
    TM_CHECK(p);
    TM_CHECK(!tm_pattern_text_ready(p, 1));
    /* no result yet: a text atom matches nothing, so only the negation can be true */
    TM_CHECK(tm_pattern_match(p, &r, NOW));
    int64_t *foo = malloc(3 * sizeof(int64_t)), *bar = malloc(sizeof(int64_t));
    TM_CHECK(foo && bar);
    foo[0] = 9, foo[1] = 7, foo[2] = 9; /* any order, repeats allowed */
    bar[0] = 7;
    tm_pattern_set_text_result(p, 0, foo, 3, 5);
    TM_CHECK(!tm_pattern_text_ready(p, 5)); /* atom 1 still has none */
    tm_pattern_set_text_result(p, 1, bar, 1, 5);
    TM_CHECK(tm_pattern_text_ready(p, 5));
    TM_CHECK(!tm_pattern_text_ready(p, 6)); /* another stamp: out of date */
    TM_CHECK(tm_pattern_match(p, &r, NOW)); /* ~b foo and ~F */
    r.flags = 0;
    TM_CHECK(!tm_pattern_match(p, &r, NOW)); /* not flagged, and ~h bar matched */
    r.id = 8;
    TM_CHECK(tm_pattern_match(p, &r, NOW));            /* ~h bar did not match 8 */
    tm_pattern_set_text_result(p, 9, malloc(8), 1, 5); /* no atom 9: freed, no harm */
    tm_pattern_free(&p);
}
