/* app.c - the UI's main loop: polls the keyboard together with the workers' event fd, so the
 * screen never waits on a mailbox; dispatches keys to the current view and events to the app. */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/ui.h"

int app_read_key(int *key)
{
    wint_t wch;
    int r = get_wch(&wch);
    if (r == ERR)
        return 0;
    *key = r == KEY_CODE_YES ? (int)(UI_KEY_FN | (int)wch) : (int)wch;
    return 1;
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
    }
    refresh();
}

static void handle_key(struct app *app, int key)
{
    if (key == (UI_KEY_FN | KEY_RESIZE)) {
        clear();
        app->dirty = true;
        return;
    }
    static const enum ui_map maps[] = {
        [VIEW_INDEX] = MAP_INDEX,
        [VIEW_PAGER] = MAP_PAGER,
        [VIEW_HELP] = MAP_HELP,
        [VIEW_ATTACH] = MAP_ATTACH,
    };
    enum ui_map map = maps[app->view];
    enum ui_fn fn = keys_lookup(map, key);
    app->message[0] = 0;
    app->dirty = true;
    if (fn == FN_REDRAW) {
        clearok(curscr, TRUE);
    } else if (fn == FN_HELP && app->view != VIEW_HELP) {
        app->help_return = app->view;
        app->help_top = 0;
        app->view = VIEW_HELP;
    } else if (app->view == VIEW_INDEX) {
        index_handle(app, fn);
    } else if (app->view == VIEW_PAGER) {
        pager_handle(app, fn);
    } else if (app->view == VIEW_ATTACH) {
        attach_handle(app, fn);
    } else {
        help_handle(app, fn);
    }
}

static void handle_body(struct app *app, struct tm_event *ev)
{
    if (app->body_purpose == BODY_NONE || ev->message_id != app->body_id)
        return; /* an answer nobody waits for any more */
    enum body_purpose purpose = app->body_purpose;
    app->body_purpose = BODY_NONE;
    if (ev->status) {
        app_set_message(app, "%s", ev->text);
        if (purpose == BODY_VIEW && app->view == VIEW_PAGER) {
            app->view = VIEW_INDEX;
            pager_cleanup(app);
        }
        return;
    }
    if (purpose == BODY_VIEW && app->view == VIEW_PAGER && app->pager_id == ev->message_id)
        pager_show(app, ev->message_id, ev->body.data ? ev->body.data : "", ev->body.len);
    else if (purpose == BODY_PIPE)
        pipe_run(app, app->pipe_command, ev->body.data ? ev->body.data : "", ev->body.len);
    else if (purpose == BODY_ATTACH && app->view == VIEW_INDEX) {
        app_keep_raw(app, ev->message_id, ev->body.data ? ev->body.data : "", ev->body.len);
        attach_open(app, VIEW_INDEX);
    }
}

static void handle_event(struct app *app, struct tm_event *ev)
{
    switch (ev->type) {
    case TM_EV_SYNC_PROGRESS:
        app->syncing = true;
        snprintf(app->progress, sizeof(app->progress), _("Scanning %s %lld/%lld"), ev->text,
                 (long long)ev->done, (long long)ev->total);
        index_reload(app);
        break;
    case TM_EV_SYNC_DONE:
        app->syncing = false;
        app->progress[0] = 0;
        if (ev->status)
            app_set_message(app, "%s", ev->text);
        index_reload(app);
        if (!app->cursor_placed)
            index_place_cursor(app);
        break;
    case TM_EV_CHANGED:
        index_reload(app);
        break;
    case TM_EV_BODY:
        handle_body(app, ev);
        break;
    case TM_EV_ERROR:
        app_set_message(app, "%s", ev->text);
        break;
    }
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
    if (tm_core_new(&opt->core, &app.core, err))
        return 1;
    start_curses();
    app.view = VIEW_INDEX;
    if (opt->notice)
        app_set_message(&app, "%s", opt->notice);
    index_reload(&app);
    if (app.count > 0)
        index_place_cursor(&app); /* from the cache, before the rescan */
    if (tm_core_sync(app.core, err))
        app_set_message(&app, "%s", err->message);
    app.dirty = true;
    main_loop(&app);
    endwin();
    pager_cleanup(&app);
    attach_cleanup(&app);
    tm_buf_cleanup(&app.raw);
    tm_core_free(&app.core);
    return 0;
}
