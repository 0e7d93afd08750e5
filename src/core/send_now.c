/* send_now.c - `tmail -s`: one message through the outbox in the calling thread, no UI. The row is
 * committed first, like the UI's; a message the server did not take stays in the outbox, so the
 * next tmail sends it. The Sent copy goes through the account's own backend (IMAP or Maildir). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/credentials.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/smtp.h"

/* The account's backend, opened on first use for the Sent copy. */
struct copy_target {
    const struct tm_account *account;
    struct tm_store *store;
    int64_t account_id;
    const char *url;
    const struct tm_backend_ops *ops;
    struct tm_backend_env env;
    struct tm_session *session;
    volatile int never;
};

static enum tm_status copy_append(void *ctx, const char *mailbox, const char *msg, size_t len,
                                  struct tm_error *err)
{
    struct copy_target *t = ctx;
    if (!t->ops)
        return tm_error_set(err, TM_ENOTSUP, _("account %s has no folder for a sent copy"),
                            t->account->name);
    if (!t->session) {
        struct tm_account_spec spec = {t->account->name, t->url, t->account_id, t->account};
        enum tm_status st = t->ops->open(&t->env, &spec, &t->session, err);
        if (st) {
            t->session = NULL;
            return st;
        }
    }
    return backend_append(t->ops, t->session, mailbox, msg, len, TM_FLAG_SEEN, err);
}

struct special {
    int64_t id;
    char *out;
    size_t size;
    bool found;
};

static int find_special(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct special *sp = ctx;
    if (mb->id != sp->id)
        return 0;
    snprintf(sp->out, sp->size, "%s", mb->name);
    sp->found = true;
    return 1;
}

/* The name of the account's mailbox marked \Sent by the last listing, into out. */
static bool special_name(struct tm_store *store, int64_t account_id, char *out, size_t size)
{
    struct special sp = {0, out, size, false};
    return tm_store_mailbox_find_special(store, account_id, "\\Sent", &sp.id, NULL) == TM_OK &&
           tm_store_mailbox_each(store, account_id, find_special, &sp, NULL) == TM_OK && sp.found;
}

/* Everything one batch of sends needs: the account copy, its secrets, the store and the backend
 * for Sent copies. */
struct batch {
    struct tm_account copy;
    struct worker_secrets secrets;
    struct copy_target target;
    struct core_send cs;
    char url[4200];
    bool have_copy;
};

