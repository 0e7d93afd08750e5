/* html_text.c - HTML to plain text, good enough for newsletters: block structure as line breaks,
 * lists, entities, and links as numbered references. (HTML Living Standard 13.2, loosely) */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/str.h"

#define TAG_NAME_MAX 16
#define SNIFF_MAX    4096

struct html_state {
    struct tm_buf *out;
    size_t start;        /* out->len when the conversion began */
    struct tm_buf links; /* "[1] URL\n" lines, appended at the end */
    unsigned nlinks;
    char *href;        /* the open <a>'s target, NULL when none worth listing */
    unsigned pre;      /* <pre> nesting: blanks are kept */
    bool space;        /* collapsed blanks pending before the next text */
    bool in_head;      /* <head> content is not shown */
    unsigned newlines; /* line breaks at the end of the output */
    size_t last_gt;    /* position of the input's last '>' (see tag_end) */
    enum tm_status st;
};

/* ---- output ---- */

static void append(struct html_state *h, const char *s, size_t n)
{
    if (h->st == TM_OK && n > 0)
        h->st = tm_buf_append(h->out, s, n);
}

/* Visible text: a pending blank becomes one space unless a line starts here. */
static void put_text(struct html_state *h, const char *s, size_t n)
{
    if (h->in_head || n == 0)
        return;
    if (h->space && h->newlines == 0 && h->out->len > h->start)
        append(h, " ", 1);
    h->space = false;
    append(h, s, n);
    h->newlines = 0;
}

/* Ends the line (want 1) or the paragraph (want 2); never at the start of the output. */
static void put_break(struct html_state *h, unsigned want)
{
    h->space = false;
    if (h->in_head || h->out->len == h->start)
        return;
    while (h->newlines < want) {
        append(h, "\n", 1);
        h->newlines++;
    }
}

/* <br>: a line break even on an empty line, but at most one blank line in a row. */
static void put_newline(struct html_state *h)
{
    h->space = false;
    if (h->in_head || h->out->len == h->start || h->newlines >= 2)
        return;
    append(h, "\n", 1);
    h->newlines++;
}

/* ---- entities ---- */

struct entity_name {
    const char *name;
    unsigned cp;
};

static const struct entity_name entities[] = {
    {"amp", 38},      {"lt", 60},      {"gt", 62},      {"quot", 34},     {"apos", 39},
    {"nbsp", 160},    {"copy", 169},   {"reg", 174},    {"trade", 8482},  {"hellip", 8230},
    {"mdash", 8212},  {"ndash", 8211}, {"laquo", 171},  {"raquo", 187},   {"lsquo", 8216},
    {"rsquo", 8217},  {"sbquo", 8218}, {"ldquo", 8220}, {"rdquo", 8221},  {"bdquo", 8222},
    {"bull", 8226},   {"middot", 183}, {"deg", 176},    {"euro", 8364},   {"pound", 163},
    {"yen", 165},     {"cent", 162},   {"sect", 167},   {"para", 182},    {"plusmn", 177},
    {"times", 215},   {"divide", 247}, {"frac12", 189}, {"frac14", 188},  {"frac34", 190},
    {"shy", 173},     {"zwnj", 8204},  {"zwj", 8205},   {"ensp", 8194},   {"emsp", 8195},
    {"thinsp", 8201}, {"iexcl", 161},  {"iquest", 191}, {"dagger", 8224}, {"Dagger", 8225},
    {"permil", 8240}, {"larr", 8592},  {"rarr", 8594},  {"uarr", 8593},   {"darr", 8595},
    {"aacute", 225},  {"Aacute", 193}, {"agrave", 224}, {"Agrave", 192},  {"acirc", 226},
    {"Acirc", 194},   {"atilde", 227}, {"Atilde", 195}, {"auml", 228},    {"Auml", 196},
    {"aring", 229},   {"Aring", 197},  {"aelig", 230},  {"AElig", 198},   {"ccedil", 231},
    {"Ccedil", 199},  {"eacute", 233}, {"Eacute", 201}, {"egrave", 232},  {"Egrave", 200},
    {"ecirc", 234},   {"Ecirc", 202},  {"euml", 235},   {"Euml", 203},    {"iacute", 237},
    {"Iacute", 205},  {"igrave", 236}, {"Igrave", 204}, {"icirc", 238},   {"Icirc", 206},
    {"iuml", 239},    {"Iuml", 207},   {"eth", 240},    {"ETH", 208},     {"ntilde", 241},
    {"Ntilde", 209},  {"oacute", 243}, {"Oacute", 211}, {"ograve", 242},  {"Ograve", 210},
    {"ocirc", 244},   {"Ocirc", 212},  {"otilde", 245}, {"Otilde", 213},  {"ouml", 246},
    {"Ouml", 214},    {"oslash", 248}, {"Oslash", 216}, {"uacute", 250},  {"Uacute", 218},
    {"ugrave", 249},  {"Ugrave", 217}, {"ucirc", 251},  {"Ucirc", 219},   {"uuml", 252},
    {"Uuml", 220},    {"yacute", 253}, {"Yacute", 221}, {"yuml", 255},    {"szlig", 223},
    {"thorn", 254},   {"THORN", 222},  {"oelig", 339},  {"OElig", 338},   {"scaron", 353},
    {"Scaron", 352},
};

