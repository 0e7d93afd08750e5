/* index_tag.c - mutt's tagging in the index: t tags or untags the message and moves on, <Esc>t
 * and tag-subthread do a whole thread or subthread, T and ^T tag and untag the messages a pattern
 * matches (~b ~B ~h after the worker's body search, as for limit), and ; applies the next
 * function (d u F N w W t s C |) to every tagged message the index shows: a limit hides the
 * others, as in mutt. Tags are store ids of the open mailbox; they go when another mailbox opens,
 * and with the messages that leave this one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"

#define TAG_WINDOW 256

/* Calls visit for each message the index shows, in display order, until it returns false. */
static enum tm_status walk_shown(struct app *app,
                                 bool (*visit)(void *ctx, const struct tm_message_row *row),
                                 void *ctx, struct tm_error *err)
{
    struct tm_message_row rows[TAG_WINDOW];
    int64_t count = 0;
    enum tm_status st = tm_core_count(app->core, &count, err);
    bool more = true;
    for (int64_t off = 0; !st && more && off < count; off += TAG_WINDOW) {
        int got = 0;
        memset(rows, 0, sizeof(rows));
        st = tm_core_window(app->core, off, TAG_WINDOW, rows, &got, err);
        for (int i = 0; i < got; i++) {
            if (!st && more)
                more = visit(ctx, &rows[i]);
            tm_message_row_cleanup(&rows[i]);
        }
    }
    return st;
}

/* A tagged message the index shows, with its flags when it was read. */
struct tagged_row {
    int64_t id;
    unsigned flags;
};

struct tagged_walk {
    const struct tag_set *tags;
    struct tagged_row *items;
    size_t n, cap;
    bool oom;
};

static bool visit_tagged(void *ctx, const struct tm_message_row *row)
{
    struct tagged_walk *w = ctx;
    if (!tag_set_has(w->tags, row->id))
        return true;
    if (TM_ARRAY_RESERVE(w->items, w->n, w->cap, 16)) {
        w->oom = true;
        return false;
    }
    w->items[w->n++] = (struct tagged_row){row->id, row->flags};
    return w->n < w->tags->n; /* all found: the rest of the folder need not be read */
}

/* The tagged messages the index shows, in display order, into *out (malloc'd); false, with the
 * message line saying why, when there are none or they cannot be read. */
static bool shown_tagged(struct app *app, struct tagged_row **out, size_t *n_out)
{
    struct tagged_walk w = {&app->tags, NULL, 0, 0, false};
    struct tm_error err;
    tm_error_clear(&err);
    *out = NULL;
    *n_out = 0;
    enum tm_status st = app->tags.n ? walk_shown(app, visit_tagged, &w, &err) : TM_OK;
    if (!st && w.oom)
        st = tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    if (st || w.n == 0) {
        app_set_message(app, "%s", st ? err.message : _("No tagged messages."));
        free(w.items);
        return false;
    }
    *out = w.items;
    *n_out = w.n;
    return true;
}

void index_tag_toggle(struct app *app)
{
    int64_t id;
    if (!index_current_id(app, &id))
        return;
    if (tag_set_has(&app->tags, id))
        tag_set_remove(&app->tags, id);
    else if (tag_set_add(&app->tags, id)) {
        app_set_message(app, "%s", _("out of memory"));
        return;
    }
    app->dirty = true;
    if (app->cursor + 1 < app->count) /* mutt's resolve */
        index_move_cursor(app, app->cursor + 1);
}

bool index_current_thread(struct app *app, bool subthread, int64_t *id, int64_t **ids, size_t *n)
{
    struct tm_error err;
    tm_error_clear(&err);
    *ids = NULL;
    *n = 0;
    if (app->cfg && app->cfg->settings.sort != TM_SORT_THREADS) {
        app_set_message(app, "%s", _("Threading is not enabled."));
        return false;
    }
    if (!index_current_id(app, id))
        return false;
    if (tm_core_thread_ids(app->core, *id, subthread, ids, n, &err)) {
        app_set_message(app, "%s", err.message);
        return false;
    }
    return true;
}

void index_move_past(struct app *app, const int64_t *ids, size_t n)
{
    int64_t pos;
    for (size_t i = n; i-- > 0;) { /* on past its last message the index shows */
        if (tm_core_position(app->core, ids[i], &pos, NULL) == TM_OK) {
            if (pos + 1 < app->count)
                index_move_cursor(app, pos + 1);
            break;
        }
    }
}

