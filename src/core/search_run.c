/* search_run.c - a body and header search on the account worker (JOB_SEARCH): brings the text
 * index of the mailbox up to date (local folders: every message; IMAP: the cached bodies),
 * finds each text atom's matches through the index and confirms them on the text, and for IMAP
 * messages whose body is not cached asks the server (UID SEARCH, RFC 9051 6.4.4), confirming
 * what the server cannot judge on fetched bodies. Reports progress and one result event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "search.h"
#include "tmail/array.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/pattern.h"

#define PROGRESS_EVERY_MS 100

struct id_set {
    int64_t *ids;
    size_t n, cap;
};

struct run {
    struct worker_ctx *c;
    struct tm_pattern *p;
    size_t n_atoms;
    struct id_set *found; /* per atom */
    int64_t mailbox_id;
    const char *mailbox;
    int64_t serial;
    int purpose;
    struct timespec last_progress;
    int64_t unsearched;
    char note[512];
    bool yielded;   /* stopped for a job that waits: queued again, goes on where it was */
    int64_t failed; /* local messages that could not be read this time */
};

static enum tm_status set_add(struct id_set *s, int64_t id)
{
    return TM_ARRAY_RESERVE(s->ids, s->n, s->cap, 64) ? TM_ENOMEM : (s->ids[s->n++] = id, TM_OK);
}

static int set_collect(void *ctx, int64_t id)
{
    return set_add(ctx, id) != TM_OK;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool set_has(const struct id_set *s, int64_t id)
{
    return s->n > 0 && bsearch(&id, s->ids, s->n, sizeof(id), cmp_id) != NULL;
}

static bool cancelled(const struct run *r)
{
    return r->c->w->job_cancel || r->c->w->cancel;
}

static void post(struct run *r, struct tm_event *ev)
{
    ev->account_id = r->c->w->account_id;
    ev->mailbox_id = r->mailbox_id;
    ev->message_id = r->serial;
    event_queue_push(r->c->w->events, ev);
}

/* At most one progress event per PROGRESS_EVERY_MS, and the last one of each phase. */
static void progress(struct run *r, const char *what, int64_t done, int64_t total)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - r->last_progress.tv_sec) * 1000 +
              (now.tv_nsec - r->last_progress.tv_nsec) / 1000000;
    if (ms < PROGRESS_EVERY_MS && done < total)
        return;
    r->last_progress = now;
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_SEARCH_PROGRESS;
    ev.done = done;
    ev.total = total;
    snprintf(ev.text, sizeof(ev.text), "%s", what);
    post(r, &ev);
}

/* Local folders: the text of every message that has none or an old one (added, changed).
 * Server mailboxes: the text of the cached bodies not indexed yet. */
static enum tm_status bring_index_up_to_date(struct run *r, bool local, struct tm_error *err)
{
    struct id_set todo = {0};
    struct search_indexer *ix = NULL;
    enum tm_status st = tm_store_text_each_missing(r->c->store, r->mailbox_id,
                                                   local ? TM_TEXT_STALE : TM_TEXT_PENDING,
                                                   set_collect, &todo, err);
    if (!st && todo.n)
        st = search_indexer_new(r->c, true, &ix, err);
    const char *what = _("Indexing messages for search...");
    for (size_t i = 0; !st && i < todo.n; i++) {
        if (cancelled(r)) {
            st = tm_error_set(err, TM_ECANCELED, _("Search stopped."));
            break;
        }
        if (i > 0 && search_job_waiting(r->c)) { /* opening a message must not wait for us */
            r->yielded = true;
            break;
        }
        progress(r, what, (int64_t)i, (int64_t)todo.n);
        struct tm_error one;
        tm_error_clear(&one);
        st = local ? search_index_fetch(ix, todo.ids[i], &one)
                   : search_index_cached(ix, todo.ids[i], &one);
        if (st && st != TM_ENOMEM && st != TM_ESTORE) { /* one unreadable file: not searched */
            tm_log(TM_LOG_INFO, "search index: message %lld: %s", (long long)todo.ids[i],
                   one.message);
            r->failed++;
            snprintf(r->note, sizeof(r->note), "%s", one.message);
            st = TM_OK;
        } else if (st) {
            *err = one;
        }
    }
    if (!st && todo.n && !r->yielded)
        progress(r, what, (int64_t)todo.n, (int64_t)todo.n);
    search_indexer_free(&ix);
    free(todo.ids);
    return st;
}

