/* imap_decode.c - typed views of parsed IMAP responses: flags, FETCH attributes, capabilities,
 * LIST and STATUS (RFC 3501 7.2-7.4, RFC 9051, RFC 7162 MODSEQ, RFC 5258, RFC 6154, RFC 6855). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_proto.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

#define UID_MAX    UINT32_C(0xFFFFFFFF)
#define SIZE_LIMIT (UINT64_C(1) << 53)

/* ---- Small helpers ---- */

bool imap_value_is_atom(const struct imap_value *v, const char *atom)
{
    return v && v->type == IMAP_V_ATOM && strcasecmp(v->str, atom) == 0;
}

bool imap_list_has_atom(const struct imap_value *list, const char *atom)
{
    if (!list || list->type != IMAP_V_LIST)
        return false;
    for (size_t i = 0; i < list->n; i++)
        if (imap_value_is_atom(&list->items[i], atom))
            return true;
    return false;
}

bool imap_code_number(const struct imap_response *r, const char *code, uint64_t *out)
{
    if (!r->code || strcmp(r->code, code) != 0 || r->n_code_args < 1 ||
        r->code_args[0].type != IMAP_V_NUMBER)
        return false;
    *out = r->code_args[0].num;
    return true;
}

/* A NUMBER in [min, max] into *out, or TM_EPARSE naming what. */
static enum tm_status number_in(const struct imap_value *v, uint64_t min, uint64_t max,
                                const char *what, uint64_t *out, struct tm_error *err)
{
    if (v->type != IMAP_V_NUMBER)
        return tm_error_set(err, TM_EPARSE, _("IMAP %s is not a number"), what);
    if (v->num < min || v->num > max)
        return tm_error_set(err, TM_EPARSE, _("IMAP %s %llu is out of range"), what,
                            (unsigned long long)v->num);
    *out = v->num;
    return TM_OK;
}

/* ---- Flags ---- */

static const struct {
    const char *name;
    unsigned flag;
} flag_names[] = {
    {"\\Seen", TM_FLAG_SEEN},       {"\\Answered", TM_FLAG_ANSWERED},
    {"\\Flagged", TM_FLAG_FLAGGED}, {"\\Deleted", TM_FLAG_DELETED},
    {"\\Draft", TM_FLAG_DRAFT},     {"$Forwarded", TM_FLAG_PASSED},
    {"\\Recent", TM_FLAG_RECENT},
};

unsigned imap_flags_from_list(const struct imap_value *list)
{
    unsigned flags = 0;
    if (!list || list->type != IMAP_V_LIST)
        return 0;
    for (size_t i = 0; i < list->n; i++) {
        const struct imap_value *v = &list->items[i];
        if (v->type != IMAP_V_ATOM)
            continue;
        for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
            if (strcasecmp(v->str, flag_names[k].name) == 0)
                flags |= flag_names[k].flag;
    }
    return flags;
}

enum tm_status imap_flags_format(unsigned flags, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    bool first = true;
    for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]) && !st; k++) {
        if (!(flags & flag_names[k].flag) || flag_names[k].flag == TM_FLAG_RECENT)
            continue;
        if (!first)
            st = tm_buf_append_char(out, ' ');
        if (!st)
            st = tm_buf_append_str(out, flag_names[k].name);
        first = false;
    }
    return st;
}

/* ---- INTERNALDATE ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits_at(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* RFC 3501 date-time without its quotes: "17-Jul-1996 02:44:25 -0700" (day " 7" or "07"; a lone
 * "7" is accepted too) into epoch seconds. */
static bool parse_date_time(const char *s, size_t len, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int day, mon = -1, year, hh, mm, ss, zh, zm;
    if (len > 0 && s[0] == ' ')
        s++, len--;
    if (len == 25) {
        if (!digits_at(s, 1, &day))
            return false;
        s++;
    } else if (len == 26) {
        if (!digits_at(s, 2, &day))
            return false;
        s += 2;
    } else {
        return false;
    }
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s + 1, months + 3 * i, 3) == 0)
            mon = i;
    if (s[0] != '-' || mon < 0 || s[4] != '-' || !digits_at(s + 5, 4, &year) || s[9] != ' ' ||
        !digits_at(s + 10, 2, &hh) || s[12] != ':' || !digits_at(s + 13, 2, &mm) || s[15] != ':' ||
        !digits_at(s + 16, 2, &ss) || s[18] != ' ' || (s[19] != '+' && s[19] != '-') ||
        !digits_at(s + 20, 2, &zh) || !digits_at(s + 22, 2, &zm))
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day < 1 || day > mdays[mon] || (mon == 1 && day == 29 && !leap) || hh > 23 || mm > 59 ||
        ss > 60 || zh > 23 || zm > 59)
        return false;
    int64_t zone = (zh * 60 + zm) * 60;
    *out = days_from_civil(year, mon + 1, day) * 86400 + hh * 3600 + mm * 60 + ss -
           (s[19] == '-' ? -zone : zone);
    return true;
}

