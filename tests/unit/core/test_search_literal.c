/* test_search_literal.c - the literal strings a regular expression's matches must contain: a
 * table of expressions with what is extracted, and, byte by byte, that what is extracted is sound
 * (every match of the expression, on a set of texts, contains all literals of some group) for
 * every prefix of many expressions and for every single byte. */
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/search.h"
#include "tm_test.h"

/* "a&b|c": groups joined by |, literals of a group by &; "?" when nothing is known; a trailing
 * "!" when the expression is plain. */
static void render(const char *re, char *out, size_t size)
{
    struct search_literals l;
    memset(&l, 0, sizeof(l));
    if (search_literals_extract(re, &l) != TM_OK) {
        snprintf(out, size, "ENOMEM");
        return;
    }
    size_t o = 0;
    out[0] = 0;
    if (l.n_groups == 0)
        o += (size_t)snprintf(out + o, size - o, "?");
    for (size_t g = 0; g < l.n_groups && o < size; g++) {
        if (g)
            o += (size_t)snprintf(out + o, size - o, "|");
        for (size_t i = 0; i < l.groups[g].n && o < size; i++)
            o += (size_t)snprintf(out + o, size - o, "%s%s", i ? "&" : "", l.groups[g].literals[i]);
    }
    if (l.plain && o < size)
        snprintf(out + o, size - o, "!");
    search_literals_cleanup(&l);
}

#define CHECK_LITS(re, want)                                                                       \
    do {                                                                                           \
        char got_[256];                                                                            \
        render(re, got_, sizeof(got_));                                                            \
        TM_CHECK_STR(got_, want);                                                                  \
    } while (0)

TM_TEST(literal_plain_strings_and_escapes)
{
    CHECK_LITS("zebrafinch", "zebrafinch!");
    CHECK_LITS("foo bar", "foo bar!");
    CHECK_LITS("foo\\.bar", "foo.bar!");     /* an escaped special is itself */
    CHECK_LITS("a\\*b\\[c\\]", "a*b[c]!");   /* ... and so on */
    CHECK_LITS("\\(x\\)\\{y\\}", "(x){y}!"); /* braces and parentheses too */
    CHECK_LITS("café", "café!");
    CHECK_LITS("}", "}!"); /* a lone closing brace is an ordinary character */
    CHECK_LITS("", "?");
}

TM_TEST(literal_quantifiers_drop_or_keep_the_character)
{
    CHECK_LITS("colou?r", "colo&r");
    CHECK_LITS("ab*c", "a&c");
    CHECK_LITS("ab+c", "ab&c");
    CHECK_LITS("ab{2,3}c", "ab&c");
    CHECK_LITS("ab{0,3}c", "a&c");
    CHECK_LITS("ab{,3}c", "a&c"); /* glibc's {,n}: zero or more */
    CHECK_LITS("abc{1}", "abc");
    CHECK_LITS("caf\xc3\xa9?", "caf"); /* a quantifier takes a whole UTF-8 character */
    CHECK_LITS("na\xc3\xafve+", "na\xc3\xafve");
    CHECK_LITS("a?", "?");
    CHECK_LITS("x*", "?");
}

TM_TEST(literal_anchors_classes_groups_and_alternatives)
{
    CHECK_LITS("^Subject: hello", "Subject: hello");
    CHECK_LITS("bye$", "bye");
    CHECK_LITS("foo.*bar", "foo&bar");
    CHECK_LITS("[Ff]oo", "oo");
    CHECK_LITS("a[]x]b", "a&b"); /* ] first in a bracket is a member */
    CHECK_LITS("a[[:digit:]]+b", "a&b");
    CHECK_LITS("(foo|bar)baz", "baz");
    CHECK_LITS("(ab)?cd", "cd");
    CHECK_LITS("foo|bar", "foo|bar");
    CHECK_LITS("foo|ba.r", "foo|ba&r");
    CHECK_LITS("foo|.*", "?"); /* one alternative needs nothing: nothing is known */
    CHECK_LITS("x|", "?");
    CHECK_LITS("a\\wb", "a&b");
    CHECK_LITS("\\<word\\>", "word");
    CHECK_LITS("(a)\\1", "?");
    CHECK_LITS("[|]x|y", "x|y"); /* a bar in brackets does not split */
    CHECK_LITS("(x|y)z|w", "z|w");
}

