/* compose_edit.c - what the compose screen's keys change: header fields at the bottom line,
 * attaching (one file, every match of a glob pattern, or the file browser), detaching, an
 * attachment's description and content type (its charset too, as mutt's edit-type), and the
 * preview of the built message in the pager. */
#include <ctype.h>
#include <curses.h>
#include <glob.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "private.h"
#include "tmail/draft.h"
#include "tmail/i18n.h"

#define ATTACH_MAX     ((size_t)64 * 1024 * 1024)
#define PREVIEW_LIMIT  ((size_t)256 * 1024 * 1024)
#define FIELD_LINE_MAX 1024

void compose_edit_field(struct app *app, enum ui_fn fn)
{
    struct tm_draft *d = app->compose.draft;
    char buf[FIELD_LINE_MAX];
    const char *prompt;
    char **field;
    bool address = true;
    switch (fn) {
    case FN_EDIT_FROM:
        prompt = _("From: "), field = &d->from;
        break;
    case FN_EDIT_TO:
        prompt = _("To: "), field = &d->to;
        break;
    case FN_EDIT_CC:
        prompt = _("Cc: "), field = &d->cc;
        break;
    case FN_EDIT_BCC:
        prompt = _("Bcc: "), field = &d->bcc;
        break;
    case FN_EDIT_REPLY_TO:
        prompt = _("Reply-To: "), field = &d->reply_to;
        break;
    default:
        prompt = _("Subject: "), field = &d->subject, address = false;
        break;
    }
    if (strlen(*field) >= sizeof(buf) - 1) {
        app_set_message(app, "%s", _("The field is too long to edit here: E edits the headers."));
        return;
    }
    snprintf(buf, sizeof(buf), "%s", *field);
    bool ok = address ? address_prompt(app, prompt, buf, sizeof(buf))
                      : prompt_line(app, prompt, buf, sizeof(buf));
    if (ok)
        compose_set_string(app, field, buf);
}

bool compose_attach_path(struct app *app, const char *path)
{
    struct tm_error err;
    struct stat sb;
    tm_error_clear(&err);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        files_open(app, path);
        return false;
    }
    if (tm_draft_attach_file(app->compose.draft, path, ATTACH_MAX, &err)) {
        app_set_message(app, "%s", err.message);
        return false;
    }
    app->compose.cursor = app->compose.draft->nattachments; /* on the new one */
    app->dirty = true;
    return true;
}

/* Attaches every regular file a glob pattern matches. */
static void attach_glob(struct app *app, const char *pattern)
{
    glob_t g;
    size_t attached = 0, failed = 0;
    int r = glob(pattern, GLOB_TILDE | GLOB_MARK, NULL, &g);
    if (r == GLOB_NOMATCH) {
        app_set_message(app, "%s", _("No file matches the pattern."));
        return;
    }
    if (r != 0) {
        app_set_message(app, "%s", _("Cannot read the directory for the pattern."));
        return;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len = strlen(g.gl_pathv[i]);
        if (len && g.gl_pathv[i][len - 1] == '/')
            continue; /* GLOB_MARK: a directory */
        struct tm_error err;
        tm_error_clear(&err);
        if (tm_draft_attach_file(app->compose.draft, g.gl_pathv[i], ATTACH_MAX, &err)) {
            app_set_message(app, "%s", err.message);
            failed++;
        } else {
            attached++;
        }
    }
    globfree(&g);
    if (attached)
        app->compose.cursor = app->compose.draft->nattachments;
    if (!failed)
        app_set_message(
            app, ngettext("Attached %zu file.", "Attached %zu files.", (unsigned long)attached),
            attached);
}

void compose_attach_prompt(struct app *app)
{
    char typed[1024] = "", path[4096];
    enum prompt_result r = prompt_line_list(app, _("Attach file ('?' for list): "), typed,
                                            sizeof(typed), file_complete, NULL, true);
    if (r == PROMPT_CANCEL)
        return;
    if (r == PROMPT_LIST || !typed[0]) {
        files_open(app, NULL);
        return;
    }
    if (strpbrk(typed, "*?[")) {
        attach_glob(app, typed);
        return;
    }
    file_expand_home(typed, path, sizeof(path));
    compose_attach_path(app, path);
}

/* The attachment under the cursor, or NULL with a message when the cursor is on the text. */
static struct tm_draft_attachment *current_attachment(struct app *app, const char *on_text)
{
    struct compose_state *c = &app->compose;
    if (c->cursor == 0 || c->cursor > c->draft->nattachments) {
        app_set_message(app, "%s", on_text);
        return NULL;
    }
    return &c->draft->attachments[c->cursor - 1];
}

void compose_detach(struct app *app)
{
    if (!current_attachment(app, _("The message text cannot be removed.")))
        return;
    tm_draft_detach(app->compose.draft, app->compose.cursor - 1);
    if (app->compose.cursor > app->compose.draft->nattachments)
        app->compose.cursor = app->compose.draft->nattachments;
}