void index_tag_thread(struct app *app, bool subthread)
{
    int64_t id, *ids = NULL;
    size_t n = 0;
    if (!index_current_thread(app, subthread, &id, &ids, &n))
        return;
    if (tag_set_has(&app->tags, id))
        tag_set_remove_many(&app->tags, ids, n);
    else if (tag_set_add_many(&app->tags, ids, n))
        app_set_message(app, "%s", _("out of memory"));
    app->dirty = true;
    index_move_past(app, ids, n);
    free(ids);
}

struct pattern_walk {
    const struct tm_pattern *p;
    time_t now;
    int64_t *ids;
    size_t n, cap;
    bool oom;
};

static bool visit_matching(void *ctx, const struct tm_message_row *row)
{
    struct pattern_walk *w = ctx;
    if (!tm_pattern_match(w->p, row, w->now))
        return true;
    if (TM_ARRAY_RESERVE(w->ids, w->n, w->cap, 64)) {
        w->oom = true;
        return false;
    }
    w->ids[w->n++] = row->id;
    return true;
}

/* D, U: marks the matching messages deleted (they lose their tags) or undeletes them. */
static enum tm_status delete_matching(struct app *app, const int64_t *ids, size_t n, bool undelete,
                                      struct tm_error *err)
{
    char count[32];
    enum tm_status st = tm_core_set_flags_many(app->core, ids, n, undelete ? 0 : TM_FLAG_DELETED,
                                               undelete ? TM_FLAG_DELETED : 0, err);
    if (st)
        return st;
    if (!undelete)
        tag_set_remove_many(&app->tags, ids, n);
    ui_format_count((int64_t)n, count, sizeof(count));
    app_set_message(
        app,
        undelete ? ngettext("%s message undeleted.", "%s messages undeleted.", (unsigned long)n)
                 : ngettext("%s message marked deleted.", "%s messages marked deleted.",
                            (unsigned long)n),
        count);
    return TM_OK;
}

void index_tag_matching(struct app *app, const struct tm_pattern *p, int action)
{
    struct pattern_walk w = {p, time(NULL), NULL, 0, 0, false};
    struct tm_error err;
    char n[32];
    bool untag = action == UI_SEARCH_UNTAG;
    tm_error_clear(&err);
    enum tm_status st = walk_shown(app, visit_matching, &w, &err);
    if (!st && w.oom)
        st = tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    if (!st && w.n && (action == UI_SEARCH_DELETE || action == UI_SEARCH_UNDELETE))
        st = delete_matching(app, w.ids, w.n, action == UI_SEARCH_UNDELETE, &err);
    else if (!st && action == UI_SEARCH_TAG && tag_set_add_many(&app->tags, w.ids, w.n))
        st = tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    if (st) {
        app_set_message(app, "%s", err.message);
    } else if (w.n == 0) {
        app_set_message(app, "%s", _("No messages matched."));
    } else if (action == UI_SEARCH_DELETE || action == UI_SEARCH_UNDELETE) {
        /* said by delete_matching */
    } else if (untag) {
        size_t gone = tag_set_remove_many(&app->tags, w.ids, w.n);
        ui_format_count((int64_t)gone, n, sizeof(n));
        app_set_message(
            app, ngettext("%s message untagged.", "%s messages untagged.", (unsigned long)gone), n);
    } else {
        ui_format_count((int64_t)w.n, n, sizeof(n));
        app_set_message(
            app, ngettext("%s message tagged.", "%s messages tagged.", (unsigned long)w.n), n);
    }
    free(w.ids);
    app->dirty = true;
}

