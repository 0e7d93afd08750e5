/* app.c - the UI's main loop: polls the keyboard together with the workers' event fd, so the
 * screen never waits on a mailbox; dispatches keys to the current view and events to the app. */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parts_view.h"
#include "private.h"
#include "tmail/draft.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"
#include "tmail/str.h"
#include "tmail/ui.h"

/* The running app, for app_read_key's macro queue (one UI per process). */
static struct app *g_app;

bool app_pending_take(int *key);
/* index_search.c: a body search's events, and Ctrl-G stopping it. */
void index_search_event(struct app *app, const struct tm_event *ev);
bool index_search_stop(struct app *app);

int app_read_key(int *key)
{
    if (app_pending_take(key))
        return 1;
    wint_t wch;
    int r = get_wch(&wch);
    if (r == ERR)
        return 0;
    *key = ui_key_from_curses(r, wch);
    return 1;
}

int app_wait_key(int *key)
{
    nodelay(stdscr, FALSE);
    int got = app_read_key(key);
    nodelay(stdscr, TRUE);
    return got;
}

void app_request_body(struct app *app, int64_t message_id, enum body_purpose purpose)
{
    struct tm_error err;
    tm_error_clear(&err);
    app->body_purpose = purpose;
    app->body_id = message_id;
    if (tm_core_request_body(app->core, message_id, &err)) {
        app->body_purpose = BODY_NONE;
        app_set_message(app, "%s", err.message);
    }
}

void app_load_mailcap(struct app *app)
{
    struct tm_error err;
    tm_mailcap_cleanup(&app->mailcap);
    tm_error_clear(&err);
    if (tm_core_mailcap_load(app->cfg ? app->cfg->settings.mailcap_path : NULL, &app->mailcap,
                             &err))
        app_set_message(app, "%s", err.message);
    app->viewer.mailcap = &app->mailcap;
    app->viewer.timeout_ms = 0;
}

static void draw(struct app *app)
{
    switch (app->view) {
    case VIEW_INDEX:
        index_draw(app);
        break;
    case VIEW_PAGER:
        pager_draw(app);
        break;
    case VIEW_HELP:
        help_draw(app);
        break;
    case VIEW_ATTACH:
        attach_draw(app);
        break;
    case VIEW_BROWSER:
        browser_draw(app);
        break;
    case VIEW_COMPOSE:
        compose_draw(app);
        break;
    case VIEW_FILES:
        files_draw(app);
        break;
    case VIEW_OUTBOX:
        outbox_draw(app);
        break;
    }
    refresh();
}

void app_draw(struct app *app)
{
    draw(app);
}

static void run_fn(struct app *app, enum ui_fn fn)
{
    bool tagged = app->tag_prefix; /* ; came before: a function of the index applies to tags */
    app->tag_prefix = false;
    if (fn == FN_REDRAW) {
        clearok(curscr, TRUE);
    } else if (fn == FN_COMMAND) {
        command_run(app);
    } else if (fn == FN_SETUP) {
        setup_run(app);
    } else if (fn == FN_HELP && app->view != VIEW_HELP) {
        app->help_return = app->view;
        app->help_top = 0;
        app->view = VIEW_HELP;
    } else if (app->view == VIEW_INDEX) {
        if (tagged)
            index_tag_apply(app, fn);
        else
            index_handle(app, fn);
    } else if (app->view == VIEW_PAGER) {
        pager_handle(app, fn);
    } else if (app->view == VIEW_ATTACH) {
        attach_handle(app, fn);
    } else if (app->view == VIEW_BROWSER) {
        browser_handle(app, fn);
    } else if (app->view == VIEW_COMPOSE) {
        compose_handle(app, fn);
    } else if (app->view == VIEW_FILES) {
        files_handle(app, fn);
    } else if (app->view == VIEW_OUTBOX) {
        outbox_handle(app, fn);
    } else {
        help_handle(app, fn);
    }
}

static void run_op(struct app *app, enum tm_op op)
{
    enum ui_fn fn = ui_fn_for(app->view, op);
    if (fn == FN_NONE) {
        app->tag_prefix = false;
        app_set_message(app, _("%s is not available yet."), tm_config_op_name(op));
    } else
        run_fn(app, fn);
}

/* Replays a macro: its keys go in front of whatever was still pending. */
static void push_macro(struct app *app, const struct tm_binding *b)
{
    size_t n = (size_t)b->macro_len;
    if (n + app->pending_len > UI_PENDING_MAX) {
        app_set_message(app, "%s", _("Macro loop: too many keys, stopped."));
        app->pending_len = 0;
        return;
    }
    int32_t rest[UI_PENDING_MAX];
    for (size_t i = 0; i < app->pending_len; i++)
        rest[i] = app->pending[(app->pending_head + i) % UI_PENDING_MAX];
    for (size_t i = 0; i < n; i++)
        app->pending[i] = b->macro_keys[i];
    for (size_t i = 0; i < app->pending_len; i++)
        app->pending[n + i] = rest[i];
    app->pending_head = 0;
    app->pending_len += n;
}

