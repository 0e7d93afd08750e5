/* regex.c - regcomp behind a guard against expressions that make glibc's compiler explode. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/i18n.h"
#include "tmail/regex.h"

#define REPEAT_PRODUCT_MAX 10000

/* glibc's regcomp copies the tree under a counted repeat {n,m} m times and under + once more,
 * so nested or stacked ones multiply ("(a{1,3000}){1,3000}", "a++++++++..." found by the
 * pattern fuzzer). The product of those factors over-estimates the expansion; refuse it past a
 * limit. Escaped characters and bracket expressions are skipped: their + and { are literal. */
static int repeats_too_large(const char *text)
{
    double product = 1;
    bool after_repeat = false; /* a repeat of a repeat ("a+?", "a**") makes regcomp explode too */
    for (const char *p = text; *p; p++) {
        bool repeat = false;
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') {
            p += p[1] == '^' ? 2 : 1;
            if (*p == ']')
                p++; /* a leading ] is literal */
            while (*p && *p != ']')
                p++;
            if (!*p)
                break;
        } else if (*p == '+' || *p == '*' || *p == '?') {
            repeat = true;
            product *= *p == '+' ? 2 : 1;
        } else if (*p == '{' && isdigit((unsigned char)p[1])) {
            char *end;
            long lo = strtol(p + 1, &end, 10), hi = lo;
            if (*end == ',')
                hi = isdigit((unsigned char)end[1]) ? strtol(end + 1, &end, 10) : lo + 1;
            product *= (double)(hi > 1 ? hi : 1);
            repeat = true;
            if (*end == '}')
                p = end;
        }
        if ((repeat && after_repeat) || product > REPEAT_PRODUCT_MAX)
            return 1;
        after_repeat = repeat;
    }
    return 0;
}

enum tm_status tm_regex_compile(regex_t *re, const char *text, int flags, struct tm_error *err)
{
    if (repeats_too_large(text))
        return tm_error_set(err, TM_EPARSE,
                            _("regular expression \"%s\" has too many nested repeats (+, {n,m})"),
                            text);
    int rc = regcomp(re, text, REG_EXTENDED | flags);
    if (rc == 0)
        return TM_OK;
    char why[128];
    regerror(rc, re, why, sizeof(why));
    regfree(re);
    return tm_error_set(err, TM_EPARSE, _("bad regular expression \"%s\": %s"), text, why);
}