/* ---- FETCH ---- */

/* A STRING or NIL (data NULL) for header and body sections. */
static enum tm_status fetch_string(const struct imap_value *v, const char *name, const char **data,
                                   size_t *len, struct tm_error *err)
{
    if (v->type == IMAP_V_NIL) {
        *data = NULL;
        *len = 0;
        return TM_OK;
    }
    if (v->type != IMAP_V_STRING)
        return tm_error_set(err, TM_EPARSE, _("IMAP FETCH %.60s is not a string"), name);
    *data = v->str;
    *len = v->len;
    return TM_OK;
}

/* BODY[...] and BINARY[...]: the section between the brackets decides where the data goes. */
static enum tm_status fetch_section(struct imap_fetch *f, const char *name, const char *sec,
                                    const struct imap_value *v, struct tm_error *err)
{
    const char *close = strchr(sec, ']');
    size_t len = close ? (size_t)(close - sec) : strlen(sec);
    bool binary = strncasecmp(name, "BINARY[", 7) == 0;
    if (len == 0)
        return fetch_string(v, name, &f->body, &f->body_len, err);
    if (!binary && ((len == 6 && strncasecmp(sec, "HEADER", 6) == 0) ||
                    strncasecmp(sec, "HEADER.FIELDS", 13) == 0))
        return fetch_string(v, name, &f->header, &f->header_len, err);
    f->section = sec;
    f->section_len = len;
    return fetch_string(v, name, &f->section_data, &f->section_data_len, err);
}

static enum tm_status fetch_attr(struct imap_fetch *f, const char *name, const struct imap_value *v,
                                 struct tm_error *err)
{
    uint64_t n = 0;
    enum tm_status st = TM_OK;
    if (strcasecmp(name, "UID") == 0) {
        if (!(st = number_in(v, 1, UID_MAX, "UID", &n, err))) {
            f->uid = (uint32_t)n;
            f->has_uid = true;
        }
    } else if (strcasecmp(name, "FLAGS") == 0) {
        if (v->type != IMAP_V_LIST)
            return tm_error_set(err, TM_EPARSE, _("IMAP FETCH FLAGS is not a list"));
        f->flags = imap_flags_from_list(v);
        f->has_flags = true;
    } else if (strcasecmp(name, "MODSEQ") == 0) {
        if (v->type != IMAP_V_LIST || v->n != 1)
            return tm_error_set(err, TM_EPARSE, _("IMAP FETCH MODSEQ is not a one-number list"));
        if (!(st = number_in(&v->items[0], 1, INT64_MAX, "MODSEQ", &f->modseq, err)))
            f->has_modseq = true;
    } else if (strcasecmp(name, "RFC822.SIZE") == 0) {
        if (!(st = number_in(v, 0, SIZE_LIMIT, "RFC822.SIZE", &f->size, err)))
            f->has_size = true;
    } else if (strcasecmp(name, "INTERNALDATE") == 0) {
        if (v->type != IMAP_V_STRING || !parse_date_time(v->str, v->len, &f->internaldate))
            return tm_error_set(err, TM_EPARSE, _("IMAP FETCH INTERNALDATE is not a date-time"));
        f->has_internaldate = true;
    } else if (strcasecmp(name, "RFC822.HEADER") == 0) {
        st = fetch_string(v, name, &f->header, &f->header_len, err);
    } else if (strcasecmp(name, "RFC822") == 0) {
        st = fetch_string(v, name, &f->body, &f->body_len, err);
    } else if (strncasecmp(name, "BODY[", 5) == 0) {
        st = fetch_section(f, name, name + 5, v, err);
    } else if (strncasecmp(name, "BINARY[", 7) == 0) {
        st = fetch_section(f, name, name + 7, v, err);
    } else if (strncasecmp(name, "BINARY.SIZE[", 12) == 0) {
        const char *close = strchr(name + 12, ']');
        if (!(st = number_in(v, 0, SIZE_LIMIT, "BINARY.SIZE", &f->binary_size, err))) {
            f->has_binary_size = true;
            f->binary_size_section = name + 12;
            f->binary_size_section_len = close ? (size_t)(close - (name + 12)) : strlen(name + 12);
        }
    } else if (strcasecmp(name, "BODYSTRUCTURE") == 0 || strcasecmp(name, "BODY") == 0 ||
               strcasecmp(name, "ENVELOPE") == 0) {
        if (v->type != IMAP_V_LIST)
            return tm_error_set(err, TM_EPARSE, _("IMAP FETCH %s is not a list"), name);
        if (strcasecmp(name, "ENVELOPE") == 0)
            f->envelope = v;
        else
            f->bodystructure = v;
    }
    return st;
}

