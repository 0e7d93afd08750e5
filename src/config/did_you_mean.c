/* did_you_mean.c - suggestions for misspelt names: optimal-string-alignment Damerau-Levenshtein
 * distance, suggesting a name at distance <= 2 or <= a third of the word's length. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define DYM_MAX 64 /* longer words are not worth comparing */

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t cfg_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > DYM_MAX || lb > DYM_MAX)
        return (size_t)-1;
    size_t d[DYM_MAX + 1][DYM_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    }
    return d[la][lb];
}

const char *cfg_did_you_mean(const char *word, const void *names, size_t n, size_t stride)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (len == 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = *(const char *const *)((const char *)names + i * stride);
        size_t nlen = name ? strlen(name) : 0;
        /* The distance is at least the difference in length: skip the table fill. */
        if (!name || (nlen > len ? nlen - len : len - nlen) > limit)
            continue;
        size_t d = cfg_edit_distance(word, name);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    /* A one-letter word is within distance 2 of every short name: not a useful hint. */
    if (best_d > limit || best_d >= len)
        return NULL;
    return best;
}
