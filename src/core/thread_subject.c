/* thread_subject.c - a thread root's subject reduced for grouping as JWZ's step 5 does: reply
 * prefixes ("Re:", "AW:", "Re[2]:"), [list-tags] and outer blanks stripped, compared and hashed
 * ignoring ASCII case and the width of blank runs. */
#include "thread_subject.h"

#include <string.h>
#include <strings.h>

/* Length of a reply prefix ("Re:", "Fwd:", "AW:", "Re[2]:", ...) at s, or 0. */
static size_t thread_reply_prefix(const char *s)
{
    static const char *const words[] = {"re", "fwd", "fw", "aw", "sv"};
    char first = (char)(*s | 0x20); /* ASCII lower case for letters */
    if (first != 'r' && first != 'f' && first != 'a' && first != 's')
        return 0; /* most subjects: no word starts so, no strncasecmp */
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t j = strlen(words[w]);
        if (strncasecmp(s, words[w], j) != 0)
            continue;
        if (s[j] == '[' || s[j] == '(') { /* a reply counter: Re[2]: or Re(2): */
            char close = s[j] == '[' ? ']' : ')';
            size_t k = j + 1;
            while (s[k] >= '0' && s[k] <= '9')
                k++;
            if (k > j + 1 && s[k] == close)
                j = k + 1;
        }
        if (s[j] == ':')
            return j + 1;
    }
    return 0;
}

static bool thread_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Strips reply prefixes and [list-tags] repeatedly, and outer blanks, into out->base/len. */
void thread_base_subject(const char *subject, struct thread_subj *out)
{
    const char *s = subject ? subject : "";
    out->reply = false;
    for (;;) {
        while (thread_is_blank(*s))
            s++;
        size_t k = thread_reply_prefix(s);
        const char *close = *s == '[' ? strchr(s, ']') : NULL;
        if (k) {
            out->reply = true;
            s += k;
        } else if (close) {
            s = close + 1;
        } else {
            break;
        }
    }
    size_t len = strlen(s);
    while (len && thread_is_blank(s[len - 1]))
        len--;
    out->base = s;
    out->len = len;
}

/* The next byte of a base subject for comparing: ASCII lower case, a run of blanks as one space;
 * -1 at the end. */
static int thread_fold_next(const char **s, const char *end)
{
    if (*s == end)
        return -1;
    unsigned char c = (unsigned char)*(*s)++;
    if (thread_is_blank((char)c)) {
        while (*s < end && thread_is_blank(**s))
            (*s)++;
        return ' ';
    }
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Equal base subjects: equal but for ASCII case and the width of blank runs. */
bool thread_same_base(const struct thread_subj *x, const struct thread_subj *y)
{
    const char *a = x->base, *b = y->base;
    for (;;) {
        int ca = thread_fold_next(&a, x->base + x->len),
            cb = thread_fold_next(&b, y->base + y->len);
        if (ca != cb)
            return false;
        if (ca < 0)
            return true;
    }
}

/* Hashes the bytes thread_same_base compares, 8 at a time, for the grouping table (no order
 * depends on it). */
uint64_t thread_base_hash(const struct thread_subj *x)
{
#ifdef TM_THREAD_TEST_COLLIDE
    (void)x;
    return 0; /* test build (test_thread_collide): all bases collide, compared in full */
#endif
    uint64_t h = 0, w = 0;
    unsigned k = 0;
    const char *p = x->base, *end = x->base + x->len;
    for (int c; (c = thread_fold_next(&p, end)) >= 0;) {
        w = w << 8 | (unsigned)c;
        if (++k == 8) {
            h = thread_mix(h ^ w);
            w = k = 0;
        }
    }
    return thread_mix(thread_mix(h ^ w));
}