void index_tag_pattern(struct app *app, int action)
{
    char text[512] = "";
    struct tm_pattern *p = NULL;
    struct tm_error err;
    tm_error_clear(&err);
    const char *prompt = action == UI_SEARCH_UNTAG      ? _("Untag messages matching: ")
                         : action == UI_SEARCH_DELETE   ? _("Delete messages matching: ")
                         : action == UI_SEARCH_UNDELETE ? _("Undelete messages matching: ")
                                                        : _("Tag messages matching: ");
    if (!prompt_pattern(app, prompt, text, sizeof(text)) || !text[0])
        return;
    if (tm_pattern_compile(text, &p, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    if (!tm_core_search_needed(app->core, p)) {
        index_tag_matching(app, p, action);
        tm_pattern_free(&p);
        return;
    }
    tm_pattern_free(&p); /* ~b and friends: the worker searches, index_search.c ends it */
    if (tm_core_search_start(app->core, text, TM_SEARCH_FIND, action, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    snprintf(app->progress, sizeof(app->progress), "%s", _("Searching..."));
    app_set_message(app, "%s", _("Searching message text... (Ctrl-G stops)"));
}

void index_tag_prefix(struct app *app)
{
    if (app->tags.n == 0) {
        app_set_message(app, "%s", _("No tagged messages."));
        return;
    }
    app->tag_prefix = true;
    app_set_message(app, "%s", "tag-");
}

/* The ids of items[0..n) that need add (want_set) or clear (!want_set) of bit, into ids. */
static size_t pick(const struct tagged_row *items, size_t n, unsigned bit, bool want_set,
                   int64_t *ids)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(items[i].flags & bit) == want_set)
            ids[k++] = items[i].id;
    return k;
}

/* d u F N t on the tagged messages: one flag change for all of them (UID sets over IMAP), two
 * for ;F and ;N, which toggle each message's flag (as mutt's); a message marked deleted loses
 * its tag (mutt's delete_untag). */
static void flag_tagged(struct app *app, enum ui_fn fn, const struct tagged_row *items, size_t n)
{
    struct tm_error err;
    enum tm_status st = TM_OK;
    tm_error_clear(&err);
    int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
    if (!ids) {
        app_set_message(app, "%s", _("out of memory"));
        return;
    }
    size_t k;
    if (fn == FN_DELETE || fn == FN_UNDELETE) {
        k = pick(items, n, TM_FLAG_DELETED, fn == FN_DELETE, ids);
        st = fn == FN_DELETE ? tm_core_set_flags_many(app->core, ids, k, TM_FLAG_DELETED, 0, &err)
                             : tm_core_set_flags_many(app->core, ids, k, 0, TM_FLAG_DELETED, &err);
    } else if (fn == FN_FLAG || fn == FN_TOGGLE_NEW) {
        unsigned bit = fn == FN_FLAG ? TM_FLAG_FLAGGED : TM_FLAG_SEEN;
        k = pick(items, n, bit, true, ids);
        st = tm_core_set_flags_many(app->core, ids, k, bit, 0, &err);
        k = pick(items, n, bit, false, ids);
        if (!st)
            st = tm_core_set_flags_many(app->core, ids, k, 0, bit, &err);
    }
    for (size_t i = 0; i < n && !st && (fn == FN_DELETE || fn == FN_TAG); i++)
        tag_set_remove(&app->tags, items[i].id);
    free(ids);
    if (st)
        app_set_message(app, "%s", err.message);
    app->dirty = true;
}

/* ;w / ;W: one flag change for the tagged messages that need it; marked deleted, they lose
 * their tags, as with ;d. ;w * leaves them tagged, ;W * untags them. */
static void set_flag_tagged(struct app *app, bool set, const struct tagged_row *items, size_t n)
{
    struct flag_change c;
    struct tm_error err;
    enum tm_status st = TM_OK;
    tm_error_clear(&err);
    if (!flag_prompt(app, set, &c))
        return;
    app->dirty = true;
    if (c.bit) {
        int64_t *ids = malloc(n * sizeof(*ids));
        st = ids ? tm_core_set_flags_many(app->core, ids, pick(items, n, c.bit, c.on, ids),
                                          c.on ? c.bit : 0, c.on ? 0 : c.bit, &err)
                 : tm_error_set(&err, TM_ENOMEM, _("out of memory"));
        free(ids);
    }
    bool untag = c.bit ? c.bit == TM_FLAG_DELETED && c.on : !c.on;
    for (size_t i = 0; i < n && !st && untag; i++)
        tag_set_remove(&app->tags, items[i].id);
    if (st)
        app_set_message(app, "%s", err.message);
}

void index_tag_transfer(struct app *app, const char *name, bool move)
{
    struct tagged_row *items;
    size_t n;
    struct tm_error err;
    tm_error_clear(&err);
    if (!shown_tagged(app, &items, &n))
        return;
    int64_t *ids = malloc(n * sizeof(*ids));
    enum tm_status st = ids ? TM_OK : tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; ids && i < n; i++)
        ids[i] = items[i].id;
    /* one job: a UID MOVE / UID COPY of the set over IMAP, one "saved to" message */
    if (!st)
        st = move ? tm_core_move_many(app->core, ids, n, name, &err)
                  : tm_core_copy_many(app->core, ids, n, name, &err);
    if (st)
        app_set_message(app, "%s", err.message);
    free(ids);
    free(items);
}

/* ;| : asks the worker for the next tagged message's raw text. */
static void pipe_request_next(struct app *app)
{
    struct tag_pipe *tp = &app->tag_pipe;
    app_set_message(app, _("Reading tagged messages... %zu/%zu"), tp->next + 1, tp->n);
    app_request_body(app, tp->ids[tp->next], BODY_PIPE_TAGGED);
    if (app->body_purpose != BODY_PIPE_TAGGED) /* not queued: the message says why */
        index_tag_pipe_stop(app);
}

static void pipe_tagged(struct app *app, const struct tagged_row *items, size_t n)
{
    struct tag_pipe *tp = &app->tag_pipe;
    app->pipe_command[0] = 0;
    app->dirty = true;
    if (!prompt_line(app, _("Pipe to command: "), app->pipe_command, sizeof(app->pipe_command)) ||
        !app->pipe_command[0])
        return;
    index_tag_pipe_stop(app);
    tp->ids = malloc(n * sizeof(*tp->ids));
    if (!tp->ids) {
        app_set_message(app, "%s", _("out of memory"));
        return;
    }
    for (size_t i = 0; i < n; i++)
        tp->ids[i] = items[i].id;
    tp->n = n;
    tp->next = 0;
    tm_buf_init(&tp->out, TM_BUF_DEFAULT_LIMIT);
    pipe_request_next(app);
}

void index_tag_pipe_body(struct app *app, int64_t message_id, const char *raw, size_t len)
{
    struct tag_pipe *tp = &app->tag_pipe;
    if (!tp->ids || tp->next >= tp->n || tp->ids[tp->next] != message_id)
        return;
    if (tm_buf_append(&tp->out, raw, len) || tm_buf_append_char(&tp->out, '\n')) {
        index_tag_pipe_stop(app);
        app_set_message(app, "%s", _("The tagged messages are too big to pipe together."));
        return;
    }
    if (++tp->next < tp->n) {
        pipe_request_next(app);
        return;
    }
    app->message[0] = 0;
    struct tm_buf out = tp->out; /* pipe_run may take long: the state is clean before it */
    tm_buf_init(&tp->out, 0);
    index_tag_pipe_stop(app);
    pipe_run(app, app->pipe_command, out.data ? out.data : "", out.len);
    tm_buf_cleanup(&out);
}

void index_tag_pipe_stop(struct app *app)
{
    free(app->tag_pipe.ids);
    tm_buf_cleanup(&app->tag_pipe.out);
    memset(&app->tag_pipe, 0, sizeof(app->tag_pipe));
}

void index_tag_apply(struct app *app, enum ui_fn fn)
{
    struct tagged_row *items = NULL;
    size_t n = 0;
    switch (fn) {
    case FN_DELETE:
    case FN_UNDELETE:
    case FN_FLAG:
    case FN_TOGGLE_NEW:
    case FN_TAG:
        if (shown_tagged(app, &items, &n))
            flag_tagged(app, fn, items, n);
        break;
    case FN_SAVE_MESSAGE:
    case FN_COPY_MESSAGE:
        if (shown_tagged(app, &items, &n))
            folder_save_prompt(app, UI_TAGGED, fn == FN_SAVE_MESSAGE);
        break;
    case FN_SET_FLAG:
    case FN_CLEAR_FLAG:
        if (shown_tagged(app, &items, &n))
            set_flag_tagged(app, fn == FN_SET_FLAG, items, n);
        break;
    case FN_PIPE:
        if (shown_tagged(app, &items, &n))
            pipe_tagged(app, items, n);
        break;
    case FN_REPLY:
    case FN_GROUP_REPLY:
    case FN_LIST_REPLY:
    case FN_FORWARD:
    case FN_RESEND:
        app_set_message(app, "%s", _("This function does not work on tagged messages yet."));
        break;
    default: /* movement, searching, ...: as without ; */
        index_handle(app, fn);
        break;
    }
    free(items);
}

struct still_here {
    struct tm_core *core;
    int64_t mailbox_id;
};

/* Whether id is still a message of the open mailbox (kept when the cache cannot say). */
static bool keep_tag(void *ctx, int64_t id)
{
    struct still_here *h = ctx;
    struct tm_message_row row;
    struct tm_error err;
    memset(&row, 0, sizeof(row));
    tm_error_clear(&err);
    enum tm_status st = tm_core_message(h->core, id, &row, &err);
    bool keep = st ? st != TM_ENOENT : row.mailbox_id == h->mailbox_id;
    tm_message_row_cleanup(&row);
    return keep;
}

void index_tag_refresh(struct app *app)
{
    if (!app->tags_stale)
        return;
    app->tags_stale = false;
    struct still_here h = {app->core, tm_core_mailbox_id(app->core)};
    if (app->tags.n)
        tag_set_keep_if(&app->tags, keep_tag, &h);
}

void index_tag_clear(struct app *app)
{
    tag_set_clear(&app->tags);
    app->tag_prefix = app->tags_stale = false;
    index_tag_pipe_stop(app); /* its messages were the old mailbox's */
}

void index_tag_cleanup(struct app *app)
{
    tag_set_cleanup(&app->tags);
    index_tag_pipe_stop(app);
}