static void handle_key(struct app *app, int key)
{
    app->dirty = true;
    if (key == UI_KEY_RESIZE) {
        clear();
        return;
    }
    app->message[0] = 0;
    if (key >= TM_KEY_OP) { /* <function> inside a macro */
        app->keyseq_len = 0;
        run_op(app, (enum tm_op)(key - TM_KEY_OP));
        return;
    }
    if (key == UI_KEY_UNKNOWN || app->keyseq_len >= TM_KEYSEQ_MAX)
        app->keyseq_len = 0;
    if (app->view == VIEW_OUTBOX && app->keyseq_len == 0 && outbox_key_fn(key) != FN_NONE) {
        run_fn(app, outbox_key_fn(key)); /* the outbox's own keys, before any binding */
        return;
    }
    if (key == 7 && app->keyseq_len == 0 && (index_search_stop(app) || attach_stop_download(app)))
        return; /* Ctrl-G stops a running body search or download, whatever it is bound to */
    app->keyseq[app->keyseq_len++] = key;
    bool prefix = false;
    const struct tm_binding *b = tm_config_binding_find(app->cfg, ui_keymap(app->view), app->keyseq,
                                                        app->keyseq_len, &prefix);
    if (prefix && (!b || app->keyseq_len < TM_KEYSEQ_MAX))
        return; /* more keys to come, as for <Esc>x */
    app->keyseq_len = 0;
    app->last_key = key;
    if (!b) {
        app->tag_prefix = false;
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
    } else if (b->macro_keys)
        push_macro(app, b);
    else
        run_op(app, b->op);
}

void app_unread_key(int key)
{
    if (!g_app || g_app->pending_len >= UI_PENDING_MAX)
        return;
    g_app->pending_head = (g_app->pending_head + UI_PENDING_MAX - 1) % UI_PENDING_MAX;
    g_app->pending[g_app->pending_head] = key;
    g_app->pending_len++;
}

bool app_pending_take(int *key)
{
    if (!g_app || g_app->pending_len == 0)
        return false;
    *key = g_app->pending[g_app->pending_head];
    g_app->pending_head = (g_app->pending_head + 1) % UI_PENDING_MAX;
    g_app->pending_len--;
    return true;
}

static void handle_body(struct app *app, struct tm_event *ev)
{
    if (app->body_purpose == BODY_NONE || ev->message_id != app->body_id)
        return; /* an answer nobody waits for any more */
    enum body_purpose purpose = app->body_purpose;
    app->body_purpose = BODY_NONE;
    if (ev->status) {
        app_set_message(app, "%s", ev->text);
        if (purpose == BODY_PIPE_TAGGED)
            index_tag_pipe_stop(app);
        if (purpose == BODY_VIEW && app->view == VIEW_PAGER) {
            app->view = VIEW_INDEX;
            pager_cleanup(app);
        }
        return;
    }
    if (purpose == BODY_VIEW && app->view == VIEW_PAGER && app->pager_id == ev->message_id)
        pager_show(app, ev->message_id, ev->body.data ? ev->body.data : "", ev->body.len);
    else if (purpose == BODY_PIPE) {
        pipe_run(app, app->pipe_command, ev->body.data ? ev->body.data : "", ev->body.len);
        /* the whole message is cached now: the pager stops saying its parts are missing */
        pager_show_again(app, ev->message_id, ev->body.data ? ev->body.data : "", ev->body.len);
    } else if (purpose == BODY_PIPE_TAGGED)
        index_tag_pipe_body(app, ev->message_id, ev->body.data ? ev->body.data : "", ev->body.len);
    else if (purpose == BODY_ATTACH && app->view == VIEW_INDEX) {
        if (parts_take_view(app, ev->message_id, ev->body.data ? ev->body.data : "", ev->body.len,
                            BODY_ATTACH))
            attach_open(app, VIEW_INDEX);
    } else if (purpose == BODY_COMPOSE || purpose == BODY_COMPOSE_VIEW) {
        compose_original_arrived(app, purpose, ev->message_id, ev->body.data ? ev->body.data : "",
                                 ev->body.len);
    }
}

/* Row events of a mailbox the index no longer shows (a sync cancelled by changing folders, a
 * late flag change) only matter to the browser's counts. */
static bool other_mailbox(struct app *app, const struct tm_event *ev)
{
    return ev->mailbox_id && ev->mailbox_id != tm_core_mailbox_id(app->core);
}

