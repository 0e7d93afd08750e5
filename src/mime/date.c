/* date.c - date-time header values to UTC, including obsolete zones, two-digit years and the
 * ctime() form some mailers write, with calendar arithmetic of its own (no TZ tricks).
 * (RFC 5322 3.3 and 4.3) */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#define DATE_TOKENS_MAX 24

enum dtok_kind { DT_NUM, DT_WORD, DT_PUNCT };

struct dtok {
    enum dtok_kind kind;
    const char *s;
    size_t len;
    long value; /* DT_NUM with at most 9 digits; -1 when longer */
};

struct date_fields {
    long year, mon, day, hour, min, sec;
    long zone; /* minutes east of UTC */
};

/* Skips a (nested) comment at s ('(' included); an unterminated one runs to the end. */
static const char *skip_comment(const char *s)
{
    int depth = 0;
    for (; *s; s++) {
        if (*s == '\\' && s[1])
            s++;
        else if (*s == '(')
            depth++;
        else if (*s == ')' && --depth == 0)
            return s + 1;
    }
    return s;
}

/* Splits s into numbers, words and single punctuation characters, dropping blanks, commas and
 * comments. Stops after max tokens: what follows is ignored. */
static size_t tokenize(const char *s, struct dtok *t, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        if (isspace((unsigned char)*s) || *s == ',') {
            s++;
            continue;
        }
        if (*s == '(') {
            s = skip_comment(s);
            continue;
        }
        struct dtok *k = &t[n++];
        k->s = s;
        if (isdigit((unsigned char)*s)) {
            k->kind = DT_NUM;
            k->value = 0;
            for (; isdigit((unsigned char)*s); s++) {
                if (s - k->s < 9)
                    k->value = k->value * 10 + (*s - '0');
            }
            k->len = (size_t)(s - k->s);
            if (k->len > 9)
                k->value = -1;
        } else if (isalpha((unsigned char)*s)) {
            k->kind = DT_WORD;
            while (isalpha((unsigned char)*s))
                s++;
            k->len = (size_t)(s - k->s);
        } else {
            k->kind = DT_PUNCT;
            k->len = 1;
            s++;
        }
    }
    return n;
}

/* Index 0-based of a three-letter (or longer) name in names, -1 when absent. */
static int name_index(const struct dtok *t, const char *const *names, int count)
{
    if (t->kind != DT_WORD || t->len < 3)
        return -1;
    for (int i = 0; i < count; i++) {
        if (strncasecmp(t->s, names[i], 3) == 0)
            return i;
    }
    return -1;
}

static int month_of(const struct dtok *t)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    int m = name_index(t, months, 12);
    return m < 0 ? -1 : m + 1;
}

static bool is_weekday(const struct dtok *t)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    return name_index(t, days, 7) >= 0;
}

static bool is_punct(const struct dtok *t, size_t n, size_t i, char c)
{
    return i < n && t[i].kind == DT_PUNCT && t[i].s[0] == c;
}

static bool take_num(const struct dtok *t, size_t n, size_t *i, size_t maxlen, long *v)
{
    if (*i >= n || t[*i].kind != DT_NUM || t[*i].len > maxlen)
        return false;
    *v = t[(*i)++].value;
    return true;
}

/* hh:mm[:ss] (seconds are optional in real mail). */
static bool parse_time(const struct dtok *t, size_t n, size_t *i, struct date_fields *f)
{
    f->sec = 0;
    if (!take_num(t, n, i, 2, &f->hour) || !is_punct(t, n, *i, ':'))
        return false;
    (*i)++;
    if (!take_num(t, n, i, 2, &f->min))
        return false;
    if (is_punct(t, n, *i, ':')) {
        (*i)++;
        if (!take_num(t, n, i, 2, &f->sec))
            return false;
    }
    return true;
}