/* Numeric references to 0x80-0x9F mean windows-1252, as browsers read them. */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Encodes cp as UTF-8 into u (4 bytes); invalid code points become U+FFFD. */
static size_t utf8_encode(unsigned cp, char *u)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp >= 0x80 && cp <= 0x9F)
        cp = cp1252_c1[cp - 0x80];
    if (cp < 0x80) {
        u[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* &#NN; or &#xHH; at s[i] (s[i] == '&', s[i + 1] == '#'); the ';' may be missing. */
static size_t numeric_entity(const char *s, size_t len, size_t i, unsigned *cp)
{
    size_t j = i + 2, digits = 0;
    bool hex = j < len && (s[j] == 'x' || s[j] == 'X');
    unsigned long v = 0;
    j += hex;
    for (; j < len && (hex ? isxdigit((unsigned char)s[j]) : isdigit((unsigned char)s[j])); j++) {
        int d = isdigit((unsigned char)s[j]) ? s[j] - '0' : tolower((unsigned char)s[j]) - 'a' + 10;
        if (v <= 0x10FFFF)
            v = v * (hex ? 16 : 10) + (unsigned long)d;
        digits++;
    }
    if (digits == 0)
        return 0;
    *cp = v > 0x10FFFF ? 0xFFFD : (unsigned)v;
    return j - i + (j < len && s[j] == ';');
}

/* The reference at s[i] == '&' as UTF-8 in u; returns the bytes it spans, 0 if it is none (a
 * named one without ';' counts when no letter or digit follows its name). */
static size_t entity_at(const char *s, size_t len, size_t i, char *u, size_t *ulen)
{
    unsigned cp = 0;
    size_t n = 0;
    if (i + 1 < len && s[i + 1] == '#') {
        n = numeric_entity(s, len, i, &cp);
    } else {
        size_t j = i + 1;
        while (j < len && j - i <= 8 && isalnum((unsigned char)s[j]))
            j++;
        for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]) && j > i + 1; k++) {
            if (strlen(entities[k].name) == j - i - 1 &&
                memcmp(entities[k].name, s + i + 1, j - i - 1) == 0) {
                cp = entities[k].cp;
                n = j - i + (j < len && s[j] == ';');
            }
        }
        if (n && j < len && isalnum((unsigned char)s[j]))
            n = 0;
    }
    /* A no-break space is shown as a plain one, but it is text: it is not collapsed. */
    if (n)
        *ulen = utf8_encode(cp == 160 ? ' ' : cp, u);
    return n;
}

/* ---- tags ---- */

/* Appends s[0..n) to b with references decoded and control characters dropped (for attribute
 * values such as href="a?x=1&amp;y=2"). */
static enum tm_status append_decoded(struct tm_buf *b, const char *s, size_t n)
{
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < n && st == TM_OK;) {
        char u[4];
        size_t ulen, used = s[i] == '&' ? entity_at(s, n, i, u, &ulen) : 0;
        if (used) {
            st = tm_buf_append(b, u, ulen);
            i += used;
            continue;
        }
        if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7F)
            st = tm_buf_append_char(b, s[i]);
        i++;
    }
    return st;
}