void compose_edit_description(struct app *app)
{
    char buf[512];
    struct tm_draft_attachment *a =
        current_attachment(app, _("The message text has no description: choose an attachment."));
    if (!a)
        return;
    snprintf(buf, sizeof(buf), "%s", a->description ? a->description : "");
    if (!prompt_line(app, _("Description: "), buf, sizeof(buf)))
        return;
    if (!buf[0]) {
        free(a->description);
        a->description = NULL;
        return;
    }
    compose_set_string(app, &a->description, buf);
}

/* An RFC 2045 token character. */
static bool token_char(unsigned char c)
{
    return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?=", c);
}

static const char *skip_token(const char *s)
{
    while (token_char((unsigned char)*s))
        s++;
    return s;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A charset iconv knows, so the text can be read back. */
static bool known_charset(const char *name, size_t len)
{
    char cs[64];
    if (len == 0 || len >= sizeof(cs))
        return false;
    memcpy(cs, name, len);
    cs[len] = 0;
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return false;
    iconv_close(cd);
    return true;
}

/* "type/subtype" and "; attribute=value" parameters (value a token or a quoted string); a
 * charset parameter must name a charset iconv knows. NULL when valid, else why not. */
static const char *check_content_type(const char *s)
{
    const char *p = skip_token(s);
    if (p == s || *p != '/' || skip_token(p + 1) == p + 1)
        return _("A content type is type/subtype, e.g. application/pdf.");
    if (strncasecmp(s, "multipart/", 10) == 0)
        return _("An attachment cannot be multipart.");
    p = skip_space(skip_token(p + 1));
    while (*p == ';') {
        const char *name = skip_space(p + 1), *end = skip_token(name);
        if (end == name || *end != '=')
            return _("A parameter is ; name=value.");
        const char *value = end + 1, *vend;
        if (*value == '"') {
            for (vend = value + 1; *vend && *vend != '"'; vend++)
                if (*vend == '\\' && vend[1])
                    vend++;
            if (*vend++ != '"')
                return _("A quoted parameter value is not closed.");
        } else if ((vend = skip_token(value)) == value) {
            return _("A parameter is ; name=value.");
        }
        if ((size_t)(end - name) == 7 && strncasecmp(name, "charset", 7) == 0 &&
            !known_charset(value, (size_t)(vend - value)))
            return _("Unknown charset.");
        p = skip_space(vend);
    }
    return *p ? _("A content type is type/subtype, e.g. application/pdf.") : NULL;
}

void compose_edit_type(struct app *app)
{
    char buf[512];
    struct tm_draft_attachment *a = current_attachment(
        app, _("The message text is text/plain in UTF-8: choose an attachment."));
    if (!a)
        return;
    snprintf(buf, sizeof(buf), "%s", a->content_type ? a->content_type : "");
    if (!prompt_line(app, _("Content-Type: "), buf, sizeof(buf)))
        return;
    const char *why = check_content_type(buf);
    if (why) {
        app_set_message(app, "%s", why);
        return;
    }
    compose_set_string(app, &a->content_type, buf);
}

static bool blank(const char *s)
{
    return s[strspn(s, " \t")] == 0;
}

/* An attachment whose type is text shows its text; others say what they are. */
static void preview_attachment(struct app *app, const struct tm_draft_attachment *a)
{
    if (!a->content_type || strncasecmp(a->content_type, "text/", 5) != 0) {
        app_set_message(app, "%s", _("Only text attachments can be shown here."));
        return;
    }
    pager_show_text(app, a->data.data ? a->data.data : "", a->data.len);
    app->compose.preview = true;
    app->view = VIEW_PAGER;
}

void compose_preview(struct app *app)
{
    struct compose_state *c = &app->compose;
    struct tm_draft_output out;
    struct tm_error err;
    if (c->cursor > 0 && c->cursor <= c->draft->nattachments) {
        preview_attachment(app, &c->draft->attachments[c->cursor - 1]);
        return;
    }
    const struct tm_draft *d = c->draft;
    struct tm_draft_build_opts opts = {
        .aliases = compose_aliases(app),
        .hostname = app->cfg ? app->cfg->settings.hostname : NULL,
        /* no recipient yet: shown all the same, as it would be postponed */
        .postponed = blank(d->to) && blank(d->cc) && blank(d->bcc),
    };
    memset(&out, 0, sizeof(out));
    tm_error_clear(&err);
    if (tm_draft_build(c->draft, &opts, &out, &err)) {
        app_set_message(app, "%s", err.message);
    } else {
        pager_show(app, 0, out.message.data ? out.message.data : "", out.message.len);
        c->preview = true;
        app->view = VIEW_PAGER;
    }
    tm_draft_output_cleanup(&out);
}