/* +hhmm / -hhmm; a broken numeric zone counts as unknown (-0000). */
static bool parse_numeric_zone(const struct dtok *t, size_t n, size_t *i, struct date_fields *f)
{
    long sign = t[*i].s[0] == '-' ? -1 : 1, v;
    (*i)++;
    if (*i >= n || t[*i].kind != DT_NUM)
        return true;
    size_t len = t[*i].len;
    if (!take_num(t, n, i, 4, &v) || len != 4)
        return true;
    if (v / 100 > 23 || v % 100 > 59)
        return false;
    f->zone = sign * ((v / 100) * 60 + v % 100);
    return true;
}

/* RFC 5322 4.3 names; military letters and unknown names are -0000 (no offset known). */
static bool parse_zone(const struct dtok *t, size_t n, size_t *i, struct date_fields *f)
{
    static const struct {
        const char *name;
        long hours;
    } zones[] = {{"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                 {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    f->zone = 0;
    if (is_punct(t, n, *i, '+') || is_punct(t, n, *i, '-'))
        return parse_numeric_zone(t, n, i, f);
    if (*i >= n || t[*i].kind != DT_WORD)
        return true; /* no zone at all */
    const struct dtok *z = &t[(*i)++];
    for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
        if (z->len == 3 && strncasecmp(z->s, zones[k].name, 3) == 0)
            f->zone = zones[k].hours * 60;
    }
    /* "GMT+0200" and the like: the numbers win. */
    if (is_punct(t, n, *i, '+') || is_punct(t, n, *i, '-'))
        return parse_numeric_zone(t, n, i, f);
    return true;
}

/* Two-digit years per RFC 5322 4.3, three-digit ones (tm_year) from 1900. */
static bool take_year(const struct dtok *t, size_t n, size_t *i, long *year)
{
    size_t len = *i < n ? t[*i].len : 0;
    if (!take_num(t, n, i, 4, year) || len < 2)
        return false;
    if (len == 2)
        *year += *year < 50 ? 2000 : 1900;
    else if (len == 3)
        *year += 1900;
    return true;
}

/* [weekday ","] day month year time [zone], with '-' also accepted between day, month and
 * year; or the ctime() form: weekday month day time [zone] year. */
static bool parse_fields(const struct dtok *t, size_t n, struct date_fields *f)
{
    size_t i = 0;
    if (i < n && is_weekday(&t[i]))
        i++;
    if (i < n && t[i].kind == DT_WORD) {
        if ((f->mon = month_of(&t[i++])) < 0 || !take_num(t, n, &i, 2, &f->day))
            return false;
        if (!parse_time(t, n, &i, f) || !parse_zone(t, n, &i, f))
            return false;
        return take_year(t, n, &i, &f->year);
    }
    if (!take_num(t, n, &i, 2, &f->day))
        return false;
    i += is_punct(t, n, i, '-');
    if (i >= n || (f->mon = month_of(&t[i++])) < 0)
        return false;
    i += is_punct(t, n, i, '-');
    if (!take_year(t, n, &i, &f->year) || !parse_time(t, n, &i, f))
        return false;
    return parse_zone(t, n, &i, f);
}

static bool is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool fields_valid(const struct date_fields *f)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (f->year < 1900 || f->year > 9999 || f->mon < 1 || f->mon > 12 || f->day < 1)
        return false;
    if (f->day > mdays[f->mon - 1] + (f->mon == 2 && is_leap(f->year)))
        return false;
    return f->hour <= 23 && f->min <= 59 && f->sec <= 60;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool tm_mime_parse_date(const char *s, time_t *out)
{
    struct dtok t[DATE_TOKENS_MAX];
    struct date_fields f = {0};
    if (!s)
        return false;
    size_t n = tokenize(s, t, DATE_TOKENS_MAX);
    if (!parse_fields(t, n, &f) || !fields_valid(&f))
        return false;
    long long days = days_from_civil(f.year, f.mon, f.day);
    *out = (time_t)(days * 86400 + f.hour * 3600 + f.min * 60 + f.sec - f.zone * 60);
    return true;
}
