/* docs.c - the settings part of tmailrc(5) and share/tmailrc.example, generated from the
 * settings table so the documentation cannot drift from the code. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

#define DOC_BEGIN ".\\\" BEGIN GENERATED SETTINGS (tmail-config-docs; do not edit by hand)\n"
#define DOC_END   ".\\\" END GENERATED SETTINGS\n"

/* A value as tmailrc text: bare when safe, else double-quoted with escapes. */
static enum tm_status quote_value(struct tm_buf *out, const char *v)
{
    bool bare = *v && v[0] != '~';
    for (const char *p = v; *p && bare; p++)
        bare = isgraph((unsigned char)*p) && !strchr("\"'\\#$=", *p);
    if (bare)
        return tm_buf_append_str(out, v);
    enum tm_status st = tm_buf_append_char(out, '"');
    for (const char *p = v; *p && st == TM_OK; p++) {
        if (*p == '\t')
            st = tm_buf_append_str(out, "\\t");
        else if (*p == '"' || *p == '\\' || *p == '$')
            st = tm_buf_appendf(out, "\\%c", *p);
        else
            st = tm_buf_append_char(out, *p);
    }
    return st ? st : tm_buf_append_char(out, '"');
}

static enum tm_status type_text(struct tm_buf *out, const struct tm_setting_info *s)
{
    static const char *const names[] = {"yes/no", "number", "string",  "path",
                                        "enum",   "URL",    "address", "regular expression",
                                        "size"};
    _Static_assert(sizeof(names) / sizeof(names[0]) == TM_SET_SIZE + 1, "a name for each type");
    if (s->type == TM_SET_NUMBER)
        return tm_buf_appendf(out, "number, %ld to %ld", s->min, s->max);
    if (s->type == TM_SET_SIZE)
        return tm_buf_appendf(out, "size in bytes with an optional K, M or G, 0 to %ldM",
                              s->max / (1024 * 1024));
    if (s->type != TM_SET_ENUM)
        return tm_buf_append_str(out, names[s->type]);
    enum tm_status st = tm_buf_append_str(out, "one of:");
    for (size_t i = 0; s->values[i] && st == TM_OK; i++)
        st = tm_buf_appendf(out, "%s %s", i ? "," : "", s->values[i]);
    return st;
}

/* Man text: a backslash is \e, and a line may not start with . or '. */
static enum tm_status man_escape(struct tm_buf *out, const char *s)
{
    enum tm_status st = TM_OK;
    if (*s == '.' || *s == '\'')
        st = tm_buf_append_str(out, "\\&");
    for (; *s && st == TM_OK; s++)
        st = *s == '\\' ? tm_buf_append_str(out, "\\e") : tm_buf_append_char(out, *s);
    return st;
}

static enum tm_status man_entry(struct tm_buf *out, const struct tm_setting_info *s)
{
    struct tm_buf tmp;
    tm_buf_init(&tmp, 64 * 1024);
    enum tm_status st = tm_buf_appendf(out, ".TP\n.B %s\n", s->name);
    if (s->alias_of) {
        st = st ? st
                : tm_buf_appendf(out, "Another name for \\fB%s\\fR (as in mutt).\n", s->alias_of);
        goto out;
    }
    st = st ? st : type_text(&tmp, s);
    st = st ? st : tm_buf_append_str(&tmp, "; default: ");
    st = st ? st : quote_value(&tmp, s->def);
    st = st ? st : tm_buf_append_str(&tmp, s->scope == TM_SCOPE_ACCOUNT ? "; per account" : "");
    st = st ? st : tm_buf_append_str(out, "(");
    st = st ? st : man_escape(out, tmp.data);
    st = st ? st : tm_buf_append_str(out, ")\n.br\n");
    st = st ? st : man_escape(out, s->description);
    st = st ? st : tm_buf_append_char(out, '\n');
out:
    tm_buf_cleanup(&tmp);
    return st;
}

/* "# " comment lines of at most 96 columns. */
static enum tm_status comment_wrapped(struct tm_buf *out, const char *text)
{
    enum tm_status st = TM_OK;
    while (*text && st == TM_OK) {
        size_t n = strlen(text);
        if (n > 94) {
            n = 94;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strlen(text);
        }
        st = tm_buf_appendf(out, "#   %.*s\n", (int)n, text);
        text += n;
        while (*text == ' ')
            text++;
    }
    return st;
}

static enum tm_status example_entry(struct tm_buf *out, const struct tm_setting_info *s)
{
    if (s->alias_of)
        return tm_buf_appendf(out, "# %s: another name for %s.\n\n", s->name, s->alias_of);
    enum tm_status st = tm_buf_appendf(out, "# %s (", s->name);
    st = st ? st : type_text(out, s);
    st = st ? st : tm_buf_appendf(out, "%s)\n", s->scope == TM_SCOPE_ACCOUNT ? "; account" : "");
    st = st ? st : comment_wrapped(out, s->description);
    st = st ? st : tm_buf_appendf(out, "# set %s = ", s->name);
    st = st ? st : quote_value(out, s->def);
    return st ? st : tm_buf_append_str(out, "\n\n");
}

static const char example_head[] =
    "# tmailrc.example - every tmailrc setting with its default. Generated from the settings\n"
    "# table by tmail-config-docs: do not edit by hand. Copy what you need to ~/.tmailrc (or\n"
    "# $XDG_CONFIG_HOME/tmail/tmailrc) and uncomment it. tmailrc(5) describes the syntax.\n"
    "#\n"
    "# Settings marked \"account\" may also go inside an account block; outside any block they\n"
    "# are the defaults of every account:\n"
    "#\n"
    "# account personal\n"
    "#   set from         = \"Alice Example <alice@example.org>\"\n"
    "#   set imap         = imaps://alice@imap.example.org\n"
    "#   set smtp         = smtp://alice@smtp.example.org:587\n"
    "#   set password_cmd = \"pass show mail/personal\"\n"
    "#   set sent         = Sent\n"
    "# end\n"
    "#\n"
    "# bind index <Esc>x exit\n"
    "# macro index \\Cb \"<pipe-message>urlview<Enter>\" \"open URLs\"\n"
    "# color index brightyellow default \"~N\"\n"
    "# color header cyan default \"^Subject:\"\n\n";

enum tm_status tm_config_write_docs(struct tm_buf *out, enum tm_config_doc kind)
{
    size_t n;
    const struct tm_setting_info *t = tm_config_settings(&n);
    enum tm_status st = kind == TM_DOC_EXAMPLE ? tm_buf_append_str(out, example_head) : TM_OK;
    for (size_t i = 0; i < n && st == TM_OK; i++)
        st = kind == TM_DOC_MAN ? man_entry(out, &t[i]) : example_entry(out, &t[i]);
    return st;
}

enum tm_status cfg_docs_splice(const char *man, const char *generated, struct tm_buf *out)
{
    const char *begin = strstr(man, DOC_BEGIN);
    const char *end = begin ? strstr(begin, DOC_END) : NULL;
    if (!end)
        return TM_EPARSE;
    begin += strlen(DOC_BEGIN);
    enum tm_status st = tm_buf_append(out, man, (size_t)(begin - man));
    st = st ? st : tm_buf_append_str(out, generated);
    return st ? st : tm_buf_append_str(out, end);
}