/* Finds attribute name in the attribute text a[0..n) of a tag and appends its decoded value to
 * value; false when absent. */
static bool attr_value(const char *a, size_t n, const char *name, struct tm_buf *value,
                       enum tm_status *st)
{
    size_t i = 0, name_len = strlen(name);
    while (i < n) {
        while (i < n && (isspace((unsigned char)a[i]) || a[i] == '/'))
            i++;
        size_t ns = i;
        while (i < n && !isspace((unsigned char)a[i]) && a[i] != '=' && a[i] != '/')
            i++;
        size_t nlen = i - ns;
        while (i < n && isspace((unsigned char)a[i]))
            i++;
        if (i >= n || a[i] != '=') {
            i += i == ns; /* a stray character: step over it */
            continue;
        }
        for (i++; i < n && isspace((unsigned char)a[i]); i++)
            ;
        char quote = i < n && (a[i] == '"' || a[i] == '\'') ? a[i++] : 0;
        size_t vs = i;
        while (i < n && (quote ? a[i] != quote : !isspace((unsigned char)a[i])))
            i++;
        if (nlen == name_len && strncasecmp(a + ns, name, nlen) == 0) {
            *st = append_decoded(value, a + vs, i - vs);
            return true;
        }
        i += quote && i < n;
    }
    return false;
}

/* Closes the open link: "text [N]" in the text, "[N] URL" in the list. */
static void end_link(struct html_state *h)
{
    if (!h->href)
        return;
    char ref[24];
    int n = snprintf(ref, sizeof(ref), "[%u]", ++h->nlinks);
    bool pending = h->space; /* blanks before the reference also belong after it */
    h->space = true;
    put_text(h, ref, (size_t)n);
    h->space = pending;
    if (h->st == TM_OK)
        h->st = tm_buf_appendf(&h->links, "%s %s\n", ref, h->href);
    free(h->href);
    h->href = NULL;
}

/* Opens a link worth listing: not empty, not a fragment, not script. */
static void start_link(struct html_state *h, const char *attrs, size_t n)
{
    struct tm_buf url;
    tm_buf_init(&url, h->out->limit);
    end_link(h);
    if (attr_value(attrs, n, "href", &url, &h->st) && h->st == TM_OK && url.len > 0 &&
        url.data[0] != '#' && !tm_str_has_prefix_ci(url.data, "javascript:"))
        h->href = tm_buf_steal(&url);
    tm_buf_cleanup(&url);
}

static void image(struct html_state *h, const char *attrs, size_t n)
{
    struct tm_buf alt;
    tm_buf_init(&alt, h->out->limit);
    if (attr_value(attrs, n, "alt", &alt, &h->st) && h->st == TM_OK && alt.len > 0) {
        h->space = true;
        put_text(h, alt.data, alt.len);
        h->space = true;
    }
    tm_buf_cleanup(&alt);
}

enum tag_action {
    TAG_NONE,
    TAG_BREAK,
    TAG_PARA,
    TAG_BR,
    TAG_LI,
    TAG_CELL,
    TAG_A,
    TAG_IMG,
    TAG_PRE,
    TAG_HEAD,
    TAG_BODY
};

static enum tag_action tag_action(const char *name)
{
    static const struct {
        const char *name;
        enum tag_action action;
    } tags[] = {
        {"br", TAG_BR},         {"p", TAG_PARA},        {"h1", TAG_PARA},
        {"h2", TAG_PARA},       {"h3", TAG_PARA},       {"h4", TAG_PARA},
        {"h5", TAG_PARA},       {"h6", TAG_PARA},       {"blockquote", TAG_PARA},
        {"ul", TAG_PARA},       {"ol", TAG_PARA},       {"table", TAG_PARA},
        {"dl", TAG_PARA},       {"div", TAG_BREAK},     {"tr", TAG_BREAK},
        {"dt", TAG_BREAK},      {"dd", TAG_BREAK},      {"hr", TAG_BREAK},
        {"section", TAG_BREAK}, {"article", TAG_BREAK}, {"header", TAG_BREAK},
        {"footer", TAG_BREAK},  {"center", TAG_BREAK},  {"form", TAG_BREAK},
        {"address", TAG_BREAK}, {"figure", TAG_BREAK},  {"caption", TAG_BREAK},
        {"li", TAG_LI},         {"td", TAG_CELL},       {"th", TAG_CELL},
        {"a", TAG_A},           {"img", TAG_IMG},       {"pre", TAG_PRE},
        {"head", TAG_HEAD},     {"body", TAG_BODY},
    };
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (strcmp(name, tags[i].name) == 0)
            return tags[i].action;
    }
    return TAG_NONE;
}