struct confirm {
    struct run *r;
    size_t atom;
    bool failed;
};

static int on_candidate(void *ctx, int64_t id, const char *headers, size_t headers_len,
                        const char *body, size_t body_len)
{
    struct confirm *k = ctx;
    if (cancelled(k->r))
        return 1;
    if (tm_pattern_text_match(k->r->p, k->atom, headers, headers_len, body, body_len) &&
        set_add(&k->r->found[k->atom], id)) {
        k->failed = true;
        return 1;
    }
    return 0;
}

/* Each atom through the index, confirmed on the text. */
static enum tm_status match_local(struct run *r, struct tm_error *err)
{
    for (size_t i = 0; i < r->n_atoms; i++) {
        const struct tm_pattern_text *t = tm_pattern_text_atom(r->p, i);
        struct tm_text_query q = {t->groups, t->n_groups};
        struct confirm k = {r, i, false};
        progress(r, _("Searching..."), (int64_t)i, (int64_t)r->n_atoms);
        enum tm_status st =
            tm_store_text_search(r->c->store, r->mailbox_id, &q, on_candidate, &k, NULL, err);
        if (st)
            return st;
        if (k.failed)
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        if (cancelled(r))
            return tm_error_set(err, TM_ECANCELED, _("Search stopped."));
    }
    return TM_OK;
}

/* =h "Name: value": the server's HEADER key (neomutt's rule for IMAP); false when arg has no
 * field name before a colon. */
static bool header_criteria(const char *arg, struct tm_buf *out)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg)
        return false;
    for (const char *c = arg; c < colon; c++)
        if (*c <= ' ' || *c > '~')
            return false;
    const char *value = colon + 1 + strspn(colon + 1, " \t");
    struct tm_text_group g = {&value, 1};
    char key[300];
    if ((size_t)(colon - arg) > 256)
        return false;
    snprintf(key, sizeof(key), "HEADER %.*s", (int)(colon - arg), arg);
    if (!*value) /* any value: an empty string matches every message with the field */
        return tm_buf_appendf(out, "%s \"\"", key) == TM_OK;
    return search_criteria_group(out, key, &g);
}

/* The criteria for atom t; *exact says whether the server's answer is final. false when the
 * server cannot narrow it down (no literal). */
static bool atom_criteria(const struct tm_pattern_text *t, struct tm_buf *out, bool *exact)
{
    *exact = false;
    if (t->scope == TM_PATTERN_HEADERS && t->string && header_criteria(t->arg, out)) {
        *exact = true;
        return true;
    }
    if (t->n_groups == 0)
        return false;
    const char *key = t->scope == TM_PATTERN_BODY ? "BODY" : "TEXT";
    /* IMAP matches case-insensitive substrings of the decoded text: exactly a lower-case plain
     * ~b or ~B; header lines need TEXT, which the body can satisfy too */
    *exact = t->plain && t->ignore_case && t->scope != TM_PATTERN_HEADERS;
    for (size_t g = 0; g < t->n_groups; g++) {
        bool last = g + 1 == t->n_groups;
        if ((!last && tm_buf_append_str(out, "OR ")) ||
            (t->n_groups > 1 && tm_buf_append_char(out, '(')) ||
            !search_criteria_group(out, key, &t->groups[g]) ||
            (t->n_groups > 1 && tm_buf_append_char(out, ')')) ||
            (!last && tm_buf_append_char(out, ' ')))
            return false;
    }
    return true;
}

static enum tm_status server_search(struct run *r, const char *criteria, int64_t **ids, size_t *n,
                                    struct tm_error *err)
{
    const struct tm_backend_ops *ops = r->c->w->ops;
    if (!ops->search)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot search on the server"));
    return ops->search(r->c->session, r->mailbox, r->mailbox_id, criteria, ids, n, err);
}

/* What the server said for each atom, about the messages without local text. */
struct server_pass {
    struct id_set absent; /* sorted */
    struct id_set *check; /* per atom: candidates to confirm on a fetched body */
    bool *check_all;      /* per atom: no literal, every absent message is a candidate */
};

