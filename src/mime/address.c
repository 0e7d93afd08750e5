/* address.c - address-list header values: mailboxes, groups, obsolete routes and the junk real
 * mail carries, parsed for the index and formatted for display. (RFC 5322 3.4 and 4.4) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"

enum tok_kind { TOK_END, TOK_ATOM, TOK_QUOTED, TOK_LITERAL, TOK_SPECIAL };

struct addr_token {
    enum tok_kind kind;
    const char *s; /* TOK_QUOTED: the content between the quotes, escapes still in */
    size_t len;
    bool space_before; /* blanks or a comment preceded it */
};

struct addr_parser {
    const char *p;
    const char *fallback;  /* charset for raw 8-bit display names (NULL: the default) */
    struct tm_buf comment; /* the first comment of the current mailbox, unescaped */
    bool have_comment;
    enum tm_status st;
};

/* Characters that end an atom. '.' is not among them: dots belong to atoms here, which covers
 * dot-atoms and the obsolete "John Q. Public" phrase alike. */
static bool is_special(char c)
{
    /* a table, not strchr: this runs for every byte of every address */
    static const bool special[256] = {
        ['('] = 1, [')'] = 1, ['<'] = 1,  ['>'] = 1, ['@'] = 1, [','] = 1,
        [';'] = 1, [':'] = 1, ['\\'] = 1, ['"'] = 1, ['['] = 1, [']'] = 1};
    return special[(unsigned char)c];
}

/* Skips a comment at p ('(' included); the outermost one's text is kept for a bare address
 * that has no display name ("user@host (Name)"). Unterminated comments end with the value. */
static const char *skip_comment(struct addr_parser *ap, const char *p)
{
    bool keep = !ap->have_comment;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '(' && depth++ == 0)
            continue;
        else if (*p == ')' && --depth == 0)
            break;
        if (keep && ap->st == TM_OK)
            ap->st = tm_buf_append_char(&ap->comment, *p);
    }
    ap->have_comment = ap->have_comment || keep;
    return *p ? p + 1 : p;
}

/* The end of a quoted string or domain literal whose content starts at p, and the content's
 * length: stops at close or at the end of the value (a missing close is tolerated). */
static const char *scan_delimited(const char *p, char close, size_t *len)
{
    const char *s = p;
    while (*p && *p != close) {
        if (*p == '\\' && p[1])
            p++;
        p++;
    }
    *len = (size_t)(p - s);
    return *p ? p + 1 : p;
}

static void next_token(struct addr_parser *ap, struct addr_token *t)
{
    const char *p = ap->p;
    t->space_before = false;
    while (isspace((unsigned char)*p) || *p == '(') {
        p = *p == '(' ? skip_comment(ap, p) : p + 1;
        t->space_before = true;
    }
    t->s = p;
    t->len = 1;
    if (*p == '\0') {
        t->kind = TOK_END;
        t->len = 0;
    } else if (*p == '"' || *p == '[') {
        t->kind = *p == '"' ? TOK_QUOTED : TOK_LITERAL;
        t->s = p + (*p == '"');
        p = scan_delimited(p + 1, *p == '"' ? '"' : ']', &t->len);
        t->len += t->kind == TOK_LITERAL; /* a literal keeps its '[' */
    } else if (is_special(*p)) {
        t->kind = TOK_SPECIAL;
        p++;
    } else {
        t->kind = TOK_ATOM;
        while (*p && !isspace((unsigned char)*p) && !is_special(*p))
            p++;
        t->len = (size_t)(p - t->s);
    }
    ap->p = p;
}

static bool is_sep(const struct addr_token *t, const char *set)
{
    return t->kind == TOK_END || (t->kind == TOK_SPECIAL && strchr(set, t->s[0]));
}

/* A word appended to a display name: quoted strings lose their quotes and escapes. */
static enum tm_status append_display(struct tm_buf *b, const struct addr_token *t)
{
    enum tm_status st = TM_OK;
    if (b->len > 0 && t->space_before)
        st = tm_buf_append_char(b, ' ');
    if (t->kind != TOK_QUOTED)
        return st ? st : tm_buf_append(b, t->s, t->len);
    for (size_t i = 0; i < t->len && st == TM_OK; i++) {
        if (t->s[i] == '\\' && i + 1 < t->len)
            i++;
        st = tm_buf_append_char(b, t->s[i]);
    }
    return st;
}

/* A token appended to an addr-spec: blanks and comments go (obs-local-part allows CFWS). */
static enum tm_status append_spec(struct tm_buf *b, const struct addr_token *t)
{
    if (t->kind != TOK_QUOTED)
        return tm_buf_append(b, t->s, t->len);
    enum tm_status st = tm_buf_append_char(b, '"');
    if (st == TM_OK)
        st = tm_buf_append(b, t->s, t->len);
    return st ? st : tm_buf_append_char(b, '"');
}