/* Acts on a tag; attrs[0..n) is the text after its name. */
static void handle_tag(struct html_state *h, const char *name, bool closing, const char *attrs,
                       size_t n)
{
    enum tag_action action = tag_action(name);
    if (action != TAG_NONE && action != TAG_A && action != TAG_IMG && action != TAG_HEAD)
        h->in_head = false; /* a broken <head> that is never closed ends at the first content */
    switch (action) {
    case TAG_NONE:
        break;
    case TAG_BREAK:
    case TAG_PRE:
        put_break(h, action == TAG_PRE ? 2 : 1);
        if (action == TAG_PRE)
            h->pre = closing ? (h->pre ? h->pre - 1 : 0) : h->pre + 1;
        break;
    case TAG_PARA:
        put_break(h, 2);
        break;
    case TAG_BR:
        put_newline(h);
        break;
    case TAG_LI:
        put_break(h, 1);
        if (!closing) {
            put_text(h, "*", 1);
            h->space = true;
        }
        break;
    case TAG_CELL:
        h->space = true;
        break;
    case TAG_A:
        if (closing)
            end_link(h);
        else
            start_link(h, attrs, n);
        break;
    case TAG_IMG:
        if (!closing)
            image(h, attrs, n);
        break;
    case TAG_HEAD:
        h->in_head = !closing;
        break;
    case TAG_BODY:
        break;
    }
}

/* ---- markup ---- */

/* Position just after the first occurrence of the ASCII text needle (case-insensitive) in
 * s[from..len), or len when there is none. */
static size_t skip_past(const char *s, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; i + n <= len; i++) {
        if (strncasecmp(s + i, needle, n) == 0)
            return i + n;
    }
    return len;
}

/* The '>' ending the tag whose attributes start at i, or len when there is none; last_gt is
 * the position of the input's last '>' (SIZE_MAX: none), which keeps a run of unclosed tags
 * linear. Quoted values may hold '>', but a '<' inside one shows the quote was junk: the
 * first '>' then ends the tag. */
static size_t tag_end(const char *s, size_t len, size_t i, size_t last_gt)
{
    char quote = 0;
    if (last_gt == SIZE_MAX || i > last_gt)
        return len;
    for (size_t j = i; j < len; j++) {
        if (quote && s[j] == quote)
            quote = 0;
        else if (quote && s[j] == '<')
            break;
        else if (!quote && (s[j] == '"' || s[j] == '\'') && j > 0 &&
                 (s[j - 1] == '=' || isspace((unsigned char)s[j - 1])))
            quote = s[j];
        else if (!quote && s[j] == '>')
            return j;
    }
    return (size_t)((const char *)memchr(s + i, '>', last_gt + 1 - i) - s);
}

static size_t last_gt(const char *s, size_t len)
{
    const char *p = memrchr(s, '>', len);
    return p ? (size_t)(p - s) : SIZE_MAX;
}

/* Elements whose content is not text: everything up to their end tag is dropped. */
static bool is_raw_text(const char *name)
{
    return strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
           strcmp(name, "title") == 0 || strcmp(name, "textarea") == 0;
}

/* Skips the content of a raw-text element that starts at i, with its end tag. */
static size_t skip_raw_text(struct html_state *h, const char *s, size_t len, size_t i,
                            const char *name)
{
    char end_tag[TAG_NAME_MAX + 3];
    snprintf(end_tag, sizeof(end_tag), "</%s", name);
    size_t close = skip_past(s, len, i, end_tag);
    size_t e = close < len ? tag_end(s, len, close, h->last_gt) : len;
    return e < len ? e + 1 : len;
}

/* Handles the markup at s[i] == '<'; returns the position after it. A '<' that starts no tag
 * is text. */
