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

/* A folder setting without mutt's = or + and without an imap://host/ in front. */
static const char *setting_name(const char *value)
{
    if (!value || !*value)
        return NULL;
    const char *scheme = strstr(value, "://");
    if (scheme) {
        const char *path = strchr(scheme + 3, '/');
        value = path ? path + 1 : "";
    } else if (*value == '=' || *value == '+') {
        value++;
    }
    return *value ? value : NULL;
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

/* Sends row id; TM_OK when the server took it (err may then hold a warning about the copy). */
static enum tm_status batch_send(struct batch *b, int64_t id, struct tm_error *err)
{
    struct core_send_report rep;
    enum tm_status st = core_send_row(&b->cs, id, &rep, err);
    if (st)
        return st;
    char text[400];
    core_send_describe(&rep, text, sizeof(text));
    if (!rep.sent)
        return tm_error_set(err, rep.connect_failed && !rep.held ? TM_ENET : TM_EPROTO,
                            _("%s The message is kept in the outbox."), text);
    if (rep.copy_failed || rep.maybe_sent) /* sent: TM_OK, but say what went wrong */
        snprintf(err->message, sizeof(err->message), "%.*s", (int)sizeof(err->message) - 1, text);
    return TM_OK;
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
        const char *setting = setting_name(b.copy.sent);
        if (setting)
            snprintf(sent, sizeof(sent), "%s", setting);
        else if (!special_name(b.target.store, b.target.account_id, sent, sizeof(sent)))
            snprintf(sent, sizeof(sent), "Sent");
        sent_to = sent;
    }
    if (!st)
        st = core_outbox_queue(b.target.store, b.copy.name, sent_to, d, aliases, o->hostname, &id,
                               err);
    if (!st)
        st = batch_send(&b, id, err);
    batch_close(&b);
    return st;
}

enum tm_status tm_core_flush_outbox(const struct tm_core_send_options *o, int *sent, int *failed,
                                    void (*report)(void *ctx, const char *text), void *ctx,
                                    struct tm_error *err)
{
    struct batch b;
    *sent = *failed = 0;
    enum tm_status st = batch_open(&b, o, err);
    int64_t tried[256];
    size_t ntried = 0;
    while (!st && ntried < sizeof(tried) / sizeof(tried[0])) {
        int64_t id;
        /* every queued row is due now: the person asked for it */
        enum tm_status nst =
            tm_store_outbox_next(b.target.store, b.copy.name, INT64_MAX / 2, &id, NULL, err);
        if (nst == TM_ENOENT)
            break;
        if ((st = nst))
            break;
        bool seen = false;
        for (size_t i = 0; i < ntried; i++)
            seen |= tried[i] == id;
        if (seen)
            break;
        tried[ntried++] = id;
        struct tm_error one;
        tm_error_clear(&one);
        enum tm_status s1 = batch_send(&b, id, &one);
        if (s1)
            (*failed)++;
        else
            (*sent)++;
        if (report && one.message[0])
            report(ctx, one.message);
        if (s1 == TM_ENET || s1 == TM_ESTORE)
            break; /* the others would fail the same way */
    }
    batch_close(&b);
    return st;
}
