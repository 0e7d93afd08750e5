/* search.c - body and header search as the UI thread sees it: starting the worker's search
 * (JOB_SEARCH), stopping it, and taking its result: a pattern whose text atoms know their
 * matches (for / n N) or a new limit (l). Results are stamped with the mailbox and its sync
 * generation, so a search is run again once a sync or a change of mailbox made them old. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"

uint64_t core_search_stamp(struct tm_core *core)
{
    if (core->search.stamp_mailbox != core->mailbox_id) {
        core->search.stamp_mailbox = core->mailbox_id;
        core->search.generation++;
    }
    return core->search.generation;
}

bool tm_core_search_needed(struct tm_core *core, const struct tm_pattern *p)
{
    return tm_pattern_text_count(p) > 0 && !tm_pattern_text_ready(p, core_search_stamp(core));
}

enum tm_status tm_core_search_start(struct tm_core *core, const char *text,
                                    enum tm_search_purpose purpose, int tag, struct tm_error *err)
{
    struct core_search *s = &core->search;
    if (strlen(text) >= sizeof(s->text))
        return tm_error_set(err, TM_ELIMIT, _("the pattern is too long"));
    struct tm_pattern *p = NULL;
    enum tm_status st = tm_pattern_compile(text, &p, err); /* a bad one fails here, not later */
    tm_pattern_free(&p);
    if (st)
        return st;
    worker_cancel_search(&core->worker);
    if (s->running && s->purpose == TM_SEARCH_LIMIT && purpose != TM_SEARCH_LIMIT)
        s->limit_refresh = true; /* the limit's search is stopped: run it again afterwards */
    struct job job = {.type = JOB_SEARCH,
                      .message_id = s->serial + 1,
                      .add = (unsigned)purpose,
                      .mailbox_id = core->mailbox_id,
                      .name = (char *)text,
                      .name2 = core->mailbox_name};
    if ((st = worker_submit(&core->worker, &job, err)))
        return st;
    s->serial++;
    s->running = true;
    s->purpose = (int)purpose;
    s->tag = tag;
    s->started = core_search_stamp(core);
    s->mailbox_id = core->mailbox_id;
    snprintf(s->text, sizeof(s->text), "%s", text);
    if (purpose == TM_SEARCH_LIMIT)
        s->limit_refresh = false; /* this one is as fresh as a refresh */
    return TM_OK;
}

bool tm_core_search_cancel(struct tm_core *core)
{
    if (!tm_core_search_running(core))
        return false;
    worker_cancel_search(&core->worker);
    /* A search that was only queued (or had given way to another job) ends without a word from
     * the worker: say it here. A running one's own TM_ECANCELED then finds nothing running. */
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_SEARCH_DONE;
    ev.status = TM_ECANCELED;
    ev.account_id = core->account_id;
    ev.mailbox_id = core->search.mailbox_id;
    ev.message_id = core->search.serial;
    event_queue_push(core->events, &ev);
    return true;
}

void core_search_drop_limit(struct tm_core *core)
{
    struct core_search *s = &core->search;
    if (!tm_core_limit_pending(core))
        return;
    worker_cancel_search(&core->worker);
    s->running = false;
    s->serial++; /* the dropped search's end no longer matches */
}

bool tm_core_limit_pending(struct tm_core *core)
{
    return tm_core_search_running(core) && core->search.purpose == TM_SEARCH_LIMIT;
}

bool tm_core_search_running(struct tm_core *core)
{
    struct core_search *s = &core->search;
    if (s->running && s->mailbox_id != core->mailbox_id)
        s->running = false; /* another mailbox was opened: selecting it dropped the search */
    return s->running;
}

/* Attaches the per-atom id lists of the event's body to p; false when the body is malformed. */
static bool attach(struct tm_pattern *p, const struct tm_buf *body, uint64_t stamp)
{
    size_t pos = 0, n_atoms = tm_pattern_text_count(p);
    for (size_t i = 0; i < n_atoms; i++) {
        int64_t n;
        if (body->len - pos < sizeof(n))
            return false;
        memcpy(&n, body->data + pos, sizeof(n));
        pos += sizeof(n);
        if (n < 0 || (uint64_t)n > (body->len - pos) / sizeof(int64_t))
            return false;
        int64_t *ids = malloc((size_t)n * sizeof(int64_t) + 1);
        if (!ids)
            return false;
        memcpy(ids, body->data + pos, (size_t)n * sizeof(int64_t));
        pos += (size_t)n * sizeof(int64_t);
        tm_pattern_set_text_result(p, i, ids, (size_t)n, stamp);
    }
    return pos == body->len;
}

/* A limit whose pattern has text atoms: searched again, unless a search runs (then once it has
 * ended). */
static void refresh_limit_search(struct tm_core *core)
{
    if (!core->limit.text || tm_pattern_text_count(core->limit.pattern) == 0)
        return;
    if (core->search.running) {
        core->search.limit_refresh = true;
        return;
    }
    struct tm_error ignored;
    char text[sizeof(core->search.text)];
    snprintf(text, sizeof(text), "%s", core->limit.text);
    tm_core_search_start(core, text, TM_SEARCH_LIMIT, -1, &ignored);
}

void core_search_after_sync(struct tm_core *core)
{
    core_search_stamp(core);
    core->search.generation++;
    refresh_limit_search(core);
}

/* The result of the search that just ended, for the mailbox still open: the pattern with its
 * matches, or the limit it sets. */
static enum tm_status take_result(struct tm_core *core, const struct tm_event *ev,
                                  struct tm_search_done *out, struct tm_error *err)
{
    struct core_search *s = &core->search;
    struct tm_pattern *p = NULL;
    enum tm_status st = tm_pattern_compile(s->text, &p, err);
    if (st)
        return st;
    if (!attach(p, &ev->body, s->started)) {
        tm_pattern_free(&p);
        return tm_error_set(err, TM_EPROTO, _("the search's result is malformed"));
    }
    if (out->purpose == TM_SEARCH_LIMIT)
        return core_limit_apply(core, s->text, p, err); /* takes p */
    out->found = p;
    return TM_OK;
}

bool tm_core_search_done(struct tm_core *core, const struct tm_event *ev,
                         struct tm_search_done *out)
{
    struct core_search *s = &core->search;
    memset(out, 0, sizeof(*out));
    if (ev->type != TM_EV_SEARCH_DONE || ev->message_id != s->serial || !s->running)
        return false; /* an older search's, or one already ended */
    s->running = false;
    out->purpose = (enum tm_search_purpose)s->purpose;
    out->tag = s->tag;
    out->status = ev->status;
    out->unsearched = ev->done;
    out->total = ev->total;
    snprintf(out->text, sizeof(out->text), "%s", ev->text);
    bool current = ev->mailbox_id == core->mailbox_id;
    if (current && !out->status) {
        struct tm_error err;
        tm_error_clear(&err);
        if ((out->status = take_result(core, ev, out, &err)))
            snprintf(out->text, sizeof(out->text), "%s", err.message);
    }
    if (s->limit_refresh) {
        s->limit_refresh = false;
        refresh_limit_search(core);
    }
    return current;
}