static void handle_event(struct app *app, struct tm_event *ev)
{
    bool other = other_mailbox(app, ev);
    switch (ev->type) {
    case TM_EV_SYNC_PROGRESS:
        if (other)
            break;
        app->syncing = true;
        char done[32], total[32], name[160];
        ui_format_count(ev->done, done, sizeof(done));
        ui_format_count(ev->total, total, sizeof(total));
        draw_safe_copy(ev->text, name, sizeof(name));
        snprintf(app->progress, sizeof(app->progress), _("Syncing %s %s/%s"), name, done, total);
        /* Only the count while a scan runs: the full re-read (unread count, cursor position)
         * scans the whole folder, and the worker needs the CPU more. */
        index_reload_count(app);
        break;
    case TM_EV_SYNC_DONE:
        if (other)
            break;
        app->syncing = false;
        app->progress[0] = 0;
        if (ev->status)
            app_set_message(app, "%s", ev->text);
        tm_core_refresh_limit(app->core, NULL); /* new mail is judged by the limit too */
        app->tags_stale = true;                 /* and tagged mail may have gone */
        index_reload(app);
        if (!app->cursor_placed)
            index_place_cursor(app);
        break;
    case TM_EV_CHANGED:
        if (ev->text[0])
            app_set_message(app, "%s", ev->text);
        if (!other && !ev->message_id) /* not a flag change: messages may have left */
            app->tags_stale = true;
        if (!other)
            index_reload(app);
        break;
    case TM_EV_BODY:
        handle_body(app, ev);
        break;
    case TM_EV_ERROR:
        app_set_message(app, "%s", ev->text);
        break;
    case TM_EV_SECRET: {
        char prompt[700], password[1024];
        struct tm_buf name;
        tm_buf_init(&name, 600);
        tm_str_visible(&name, ev->text, strlen(ev->text), false);
        snprintf(prompt, sizeof(prompt), _("Password for %s: "), name.data ? name.data : "");
        tm_buf_cleanup(&name);
        bool ok = prompt_secret(app, prompt, password, sizeof(password));
        tm_core_answer_secret(app->core, ok ? password : NULL);
        explicit_bzero(password, sizeof(password));
        break;
    }
    case TM_EV_MAILBOXES:
        /* a failed listing matters where mailboxes are shown; the timer tries again */
        if (ev->text[0] && (!ev->status || app->view == VIEW_BROWSER))
            app_set_message(app, "%s", ev->text);
        break;
    case TM_EV_OUTBOX:
        if (ev->text[0])
            app_set_message(app, "%s", ev->text);
        break;
    case TM_EV_SEARCH_PROGRESS:
    case TM_EV_SEARCH_DONE:
        index_search_event(app, ev);
        break;
    case TM_EV_PART_PROGRESS:
    case TM_EV_PART_DONE:
        attach_part_event(app, ev);
        break;
    }
    /* a body or an attachment changes no count */
    bool counts = ev->type != TM_EV_SYNC_PROGRESS && ev->type != TM_EV_BODY &&
                  ev->type != TM_EV_PART_PROGRESS && ev->type != TM_EV_PART_DONE;
    if (counts)
        outbox_count(app); /* the status line's "1 unsent" */
    if (app->view == VIEW_OUTBOX && ev->type == TM_EV_OUTBOX)
        outbox_reload(app);
    if (app->view == VIEW_BROWSER && counts)
        browser_reload(app);
    app->dirty = true;
}

static void main_loop(struct app *app)
{
    int event_fd = tm_core_event_fd(app->core);
    while (!app->quit) {
        if (app->dirty) {
            app->dirty = false;
            draw(app);
        }
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {event_fd, POLLIN, 0}};
        int r = poll(fds, 2, -1);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
            !(fds[0].revents & POLLIN))
            break; /* the terminal went away */
        int key;
        while (!app->quit && app_read_key(&key))
            handle_key(app, key);
        struct tm_event ev;
        while (tm_core_next_event(app->core, &ev)) {
            handle_event(app, &ev);
            tm_event_cleanup(&ev);
        }
    }
}

static void start_curses(void)
{
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
}

int tm_ui_run(const struct tm_ui_options *opt, struct tm_error *err)
{
    struct app app;
    memset(&app, 0, sizeof(app));
    tm_buf_init(&app.pager_text, 0);
    tm_buf_init(&app.raw, 0);
    app.cfg_slot = opt->cfg;
    app.cfg = *opt->cfg;
    g_app = &app;
    if (tm_core_new(&opt->core, &app.core, err))
        return 1;
    start_curses();
    colors_init(&app);
    app_load_mailcap(&app);
    app.view = VIEW_INDEX;
    if (opt->notice)
        app_set_message(&app, "%s", opt->notice);
    index_reload(&app);
    if (app.count > 0)
        index_place_cursor(&app); /* from the cache, before the rescan */
    if (tm_core_sync(app.core, err))
        app_set_message(&app, "%s", err->message);
    outbox_count(&app);
    app.dirty = true;
    if (opt->mailto) {
        draw(&app);
        compose_mailto(&app, opt->mailto);
    }
    main_loop(&app);
    if (app.quit_wait) { /* the expunge queued on the way out runs before the worker stops */
        draw(&app);
        tm_core_wait_idle(app.core, 30000);
    }
    endwin();
    tm_draft_free(&app.compose.draft);
    files_cleanup(&app);
    outbox_cleanup(&app);
    pager_cleanup(&app);
    attach_cleanup(&app);
    browser_cleanup(&app);
    index_tag_cleanup(&app);
    prompt_history_free();
    pager_search_cleanup();
    colors_free(&app);
    tm_pattern_free(&app.search);
    tm_mailcap_cleanup(&app.mailcap);
    tm_buf_cleanup(&app.raw);
    g_app = NULL;
    tm_core_free(&app.core);
    return 0;
}