/* Soundness: if re matches s, some group's literals all occur in s (case folded when icase). */
static int sound_on(const char *re, int flags, const char *s)
{
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE | flags) != 0)
        return 1; /* tmail never extracts from an expression regcomp refused */
    int matched = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    if (!matched)
        return 1;
    struct search_literals l;
    memset(&l, 0, sizeof(l));
    if (search_literals_extract(re, &l) != TM_OK)
        return 0;
    int ok = l.n_groups == 0;
    for (size_t g = 0; g < l.n_groups && !ok; g++) {
        int all = 1;
        for (size_t i = 0; i < l.groups[g].n && all; i++)
            all = (flags & REG_ICASE) ? strcasestr(s, l.groups[g].literals[i]) != NULL
                                      : strstr(s, l.groups[g].literals[i]) != NULL;
        ok = all;
    }
    if (!ok)
        fprintf(stderr, "unsound: /%s/ matches \"%s\"\n", re, s);
    search_literals_cleanup(&l);
    return ok;
}

static const char *const texts[] = {
    "",          "a",      "ab",          "abc",
    "abbbc",     "ac",     "colour",      "color",
    "foo bar",   "foobar", "xfooy",       "bazfoo",
    "foo.bar",   "a*b[c]", "(x){y}",      "Subject: hello\nbody",
    "c\xc3\xa9", "caf",    "caf\xc3\xa9", "aaab",
    "a1b",       "a b",    "a\nb",        "x]y",
    "word here", "zz|zz",  "}{",          "\\",
    "a\\b",      "{,3}",   "ab{,3}c",     "a{2}",
    "abcabc",    "xyz",
};

static const char *const exprs[] = {
    "colou?r",       "ab*c",        "ab+c",         "ab{2,3}c", "ab{0,3}c",   "ab{,3}c",
    "foo.*bar",      "[Ff]oo",      "(foo|bar)baz", "foo|bar",  "a[]x]b",     "\\<word\\>",
    "^Subject: h",   "a\\.b",       "(a)\\1b",      "x\\|y|z",  "a{2}b",      "caf\xc3\xa9?",
    "a[[:alpha:]]b", "[^a]b|c+",    "(ab|cd)*ef",   "a\\{2\\}", "}{",         "\\\\b",
    "a(b(c)d)?e",    "abc|abd|x.y", "(ab)+c",       "a|b|c|",   "[a-c]{2,}x", "a\\sb",
};

TM_TEST(literal_extraction_is_sound_for_every_prefix)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    char prefix[64];
    for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
        size_t len = strlen(exprs[e]);
        for (size_t cut = 0; cut <= len; cut++) {
            memcpy(prefix, exprs[e], cut);
            prefix[cut] = 0;
            for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
                TM_CHECK(sound_on(prefix, 0, texts[t]));
                TM_CHECK(sound_on(prefix, REG_ICASE, texts[t]));
            }
        }
    }
}

/* shape with each @ replaced by c. */
static void fill(const char *shape, char c, char *out)
{
    for (; *shape; shape++)
        *out++ = *shape == '@' ? c : *shape;
    *out = 0;
}

TM_TEST(literal_extraction_is_sound_for_every_byte)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    char re[16], text[16];
    static const char *const shapes[] = {"@", "a@", "@b", "a@b", "\\@", "a\\@b", "[@]b"};
    for (int b = 1; b < 256; b++) {
        for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
            fill(shapes[k], (char)b, re);
            for (int tb = 1; tb < 256; tb += 7) {
                fill("a@b", (char)tb, text);
                TM_CHECK(sound_on(re, 0, text));
                fill("@", (char)b, text);
                TM_CHECK(sound_on(re, 0, text));
            }
        }
    }
}