static size_t handle_markup(struct html_state *h, const char *s, size_t len, size_t i)
{
    if (i + 3 < len && memcmp(s + i, "<!--", 4) == 0)
        return skip_past(s, len, i + 4, "-->");
    bool decl = i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?');
    bool closing = i + 1 < len && s[i + 1] == '/';
    size_t p = i + 1 + (closing || decl), nlen = 0;
    char name[TAG_NAME_MAX + 1];
    for (; p < len && (isalnum((unsigned char)s[p]) || s[p] == ':' || s[p] == '-'); p++) {
        if (nlen < TAG_NAME_MAX)
            name[nlen++] = (char)tolower((unsigned char)s[p]);
    }
    name[nlen] = 0;
    /* Checked before looking for the '>', so that text full of '<' stays linear. */
    size_t e = !decl && (nlen == 0 || !isalpha((unsigned char)name[0]))
                   ? len
                   : tag_end(s, len, p, h->last_gt);
    if (e == len) {
        put_text(h, "<", 1);
        return i + 1;
    }
    if (decl)
        return e + 1;
    handle_tag(h, name, closing, s + p, e - p);
    if (!closing && is_raw_text(name) && s[e - 1] != '/')
        return skip_raw_text(h, s, len, e + 1, name);
    return e + 1;
}

/* Text up to the next markup or reference: blanks collapse outside <pre>. */
static size_t handle_text(struct html_state *h, const char *s, size_t len, size_t i)
{
    if (isspace((unsigned char)s[i])) {
        if (!h->pre) {
            h->space = true;
        } else if (s[i] == '\n' && !h->in_head) {
            append(h, "\n", 1);
            h->newlines++;
        } else if (s[i] != '\r' && s[i] != '\n') {
            put_text(h, s + i, 1);
        }
        return i + 1;
    }
    size_t e = i;
    while (e < len && s[e] != '<' && s[e] != '&' && !isspace((unsigned char)s[e]))
        e++;
    put_text(h, s + i, e - i);
    return e;
}

static size_t handle_reference(struct html_state *h, const char *s, size_t len, size_t i)
{
    char u[4];
    size_t ulen, used = entity_at(s, len, i, u, &ulen);
    if (!used) {
        put_text(h, "&", 1);
        return i + 1;
    }
    put_text(h, u, ulen);
    return i + used;
}

enum tm_status mime_html_to_text(struct tm_buf *out, const char *html, size_t len)
{
    struct html_state h = {.out = out, .start = out->len, .last_gt = last_gt(html, len)};
    tm_buf_init(&h.links, out->limit);
    for (size_t i = 0; i < len && h.st == TM_OK;) {
        if (html[i] == '<')
            i = handle_markup(&h, html, len, i);
        else if (html[i] == '&')
            i = handle_reference(&h, html, len, i);
        else
            i = handle_text(&h, html, len, i);
    }
    end_link(&h);
    h.in_head = false;
    put_break(&h, 1);
    while (out->len >= h.start + 2 && memcmp(out->data + out->len - 2, "\n\n", 2) == 0)
        out->data[--out->len] = 0; /* one line end, no trailing blank lines */
    h.newlines = out->len > h.start;
    if (h.links.len > 0) {
        put_break(&h, 2);
        append(&h, h.links.data, h.links.len);
    }
    tm_buf_cleanup(&h.links);
    free(h.href);
    return h.st;
}

char *mime_html_sniff_charset(const char *html, size_t len)
{
    size_t n = len < SNIFF_MAX ? len : SNIFF_MAX, gt = last_gt(html, n);
    for (size_t i = skip_past(html, n, 0, "<meta"); i < n; i = skip_past(html, n, i, "<meta")) {
        size_t e = tag_end(html, n, i, gt);
        size_t c = skip_past(html, e, i, "charset");
        if (c >= e)
            continue;
        while (c < e && (isspace((unsigned char)html[c]) || strchr("=\"'", html[c])))
            c++;
        size_t v = c;
        while (c < e && (isalnum((unsigned char)html[c]) || strchr("._:-", html[c])))
            c++;
        if (c > v)
            return tm_strndup(html + v, c - v);
    }
    return NULL;
}