enum tm_status imap_fetch_decode(const struct imap_response *r, struct imap_fetch *f,
                                 struct tm_error *err)
{
    enum tm_status st;
    memset(f, 0, sizeof(*f));
    if (!r->keyword || strcmp(r->keyword, "FETCH") != 0 || !r->has_number)
        return tm_error_set(err, TM_EPARSE, _("not an IMAP FETCH response"));
    if (r->number == 0 || r->number > UID_MAX)
        return tm_error_set(err, TM_EPARSE, _("IMAP FETCH for message number %llu"),
                            (unsigned long long)r->number);
    f->seq = r->number;
    if (r->n_args != 1 || r->args[0].type != IMAP_V_LIST || r->args[0].n % 2 != 0)
        return tm_error_set(err, TM_EPARSE, _("IMAP FETCH %llu: not one list of name-value pairs"),
                            (unsigned long long)r->number);
    const struct imap_value *items = r->args[0].items;
    for (size_t i = 0; i < r->args[0].n; i += 2) {
        if (items[i].type != IMAP_V_ATOM)
            return tm_error_set(err, TM_EPARSE, _("IMAP FETCH %llu: attribute name expected"),
                                (unsigned long long)r->number);
        if ((st = fetch_attr(f, items[i].str, &items[i + 1], err)) != TM_OK)
            return st;
    }
    return TM_OK;
}

/* ---- CAPABILITY ---- */

static const char *const cap_names[IMAP_CAP__COUNT] = {
    [IMAP_CAP_IMAP4REV1] = "IMAP4rev1",
    [IMAP_CAP_IMAP4REV2] = "IMAP4rev2",
    [IMAP_CAP_STARTTLS] = "STARTTLS",
    [IMAP_CAP_LOGINDISABLED] = "LOGINDISABLED",
    [IMAP_CAP_SASL_IR] = "SASL-IR",
    [IMAP_CAP_LITERALPLUS] = "LITERAL+",
    [IMAP_CAP_LITERALMINUS] = "LITERAL-",
    [IMAP_CAP_IDLE] = "IDLE",
    [IMAP_CAP_CONDSTORE] = "CONDSTORE",
    [IMAP_CAP_QRESYNC] = "QRESYNC",
    [IMAP_CAP_ENABLE] = "ENABLE",
    [IMAP_CAP_UIDPLUS] = "UIDPLUS",
    [IMAP_CAP_MOVE] = "MOVE",
    [IMAP_CAP_SPECIAL_USE] = "SPECIAL-USE",
    [IMAP_CAP_LIST_STATUS] = "LIST-STATUS",
    [IMAP_CAP_LIST_EXTENDED] = "LIST-EXTENDED",
    [IMAP_CAP_ESEARCH] = "ESEARCH",
    [IMAP_CAP_BINARY] = "BINARY",
    [IMAP_CAP_UTF8_ACCEPT] = "UTF8=ACCEPT",
    [IMAP_CAP_NAMESPACE] = "NAMESPACE",
    [IMAP_CAP_NOTIFY] = "NOTIFY",
    [IMAP_CAP_COMPRESS_DEFLATE] = "COMPRESS=DEFLATE",
    [IMAP_CAP_ID] = "ID",
    [IMAP_CAP_UNSELECT] = "UNSELECT",
};

static const struct {
    const char *name;
    unsigned bit;
} auth_names[] = {
    {"AUTH=PLAIN", IMAP_AUTH_PLAIN},
    {"AUTH=LOGIN", IMAP_AUTH_LOGIN},
    {"AUTH=XOAUTH2", IMAP_AUTH_XOAUTH2},
    {"AUTH=OAUTHBEARER", IMAP_AUTH_OAUTHBEARER},
    {"AUTH=SCRAM-SHA-256", IMAP_AUTH_SCRAM_SHA_256},
};