/* Takes the buffer's text as malloc'd UTF-8, NULL when empty; *st is set on failure. A display
 * name has its encoded words decoded; an addr-spec is only made valid UTF-8 (RFC 6532). */
static char *take_text(struct tm_buf *b, bool decode, const char *fallback, enum tm_status *st)
{
    struct tm_buf clean;
    char *s = NULL;
    if (b->len == 0 || *st)
        return NULL;
    tm_buf_init(&clean, 0);
    if (decode) {
        s = tm_mime_decode_header_text(b->data, fallback);
    } else if (mime_utf8_sanitize(&clean, b->data, b->len) == TM_OK) {
        s = tm_buf_steal(&clean);
    }
    tm_buf_cleanup(&clean);
    tm_buf_reset(b);
    if (!s)
        *st = TM_ENOMEM;
    else if (!*s)
        free(s), s = NULL;
    return s;
}

static enum tm_status list_add(struct mime_addr_list *list, enum mime_addr_kind kind, char *name,
                               char *addr)
{
    if (TM_ARRAY_RESERVE(list->items, list->count, list->cap, 4)) {
        free(name);
        free(addr);
        return TM_ENOMEM;
    }
    list->items[list->count++] = (struct mime_addr){kind, name, addr};
    return TM_OK;
}

/* Reads <...> after the display name: an obsolete route ("@a,@b:") is dropped, anything after
 * the '>' up to the next separator is junk. */
static void parse_angle(struct addr_parser *ap, struct tm_buf *spec)
{
    struct addr_token t;
    const char *start = ap->p;
    next_token(ap, &t);
    if (t.kind == TOK_SPECIAL && t.s[0] == '@') {
        while (!is_sep(&t, ":>"))
            next_token(ap, &t);
        if (t.kind == TOK_SPECIAL && t.s[0] == ':')
            start = ap->p;
    }
    ap->p = start;
    for (next_token(ap, &t); !is_sep(&t, ">") && ap->st == TM_OK; next_token(ap, &t)) {
        if (!(t.kind == TOK_SPECIAL && strchr(",;:<", t.s[0])))
            ap->st = append_spec(spec, &t);
    }
    while (!is_sep(&t, ",;"))
        next_token(ap, &t);
    ap->p = t.s; /* the separator is read again by the caller */
}

/* Adds a mailbox (taking name and addr); a bare address's comment stands in for its name. */
static void add_mailbox(struct addr_parser *ap, struct mime_addr_list *list, char *name, char *addr)
{
    if (!name && ap->have_comment)
        name = take_text(&ap->comment, true, ap->fallback, &ap->st);
    if (ap->st) {
        free(name);
        free(addr);
        return;
    }
    ap->st = list_add(list, MIME_ADDR_MAILBOX, name, addr);
}

/* "name:" opens a group (RFC 5322 3.4); its display name is decoded like a mailbox's. */
static bool start_group(struct addr_parser *ap, struct mime_addr_list *list, bool *in_group,
                        struct tm_buf *display, struct tm_buf *spec)
{
    char *name = take_text(display, true, ap->fallback, &ap->st);
    tm_buf_reset(spec);
    if (ap->st == TM_OK)
        ap->st = list_add(list, MIME_ADDR_GROUP_START, name, NULL);
    *in_group = ap->st == TM_OK;
    return ap->st == TM_OK;
}

/* Reads one mailbox, or a group's opening "name:", with the separator after it. Returns false
 * once the value is used up. */
