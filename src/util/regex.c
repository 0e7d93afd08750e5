/* regex.c - regcomp behind a guard against expressions that make glibc's compiler explode. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/i18n.h"
#include "tmail/regex.h"

#define REPEAT_PRODUCT_MAX 10000

/* The product of all counted-repeat upper bounds over-estimates regcomp's expansion. */
static int repeats_too_large(const char *text)
{
    double product = 1;
    for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
        char *end;
        long lo = strtol(p + 1, &end, 10), hi = lo;
        if (end == p + 1)
            continue;
        if (*end == ',')
            hi = isdigit((unsigned char)end[1]) ? strtol(end + 1, &end, 10) : lo + 1;
        product *= (double)(hi > 1 ? hi : 1);
        if (product > REPEAT_PRODUCT_MAX)
            return 1;
    }
    return 0;
}

enum tm_status tm_regex_compile(regex_t *re, const char *text, int flags, struct tm_error *err)
{
    if (repeats_too_large(text))
        return tm_error_set(err, TM_EPARSE,
                            _("regular expression \"%s\" has too many counted repeats"), text);
    int rc = regcomp(re, text, REG_EXTENDED | flags);
    if (rc == 0)
        return TM_OK;
    char why[128];
    regerror(rc, re, why, sizeof(why));
    regfree(re);
    return tm_error_set(err, TM_EPARSE, _("bad regular expression \"%s\": %s"), text, why);
}