void imap_caps_parse(const struct imap_value *vals, size_t n, struct imap_caps *caps)
{
    caps->bits = 0;
    caps->auth = 0;
    for (size_t i = 0; i < n; i++) {
        if (vals[i].type != IMAP_V_ATOM)
            continue;
        const char *s = vals[i].str;
        for (int c = 0; c < IMAP_CAP__COUNT; c++)
            if (strcasecmp(s, cap_names[c]) == 0)
                caps->bits |= UINT64_C(1) << c;
        if (strcasecmp(s, "UTF8=ONLY") == 0)
            caps->bits |= UINT64_C(1) << IMAP_CAP_UTF8_ACCEPT;
        for (size_t k = 0; k < sizeof(auth_names) / sizeof(auth_names[0]); k++)
            if (strcasecmp(s, auth_names[k].name) == 0)
                caps->auth |= auth_names[k].bit;
    }
}

bool imap_caps_has(const struct imap_caps *c, enum imap_cap cap)
{
    return (unsigned)cap < IMAP_CAP__COUNT && (c->bits >> cap) & 1;
}

/* ---- Mailbox names ---- */

bool imap_name_is_safe(const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len = strlen(utf8);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = tm_utf8_decode(s + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            return false;
        i += n;
    }
    return true;
}

/* raw made valid UTF-8 for display: bad bytes and NUL become U+FFFD. */
static enum tm_status name_fallback(const char *raw, size_t len, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < len && !st;) {
        unsigned cp;
        size_t n = tm_utf8_decode((const unsigned char *)raw + i, len - i, &cp);
        if (n == 0 || cp == 0) {
            st = tm_buf_append_str(out, "\xEF\xBF\xBD");
            i += n ? n : 1;
        } else {
            st = tm_buf_append(out, raw + i, n);
            i += n;
        }
    }
    return st;
}

static bool valid_utf8(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = tm_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (n == 0 || cp == 0)
            return false;
        i += n;
    }
    return true;
}