static bool parse_entry(struct addr_parser *ap, struct mime_addr_list *list, bool *in_group,
                        struct tm_buf *display, struct tm_buf *spec)
{
    struct addr_token t;
    bool any = false, has_at = false, phrase_like = false;
    tm_buf_reset(&ap->comment);
    ap->have_comment = false;
    for (next_token(ap, &t); !is_sep(&t, "<:,;") && ap->st == TM_OK; next_token(ap, &t)) {
        ap->st = append_display(display, &t);
        if (ap->st == TM_OK)
            ap->st = append_spec(spec, &t);
        has_at = has_at || (t.kind == TOK_SPECIAL && t.s[0] == '@');
        phrase_like = phrase_like || t.kind == TOK_QUOTED || (any && t.space_before);
        any = true;
    }
    if (ap->st)
        return false;
    char *name = NULL, *addr = NULL;
    if (t.s[0] == ':' && !*in_group)
        return start_group(ap, list, in_group, display, spec);
    bool angle = t.s[0] == '<';
    if (angle) {
        name = take_text(display, true, ap->fallback, &ap->st);
        tm_buf_reset(spec);
        parse_angle(ap, spec);
        next_token(ap, &t);
    }
    if (!angle && !has_at && phrase_like)
        name =
            take_text(display, true, ap->fallback, &ap->st); /* "John Doe" with no address at all */
    else if (any || angle)
        addr = take_text(spec, false, NULL, &ap->st);
    if (any || angle)
        add_mailbox(ap, list, name, addr);
    tm_buf_reset(display);
    tm_buf_reset(spec);
    if (*in_group && (t.kind == TOK_END || t.s[0] == ';')) {
        *in_group = false;
        ap->st = ap->st ? ap->st : list_add(list, MIME_ADDR_GROUP_END, NULL, NULL);
    }
    return t.kind != TOK_END && ap->st == TM_OK;
}

enum tm_status mime_addr_list_parse(const char *value, struct mime_addr_list *list)
{
    return mime_addr_list_parse_fb(value, NULL, list);
}

enum tm_status mime_addr_list_parse_fb(const char *value, const char *fallback,
                                       struct mime_addr_list *list)
{
    struct addr_parser ap = {.p = value ? value : "", .fallback = fallback};
    struct tm_buf display, spec;
    bool in_group = false;
    memset(list, 0, sizeof(*list));
    tm_buf_init(&ap.comment, 0);
    tm_buf_init(&display, 0);
    tm_buf_init(&spec, 0);
    while (list->count < MIME_ADDR_MAX && parse_entry(&ap, list, &in_group, &display, &spec))
        ;
    tm_buf_cleanup(&ap.comment);
    tm_buf_cleanup(&display);
    tm_buf_cleanup(&spec);
    if (ap.st)
        mime_addr_list_cleanup(list);
    return ap.st;
}

void mime_addr_list_cleanup(struct mime_addr_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].addr);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

enum tm_status tm_mime_first_address(const char *value, char **name, char **addr)
{
    return mime_first_address_fb(value, NULL, name, addr);
}

enum tm_status mime_first_address_fb(const char *value, const char *fallback, char **name,
                                     char **addr)
{
    struct mime_addr_list list;
    *name = NULL;
    *addr = NULL;
    enum tm_status st = mime_addr_list_parse_fb(value, fallback, &list);
    for (size_t i = 0; st == TM_OK && i < list.count; i++) {
        if (list.items[i].kind != MIME_ADDR_MAILBOX)
            continue;
        *name = list.items[i].name;
        *addr = list.items[i].addr;
        list.items[i].name = list.items[i].addr = NULL;
        break;
    }
    mime_addr_list_cleanup(&list);
    return st;
}

static enum tm_status format_mailbox(struct tm_buf *b, const struct mime_addr *a)
{
    if (a->name && a->addr) { /* "name <addr>", without a printf per address */
        enum tm_status st = tm_buf_append_str(b, a->name);
        if (st == TM_OK)
            st = tm_buf_append(b, " <", 2);
        if (st == TM_OK)
            st = tm_buf_append_str(b, a->addr);
        return st ? st : tm_buf_append_char(b, '>');
    }
    return tm_buf_append_str(b, a->name ? a->name : a->addr ? a->addr : "");
}

enum tm_status mime_addr_display(const char *value, char **out)
{
    return mime_addr_display_fb(value, NULL, out);
}

enum tm_status mime_addr_display_fb(const char *value, const char *fallback, char **out)
{
    struct mime_addr_list list;
    struct tm_buf b;
    bool first = true; /* the next mailbox is the first in the list or in its group */
    *out = NULL;
    tm_buf_init(&b, 0);
    enum tm_status st = mime_addr_list_parse_fb(value, fallback, &list);
    for (size_t i = 0; st == TM_OK && i < list.count; i++) {
        const struct mime_addr *a = &list.items[i];
        if (a->kind == MIME_ADDR_GROUP_END) {
            st = tm_buf_append_char(&b, ';');
            first = false;
            continue;
        }
        if (b.len > 0)
            st = tm_buf_append_str(&b, first ? " " : ", ");
        if (st == TM_OK && a->kind == MIME_ADDR_GROUP_START)
            st = tm_buf_appendf(&b, "%s:", a->name ? a->name : "");
        else if (st == TM_OK)
            st = format_mailbox(&b, a);
        first = a->kind == MIME_ADDR_GROUP_START;
    }
    if (st == TM_OK && b.len > 0 && !(*out = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    mime_addr_list_cleanup(&list);
    return st;
}