static enum tm_status batch_open(struct batch *b, const struct tm_core_send_options *o,
                                 struct tm_error *err)
{
    memset(b, 0, sizeof(*b));
    const struct tm_account *a = o->account;
    if (a->send.scheme == TM_URL_NONE)
        return tm_error_set(err, TM_ECONFIG,
                            _("account %s cannot send mail: set smtp in its account block"),
                            a->name);
    enum tm_status st = core_account_copy(&b->copy, a, err);
    if (st)
        return st;
    b->have_copy = true;
    b->secrets.account = &b->copy;
    if (o->ask_password && !(b->secrets.creds = tm_credentials_new(o->ask_password, o->ask_ctx)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    struct copy_target *t = &b->target;
    t->account = &b->copy;
    if (b->copy.read.scheme == TM_URL_IMAP || b->copy.read.scheme == TM_URL_IMAPS) {
        core_account_url(&b->copy, b->url, sizeof(b->url));
        t->ops = &tm_imap_ops;
    } else if (b->copy.read.scheme == TM_URL_MAILDIR && b->copy.read.path) {
        snprintf(b->url, sizeof(b->url), "%s", b->copy.read.path);
        t->ops = &tm_maildir_ops;
    } else {
        snprintf(b->url, sizeof(b->url), "smtp://%s", b->copy.send.host ? b->copy.send.host : "");
    }
    t->url = b->url;
    if ((st = tm_store_open(o->store_path, &t->store, err)) ||
        (st = tm_store_account_ensure(t->store, b->copy.name, b->url, &t->account_id, err)))
        return st;
    t->env = (struct tm_backend_env){
        .store = t->store,
        .cancel = &t->never,
        .charset_fallback = o->charset_fallback,
        .wake_fd = -1,
        .secret = worker_secret,
        .secret_forget = worker_secret_forget,
        .secret_ctx = &b->secrets,
    };
    b->cs = (struct core_send){
        .store = t->store,
        .account = &b->copy,
        .hostname = o->hostname,
        .secrets = &b->secrets,
        .cancel = &t->never,
        .append = copy_append,
        .backend_ctx = t,
    };
    return TM_OK;
}

static void batch_close(struct batch *b)
{
    core_send_close(&b->cs);
    if (b->target.session)
        b->target.ops->close(&b->target.session);
    tm_store_free(&b->target.store);
    worker_secrets_cleanup(&b->secrets);
    if (b->have_copy)
        core_account_free(&b->copy);
}

/* What a send's report means for tmail -s: TM_OK when the server took it (err may then hold a
 * warning, e.g. about the copy); else an error saying why, with the message kept. */
static enum tm_status report_to_error(const struct core_send_report *rep, struct tm_error *err)
{
    char text[400];
    tm_error_clear(err);
    if (rep->sent) {
        if (rep->copy_failed || rep->maybe_sent) { /* sent: TM_OK, but say what went wrong */
            core_send_describe(rep, text, sizeof(text));
            snprintf(err->message, sizeof(err->message), "%.*s", (int)sizeof(err->message) - 1,
                     text);
        }
        return TM_OK;
    }
    if (rep->held)
        return tm_error_set(err, TM_EPROTO,
                            _("not sent: %s; the message is kept in the outbox until you decide "
                              "(^O in tmail lists it)"),
                            rep->reply);
    if (rep->outcome == TM_SMTP_MAYBE_SENT)
        return tm_error_set(err, TM_ENET,
                            _("the connection dropped after the message was handed over, so it "
                              "may have been delivered: %s; it is kept in the outbox and the next "
                              "tmail --sync or tmail session sends it again"),
                            rep->reply);
    return tm_error_set(err, TM_ENET,
                        _("not sent: %s; the message is kept in the outbox and the next tmail "
                          "--sync or tmail session sends it"),
                        rep->reply);
}

enum tm_status tm_core_send_now(const struct tm_core_send_options *o, struct tm_draft *d,
                                const struct tm_alias_set *aliases, struct tm_error *err)
{
    struct batch b;
    char sent[512];
    int64_t id = 0;
    enum tm_status st = batch_open(&b, o, err);
    const char *sent_to = NULL;
    if (!st && o->save_copy && b.target.ops) {
        const char *setting = core_folder_setting(b.copy.sent);
        if (setting)
            snprintf(sent, sizeof(sent), "%s", setting);
        else if (!special_name(b.target.store, b.target.account_id, sent, sizeof(sent)))
            snprintf(sent, sizeof(sent), "Sent");
        sent_to = sent;
    }
    if (!st)
        st = core_outbox_queue(b.target.store, b.copy.name, sent_to, d, aliases, o->hostname, &id,
                               err);
    struct core_send_report rep;
    if (!st && !(st = core_send_row(&b.cs, id, &rep, err)))
        st = report_to_error(&rep, err);
    batch_close(&b);
    return st;
}

struct flush {
    int sent, failed;
    void (*report)(void *ctx, const char *text);
    void *ctx;
};

static bool after_row(void *ctx, int64_t id, enum tm_status st, const struct core_send_report *rep,
                      const struct tm_error *err)
{
    struct flush *f = ctx;
    struct tm_error one;
    (void)id;
    if (!st)
        st = report_to_error(rep, &one);
    else
        one = *err;
    if (st)
        f->failed++;
    else
        f->sent++;
    if (f->report && one.message[0])
        f->report(f->ctx, one.message);
    return st != TM_ENET && st != TM_ESTORE; /* the others would fail the same way */
}

enum tm_status tm_core_flush_outbox(const struct tm_core_send_options *o, int *sent, int *failed,
                                    void (*report)(void *ctx, const char *text), void *ctx,
                                    struct tm_error *err)
{
    struct batch b;
    struct flush f = {0, 0, report, ctx};
    int64_t wait_s;
    enum tm_status st = batch_open(&b, o, err);
    if (!st) /* every queued row is due now: the person asked for it */
        st = core_send_due(&b.cs, b.copy.name, INT64_MAX / 2, after_row, &f, &wait_s, err);
    batch_close(&b);
    *sent = f.sent;
    *failed = f.failed;
    return st;
}