/* The mailbox astring v: *raw borrowed, *name malloc'd UTF-8 (see imap_list_entry). */
static enum tm_status mailbox_name(const struct imap_value *v, bool utf8_enabled, const char **raw,
                                   size_t *raw_len, char **name, bool *undecodable,
                                   struct tm_error *err)
{
    struct tm_buf b;
    enum tm_status st = TM_OK;
    if (v->type != IMAP_V_ATOM && v->type != IMAP_V_NUMBER && v->type != IMAP_V_STRING)
        return tm_error_set(err, TM_EPARSE, _("IMAP mailbox name expected"));
    *raw = v->str;
    *raw_len = v->len;
    tm_buf_init(&b, v->len * 4 + 16);
    if (v->len == 5 && strcasecmp(v->str, "INBOX") == 0) {
        st = tm_buf_append_str(&b, "INBOX");
    } else if (utf8_enabled && valid_utf8(v->str, v->len)) {
        st = tm_buf_append(&b, v->str, v->len);
    } else if (utf8_enabled || imap_utf7_decode(v->str, v->len, &b, NULL) != TM_OK) {
        *undecodable = true;
        st = name_fallback(v->str, v->len, &b);
    }
    if (!st && !(*name = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    if (st)
        return tm_error_set(err, st, _("out of memory decoding an IMAP mailbox name"));
    return TM_OK;
}

/* ---- LIST ---- */

static const struct {
    const char *name;
    unsigned attr;
} list_attrs[] = {
    {"\\Noselect", IMAP_LIST_NOSELECT},
    {"\\NoInferiors", IMAP_LIST_NOINFERIORS},
    {"\\HasChildren", IMAP_LIST_HASCHILDREN},
    {"\\HasNoChildren", IMAP_LIST_HASNOCHILDREN},
    {"\\Marked", IMAP_LIST_MARKED},
    {"\\Unmarked", IMAP_LIST_UNMARKED},
    {"\\Subscribed", IMAP_LIST_SUBSCRIBED},
    {"\\NonExistent", IMAP_LIST_NONEXISTENT | IMAP_LIST_NOSELECT},
    {"\\Remote", IMAP_LIST_REMOTE},
    {"\\All", IMAP_LIST_ALL},
    {"\\Archive", IMAP_LIST_ARCHIVE},
    {"\\Drafts", IMAP_LIST_DRAFTS},
    {"\\Flagged", IMAP_LIST_FLAGGED},
    {"\\Junk", IMAP_LIST_JUNK},
    {"\\Sent", IMAP_LIST_SENT},
    {"\\Trash", IMAP_LIST_TRASH},
};

enum tm_status imap_list_decode(const struct imap_response *r, bool utf8_enabled,
                                struct imap_list_entry *e, struct tm_error *err)
{
    memset(e, 0, sizeof(*e));
    if (!r->keyword || (strcmp(r->keyword, "LIST") != 0 && strcmp(r->keyword, "LSUB") != 0 &&
                        strcmp(r->keyword, "XLIST") != 0))
        return tm_error_set(err, TM_EPARSE, _("not an IMAP LIST response"));
    if (r->n_args < 3 || r->args[0].type != IMAP_V_LIST)
        return tm_error_set(err, TM_EPARSE, _("IMAP LIST: attributes, delimiter, name expected"));
    const struct imap_value *attrs = &r->args[0], *delim = &r->args[1];
    for (size_t i = 0; i < attrs->n; i++)
        for (size_t k = 0; k < sizeof(list_attrs) / sizeof(list_attrs[0]); k++)
            if (imap_value_is_atom(&attrs->items[i], list_attrs[k].name))
                e->attrs |= list_attrs[k].attr;
    if (delim->type == IMAP_V_STRING && delim->len == 1 && (unsigned char)delim->str[0] < 0x80 &&
        delim->str[0] != 0)
        e->delimiter = delim->str[0];
    else if (delim->type != IMAP_V_NIL)
        return tm_error_set(err, TM_EPARSE, _("IMAP LIST: bad hierarchy delimiter"));
    enum tm_status st = mailbox_name(&r->args[2], utf8_enabled, &e->raw_name, &e->raw_name_len,
                                     &e->name_utf8, &e->name_undecodable, err);
    if (st)
        return st;
    e->name_unsafe = !imap_name_is_safe(e->name_utf8);
    return TM_OK;
}

void imap_list_entry_cleanup(struct imap_list_entry *e)
{
    free(e->name_utf8);
    e->name_utf8 = NULL;
}

/* ---- STATUS ---- */

static const struct {
    const char *name;
    uint64_t min, max;
    size_t value, has; /* offsets in struct imap_status_info */
} status_items[] = {
    {"MESSAGES", 0, UID_MAX, offsetof(struct imap_status_info, messages),
     offsetof(struct imap_status_info, has_messages)},
    {"UNSEEN", 0, UID_MAX, offsetof(struct imap_status_info, unseen),
     offsetof(struct imap_status_info, has_unseen)},
    {"UIDNEXT", 1, UID_MAX, offsetof(struct imap_status_info, uidnext),
     offsetof(struct imap_status_info, has_uidnext)},
    {"UIDVALIDITY", 1, UID_MAX, offsetof(struct imap_status_info, uidvalidity),
     offsetof(struct imap_status_info, has_uidvalidity)},
    {"HIGHESTMODSEQ", 0, INT64_MAX, offsetof(struct imap_status_info, highestmodseq),
     offsetof(struct imap_status_info, has_highestmodseq)},
};

enum tm_status imap_status_decode(const struct imap_response *r, bool utf8_enabled,
                                  struct imap_status_info *s, struct tm_error *err)
{
    enum tm_status st;
    memset(s, 0, sizeof(*s));
    if (!r->keyword || strcmp(r->keyword, "STATUS") != 0)
        return tm_error_set(err, TM_EPARSE, _("not an IMAP STATUS response"));
    if (r->n_args != 2 || r->args[1].type != IMAP_V_LIST || r->args[1].n % 2 != 0)
        return tm_error_set(err, TM_EPARSE, _("IMAP STATUS: mailbox and item list expected"));
    const struct imap_value *items = r->args[1].items;
    for (size_t i = 0; i < r->args[1].n; i += 2) {
        if (items[i].type != IMAP_V_ATOM)
            return tm_error_set(err, TM_EPARSE, _("IMAP STATUS: item name expected"));
        for (size_t k = 0; k < sizeof(status_items) / sizeof(status_items[0]); k++) {
            if (strcasecmp(items[i].str, status_items[k].name) != 0)
                continue;
            uint64_t n = 0;
            st = number_in(&items[i + 1], status_items[k].min, status_items[k].max,
                           status_items[k].name, &n, err);
            if (st)
                return st;
            *(uint64_t *)((char *)s + status_items[k].value) = n;
            *(bool *)((char *)s + status_items[k].has) = true;
        }
    }
    return mailbox_name(&r->args[0], utf8_enabled, &s->raw_mailbox, &s->raw_mailbox_len,
                        &s->mailbox_utf8, &s->mailbox_undecodable, err);
}

void imap_status_info_cleanup(struct imap_status_info *s)
{
    free(s->mailbox_utf8);
    s->mailbox_utf8 = NULL;
}