static enum tm_status ask_server(struct run *r, struct server_pass *sp, struct tm_error *err)
{
    struct tm_buf criteria;
    tm_buf_init(&criteria, 64 * 1024);
    enum tm_status st = TM_OK;
    for (size_t i = 0; !st && i < r->n_atoms; i++) {
        const struct tm_pattern_text *t = tm_pattern_text_atom(r->p, i);
        bool exact;
        tm_buf_reset(&criteria);
        progress(r, _("Searching on the server..."), (int64_t)i, (int64_t)r->n_atoms);
        if (!atom_criteria(t, &criteria, &exact)) {
            sp->check_all[i] = true;
            continue;
        }
        int64_t *ids = NULL;
        size_t n = 0;
        st = server_search(r, criteria.data, &ids, &n, err);
        for (size_t k = 0; !st && k < n; k++) {
            if (set_has(&sp->absent, ids[k]) &&
                set_add(exact ? &r->found[i] : &sp->check[i], ids[k]))
                st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
        free(ids);
        if (!st && sp->check[i].n > 1) /* (an empty set has no array at all) */
            qsort(sp->check[i].ids, sp->check[i].n, sizeof(int64_t), cmp_id);
    }
    tm_buf_cleanup(&criteria);
    return st;
}

/* Fetches (newest first, at most TM_SEARCH_FETCH_MAX) the candidates the server could not judge
 * and confirms each atom on their text; what is left over counts as not searched. */
static enum tm_status confirm_fetched(struct run *r, struct server_pass *sp, struct tm_error *err)
{
    struct id_set all = {0};
    enum tm_status st = TM_OK;
    for (size_t k = 0; !st && k < sp->absent.n; k++) {
        int64_t id = sp->absent.ids[sp->absent.n - 1 - k];
        bool wanted = false;
        for (size_t i = 0; i < r->n_atoms && !wanted; i++)
            wanted = sp->check_all[i] || set_has(&sp->check[i], id);
        if (wanted && set_add(&all, id))
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    struct search_indexer *ix = NULL;
    if (!st && all.n)
        st = search_indexer_new(r->c, false, &ix, err);
    size_t fetched = 0, limit = all.n < TM_SEARCH_FETCH_MAX ? all.n : TM_SEARCH_FETCH_MAX;
    struct tm_error why;
    tm_error_clear(&why);
    for (; !st && fetched < limit; fetched++) {
        if (cancelled(r)) {
            st = tm_error_set(err, TM_ECANCELED, _("Search stopped."));
            break;
        }
        if (fetched > 0 && search_job_waiting(r->c)) { /* fetched ones are kept: go on later */
            r->yielded = true;
            break;
        }
        progress(r, _("Fetching messages to search..."), (int64_t)fetched, (int64_t)limit);
        int64_t id = all.ids[fetched];
        if (search_index_fetch(ix, id, &why))
            break; /* unreachable now, most likely: the rest is not searched */
        const struct tm_buf *h = search_indexer_headers(ix), *b = search_indexer_body(ix);
        for (size_t i = 0; !st && i < r->n_atoms; i++) {
            if ((sp->check_all[i] || set_has(&sp->check[i], id)) &&
                tm_pattern_text_match(r->p, i, h->data ? h->data : "", h->len,
                                      b->data ? b->data : "", b->len) &&
                set_add(&r->found[i], id))
                st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
    }
    search_indexer_free(&ix);
    if (!st && fetched < all.n && !r->yielded) {
        r->unsearched += (int64_t)(all.n - fetched);
        if (why.status)
            snprintf(r->note, sizeof(r->note), "%s", why.message);
        else
            snprintf(r->note, sizeof(r->note), _("more than %d messages would have to be fetched"),
                     TM_SEARCH_FETCH_MAX);
    }
    free(all.ids);
    return st;
}

/* The messages with no local text: asked of the server when there is one, else not searched. */
static enum tm_status search_absent(struct run *r, bool server, struct tm_error *err)
{
    struct server_pass sp;
    memset(&sp, 0, sizeof(sp));
    if (!server && r->c->session) { /* every message was read just now: failures are known */
        r->unsearched = r->failed;
        return TM_OK;
    }
    enum tm_status st = tm_store_text_each_missing(r->c->store, r->mailbox_id, TM_TEXT_ABSENT,
                                                   set_collect, &sp.absent, err);
    if (st || sp.absent.n == 0)
        goto out;
    if (!server || !r->c->session) {
        r->unsearched = (int64_t)sp.absent.n;
        snprintf(r->note, sizeof(r->note), "%s", r->c->open_err.message);
        goto out;
    }
    sp.check = calloc(r->n_atoms, sizeof(*sp.check));
    sp.check_all = calloc(r->n_atoms, sizeof(*sp.check_all));
    if (!sp.check || !sp.check_all) {
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        goto out;
    }
    struct tm_error server_err;
    tm_error_clear(&server_err);
    st = ask_server(r, &sp, &server_err);
    if (st == TM_ENOMEM || st == TM_ECANCELED || cancelled(r)) {
        *err = server_err;
        if (cancelled(r))
            st = tm_error_set(err, TM_ECANCELED, _("Search stopped."));
        goto out;
    }
    if (st) { /* offline, or the server refused: what is cached was searched, the rest not */
        tm_log(TM_LOG_INFO, "search on the server failed: %s", server_err.message);
        r->unsearched = (int64_t)sp.absent.n;
        snprintf(r->note, sizeof(r->note), "%s", server_err.message);
        st = TM_OK;
        goto out;
    }
    st = confirm_fetched(r, &sp, err);
out:
    for (size_t i = 0; sp.check && i < r->n_atoms; i++)
        free(sp.check[i].ids);
    free(sp.check);
    free(sp.check_all);
    free(sp.absent.ids);
    return st;
}

/* The result event: per atom, its count then its ids (int64, host order), in body. */
static void post_done(struct run *r, enum tm_status st, const struct tm_error *err)
{
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_SEARCH_DONE;
    ev.status = st;
    tm_buf_init(&ev.body, 0);
    for (size_t i = 0; !ev.status && i < r->n_atoms; i++) {
        int64_t n = (int64_t)r->found[i].n;
        if (tm_buf_append(&ev.body, &n, sizeof(n)) ||
            tm_buf_append(&ev.body, r->found[i].ids, r->found[i].n * sizeof(int64_t)))
            ev.status = TM_ENOMEM;
    }
    if (ev.status) {
        tm_buf_cleanup(&ev.body);
        snprintf(ev.text, sizeof(ev.text), "%s", st && err ? err->message : _("out of memory"));
    } else {
        snprintf(ev.text, sizeof(ev.text), "%s", r->note);
    }
    int64_t total = 0;
    tm_store_message_count(r->c->store, r->mailbox_id, &total, NULL);
    ev.done = r->unsearched;
    ev.total = total;
    post(r, &ev);
}

void worker_run_search(struct worker_ctx *c, const struct job *job)
{
    struct run r;
    struct tm_error err;
    memset(&r, 0, sizeof(r));
    tm_error_clear(&err);
    r.c = c;
    r.mailbox_id = job->mailbox_id;
    r.mailbox = job->name2 ? job->name2 : "";
    r.serial = job->message_id;
    r.purpose = (int)job->add;
    enum tm_status st = c->store ? tm_pattern_compile(job->name ? job->name : "", &r.p, &err)
                                 : (err = c->open_err, c->open_err.status);
    if (!st) {
        r.n_atoms = tm_pattern_text_count(r.p);
        r.found = calloc(r.n_atoms ? r.n_atoms : 1, sizeof(*r.found));
        if (!r.found)
            st = tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    }
    const struct tm_backend_ops *ops = c->w->ops;
    bool server = ops->search && (ops->caps & TM_CAP_SERVER_SEARCH);
    if (!st && r.n_atoms && (server || c->session)) /* a local folder needs its backend */
        st = bring_index_up_to_date(&r, !server, &err);
    if (!st && r.n_atoms && !r.yielded)
        st = match_local(&r, &err);
    if (!st && r.n_atoms && !r.yielded)
        st = search_absent(&r, server, &err);
    if (!st && r.yielded) { /* behind the job that waits; what is indexed stays indexed */
        struct job again = *job;
        again.next = NULL;
        if (!(st = worker_submit(c->w, &again, &err))) {
            tm_log(TM_LOG_DEBUG, "body search %lld gives way to a job", (long long)r.serial);
            goto out;
        }
    }
    if (st && !err.status)
        err.status = st;
    tm_log(st ? TM_LOG_INFO : TM_LOG_DEBUG, "body search %lld in %s: %s", (long long)r.serial,
           c->w->account_name, st ? err.message : "done");
    post_done(&r, st, &err);
out:
    for (size_t i = 0; r.found && i < r.n_atoms; i++)
        free(r.found[i].ids);
    free(r.found);
    tm_pattern_free(&r.p);
}
