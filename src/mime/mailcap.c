/* mailcap.c - mailcap parsing, look-up and safe command expansion (RFC 1524). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tmail/array.h"
#include "tmail/mailcap.h"
#include "tmail/str.h"

#define MAILCAP_MAX_FIELDS 32
#define MAILCAP_MAX_ENTRY  (64 * 1024)

void tm_mailcap_cleanup(struct tm_mailcap *mc)
{
    for (size_t i = 0; i < mc->n; i++) {
        struct tm_mailcap_entry *e = &mc->entries[i];
        free(e->type);
        free(e->view);
        free(e->test);
        free(e->print);
        free(e->compose);
        free(e->nametemplate);
        free(e->description);
    }
    free(mc->entries);
    memset(mc, 0, sizeof(*mc));
}

/* Copies s[0..len) trimmed of blanks, with "\;" turned into ";" (other backslashes stay for the
 * shell, and "\%" for tm_mailcap_expand). */
static char *field_dup(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]) && !(len >= 2 && s[len - 2] == '\\'))
        len--;
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && s[i + 1] == ';')
            i++;
        *o++ = s[i];
    }
    *o = 0;
    return out;
}

/* Splits an entry at unescaped ';' into up to MAILCAP_MAX_FIELDS trimmed copies. */
static int split_fields(const char *s, size_t len, char **fields)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len && n < MAILCAP_MAX_FIELDS; i++) {
        if (i < len && s[i] == '\\') {
            i++;
            continue;
        }
        if (i == len || s[i] == ';') {
            if (!(fields[n] = field_dup(s + start, i - start)))
                return -1;
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* "name=value" options and bare flags of fields[2..n). */
static bool apply_option(struct tm_mailcap_entry *e, char *field)
{
    static const struct {
        const char *name;
        size_t offset;
    } opts[] = {
        {"test", offsetof(struct tm_mailcap_entry, test)},
        {"print", offsetof(struct tm_mailcap_entry, print)},
        {"compose", offsetof(struct tm_mailcap_entry, compose)},
        {"nametemplate", offsetof(struct tm_mailcap_entry, nametemplate)},
        {"description", offsetof(struct tm_mailcap_entry, description)},
    };
    char *eq = strchr(field, '=');
    if (!eq) {
        e->flags |= strcasecmp(field, "copiousoutput") == 0     ? TM_MAILCAP_COPIOUSOUTPUT
                    : strcasecmp(field, "needsterminal") == 0   ? TM_MAILCAP_NEEDSTERMINAL
                    : strcasecmp(field, "textualnewlines") == 0 ? TM_MAILCAP_TEXTUALNEWLINES
                                                                : 0;
        return false; /* field not kept */
    }
    size_t name_len = (size_t)(eq - field);
    while (name_len && isspace((unsigned char)field[name_len - 1]))
        name_len--;
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        char **slot = (char **)((char *)e + opts[i].offset);
        if (strlen(opts[i].name) == name_len && strncasecmp(field, opts[i].name, name_len) == 0 &&
            !*slot) {
            char *value = eq + 1;
            while (isspace((unsigned char)*value))
                value++;
            memmove(field, value, strlen(value) + 1);
            *slot = field;
            return true;
        }
    }
    return false;
}

static bool valid_type(const char *t)
{
    if (!*t)
        return false;
    for (; *t; t++)
        if (!(isalnum((unsigned char)*t) || strchr("/*.+-_!#$&^", *t)))
            return false;
    return true;
}

/* Adds the entry in s[0..len); false for a malformed one (skipped). */
static enum tm_status add_entry(struct tm_mailcap *mc, const char *s, size_t len, int line,
                                bool *bad)
{
    char *fields[MAILCAP_MAX_FIELDS] = {0};
    int n = split_fields(s, len, fields);
    enum tm_status st = TM_OK;
    *bad = n < 2 || !valid_type(fields[0]);
    if (n < 0)
        st = TM_ENOMEM;
    if (!st && !*bad && TM_ARRAY_RESERVE(mc->entries, mc->n, mc->cap, 16))
        st = TM_ENOMEM;
    if (!st && !*bad) {
        struct tm_mailcap_entry *e = &mc->entries[mc->n++];
        memset(e, 0, sizeof(*e));
        for (char *c = fields[0]; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        e->type = fields[0];
        e->view = fields[1];
        e->line = line;
        fields[0] = fields[1] = NULL;
        for (int i = 2; i < n; i++)
            if (apply_option(e, fields[i]))
                fields[i] = NULL;
    }
    for (int i = 0; i < MAILCAP_MAX_FIELDS; i++)
        free(fields[i]);
    return st;
}

enum tm_status tm_mailcap_parse(struct tm_mailcap *mc, const char *text, size_t len, int *bad_lines)
{
    struct tm_buf entry;
    int line = 0, start_line = 0, bad_count = 0;
    enum tm_status st = TM_OK;
    tm_buf_init(&entry, MAILCAP_MAX_ENTRY);
    for (size_t pos = 0; pos < len && !st;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *s = text + pos;
        pos += l + (nl ? 1 : 0);
        line++;
        if (l && s[l - 1] == '\r')
            l--;
        if (entry.len == 0) {
            start_line = line;
            size_t i = 0;
            while (i < l && isspace((unsigned char)s[i]))
                i++;
            if (i == l || s[i] == '#')
                continue;
        }
        bool more = l && s[l - 1] == '\\';
        if (tm_buf_append(&entry, s, more ? l - 1 : l) == TM_ELIMIT) {
            bad_count++, tm_buf_reset(&entry); /* an absurd entry is dropped, not fatal */
            continue;
        }
        if (more && pos < len)
            continue;
        bool bad = false;
        st = add_entry(mc, entry.data ? entry.data : "", entry.len, start_line, &bad);
        bad_count += bad;
        tm_buf_reset(&entry);
    }
    tm_buf_cleanup(&entry);
    if (bad_lines)
        *bad_lines = bad_count;
    return st;
}

static bool type_matches(const char *pattern, const char *type)
{
    const char *slash = strchr(pattern, '/');
    size_t major = slash ? (size_t)(slash - pattern) : strlen(pattern);
    const char *tslash = strchr(type, '/');
    size_t tmajor = tslash ? (size_t)(tslash - type) : strlen(type);
    if (major != tmajor || strncasecmp(pattern, type, major) != 0)
        return false;
    if (!slash || strcmp(slash, "/*") == 0)
        return true;
    return tslash && strcasecmp(slash, tslash) == 0;
}

const struct tm_mailcap_entry *tm_mailcap_find(const struct tm_mailcap *mc, const char *type,
                                               unsigned required, size_t *from)
{
    for (size_t i = *from; i < mc->n; i++) {
        const struct tm_mailcap_entry *e = &mc->entries[i];
        if ((e->flags & required) == required && type_matches(e->type, type)) {
            *from = i + 1;
            return e;
        }
    }
    *from = mc->n;
    return NULL;
}

/* Appends a value from the message reduced to characters no shell treats specially. */
static enum tm_status append_safe(struct tm_buf *out, const char *value)
{
    enum tm_status st = TM_OK;
    for (const char *v = value ? value : ""; *v && !st; v++) {
        unsigned char c = (unsigned char)*v;
        st = tm_buf_append_char(out, isalnum(c) || strchr("._+/=@:-", c) ? (char)c : '_');
    }
    return st;
}

enum tm_status tm_mailcap_expand(const char *command, const char *file, const char *type,
                                 tm_mailcap_param_fn param, void *ctx, struct tm_buf *out,
                                 bool *uses_file)
{
    enum tm_status st = TM_OK;
    bool used = false;
    for (const char *c = command; *c && !st; c++) {
        if (*c == '\\' && c[1] == '%') {
            st = tm_buf_append_char(out, *++c);
        } else if (*c != '%') {
            st = tm_buf_append_char(out, *c);
        } else if (c[1] == 's') {
            st = tm_buf_append_str(out, file ? file : "");
            used = true, c++;
        } else if (c[1] == 't') {
            st = append_safe(out, type), c++;
        } else if (c[1] == '{' && strchr(c + 2, '}')) {
            const char *end = strchr(c + 2, '}');
            char *name = tm_strndup(c + 2, (size_t)(end - (c + 2)));
            if (!name)
                return TM_ENOMEM;
            st = append_safe(out, param ? param(name, ctx) : NULL);
            free(name);
            c = end;
        } else if (c[1] == '%') {
            st = tm_buf_append_char(out, '%'), c++;
        } else {
            st = tm_buf_append_char(out, '%');
        }
    }
    if (uses_file)
        *uses_file = used;
    return st;
}
