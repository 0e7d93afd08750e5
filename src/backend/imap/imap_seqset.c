/* imap_seqset.c - IMAP sequence sets: parsing "1:5,7,9:*", counting, iterating, and compressing
 * sorted UIDs into short sets for long commands (RFC 3501 9 sequence-set, RFC 9051 9). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "imap_proto.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

__attribute__((format(printf, 4, 5))) static enum tm_status
seqset_fail(const char *s, size_t len, struct tm_error *err, const char *fmt, ...)
{
    char what[128], excerpt[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    imap_sanitize(excerpt, sizeof(excerpt), s, len < 40 ? len : 40);
    return tm_error_set(err, TM_EPARSE, _("IMAP sequence set: %s in \"%s%s\""), what, excerpt,
                        len > 40 ? "..." : "");
}

/* seq-number at s[*i]: nz-number (no leading zero, <= 2^32-1) or "*" (star, when not 0). */
static enum tm_status seq_number(const char *s, size_t len, size_t *i, uint32_t star, uint32_t *out,
                                 struct tm_error *err)
{
    size_t k = *i;
    if (k < len && s[k] == '*') {
        if (!star)
            return seqset_fail(s, len, err, _("\"*\" is not allowed here"));
        *out = star;
        *i = k + 1;
        return TM_OK;
    }
    if (k >= len || s[k] < '1' || s[k] > '9')
        return seqset_fail(
            s, len, err, k < len && s[k] == '0' ? _("0 or a leading zero") : _("number expected"));
    uint64_t v = 0;
    for (; k < len && s[k] >= '0' && s[k] <= '9'; k++) {
        v = v * 10 + (uint64_t)(s[k] - '0');
        if (v > UINT32_MAX)
            return seqset_fail(s, len, err, _("number larger than 4294967295"));
    }
    *out = (uint32_t)v;
    *i = k;
    return TM_OK;
}

enum tm_status imap_seqset_parse(const char *s, size_t len, uint32_t star, size_t max_ranges,
                                 struct imap_seqset *out, struct tm_error *err)
{
    enum tm_status st;
    size_t i = 0, cap = 0;
    out->ranges = NULL;
    out->n = 0;
    for (;;) {
        uint32_t a = 0, b = 0;
        if ((st = seq_number(s, len, &i, star, &a, err)) != TM_OK)
            goto fail;
        b = a;
        if (i < len && s[i] == ':') {
            i++;
            if ((st = seq_number(s, len, &i, star, &b, err)) != TM_OK)
                goto fail;
        }
        if (out->n >= max_ranges) {
            st = tm_error_set(err, TM_ELIMIT, _("IMAP sequence set of more than %zu ranges"),
                              max_ranges);
            goto fail;
        }
        if ((st = TM_ARRAY_RESERVE(out->ranges, out->n, cap, 8)) != TM_OK) {
            tm_error_set(err, st, _("out of memory"));
            goto fail;
        }
        out->ranges[out->n++] = (struct imap_range){a < b ? a : b, a < b ? b : a};
        if (i == len)
            return TM_OK;
        if (s[i] != ',') {
            st = seqset_fail(s, len, err, _("unexpected character"));
            goto fail;
        }
        i++;
    }
fail:
    imap_seqset_cleanup(out);
    return st;
}

void imap_seqset_cleanup(struct imap_seqset *set)
{
    free(set->ranges);
    set->ranges = NULL;
    set->n = 0;
}

uint64_t imap_seqset_count(const struct imap_seqset *set)
{
    uint64_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        n += (uint64_t)set->ranges[i].hi - set->ranges[i].lo + 1;
    return n;
}

bool imap_seqset_contains(const struct imap_seqset *set, uint32_t v)
{
    for (size_t i = 0; i < set->n; i++)
        if (v >= set->ranges[i].lo && v <= set->ranges[i].hi)
            return true;
    return false;
}

void imap_seqset_iter_init(struct imap_seqset_iter *it, const struct imap_seqset *set)
{
    it->set = set;
    it->range = 0;
    it->next = set->n ? set->ranges[0].lo : 0;
}

bool imap_seqset_iter_next(struct imap_seqset_iter *it, uint32_t *v)
{
    while (it->range < it->set->n) {
        const struct imap_range *r = &it->set->ranges[it->range];
        if (it->next <= r->hi) {
            *v = (uint32_t)it->next++;
            return true;
        }
        if (++it->range < it->set->n)
            it->next = it->set->ranges[it->range].lo;
    }
    return false;
}

/* Appends ",lo:hi" (or "lo" for the first, and without ":hi" when lo == hi) if it fits. */
static bool append_range(struct tm_buf *out, size_t max_len, bool first, uint32_t lo, uint32_t hi)
{
    char tok[32];
    int len = lo == hi ? snprintf(tok, sizeof(tok), "%s%u", first ? "" : ",", lo)
                       : snprintf(tok, sizeof(tok), "%s%u:%u", first ? "" : ",", lo, hi);
    if (len < 0 || out->len > max_len || (size_t)len > max_len - out->len)
        return false;
    return tm_buf_append(out, tok, (size_t)len) == TM_OK;
}

size_t imap_seqset_format(const uint32_t *uids, size_t n, size_t max_len, struct tm_buf *out)
{
    size_t i = 0;
    bool first = true;
    while (i < n) {
        if (uids[i] == 0) {
            i++;
            continue;
        }
        size_t same = i, j = i;
        while (same + 1 < n && uids[same + 1] == uids[i])
            same++;
        while (j + 1 < n && uids[j + 1] >= uids[j] &&
               (uint64_t)uids[j + 1] <= (uint64_t)uids[j] + 1)
            j++;
        /* A run that does not fit may still give its first number, so 11 bytes always make
         * progress. */
        if (append_range(out, max_len, first, uids[i], uids[j]))
            i = j + 1;
        else if (j > same && append_range(out, max_len, first, uids[i], uids[i]))
            i = same + 1;
        else
            break;
        first = false;
    }
    return i;
}
