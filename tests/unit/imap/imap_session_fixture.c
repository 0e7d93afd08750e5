/* imap_session_fixture.c - the shared fixture of the IMAP session transcript tests. */
#include "imap_session_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmail/store.h"

static enum tm_status give_secret(void *ctx, enum tm_secret kind, const char **secret,
                                  struct tm_error *err)
{
    (void)kind, (void)err;
    struct fx *f = ctx;
    f->secret_calls++;
    *secret = "secret";
    return TM_OK;
}

void fx_open(struct fx *f, enum tm_url_scheme scheme)
{
    memset(f, 0, sizeof(*f));
    char path[600];
    static int n;
    snprintf(path, sizeof(path), "%s/imap-session-%d.sqlite", tm_test_tmpdir(), ++n);
    remove(path);
    TM_CHECK(tm_store_open(path, &f->store, NULL) == TM_OK);
    TM_CHECK(tm_store_account_ensure(f->store, "t", "imap://x", &f->account_id, NULL) == TM_OK);
    TM_CHECK(tm_store_mailbox_ensure(f->store, f->account_id, "INBOX", &f->inbox_id, NULL) ==
             TM_OK);
    f->acct.name = "t";
    f->acct.read.scheme = scheme;
    f->acct.read.host = "imap.example";
    f->acct.read.user = "alice";
    f->acct.read.port = scheme == TM_URL_IMAPS ? 993 : 143;
    f->acct.tls = TM_TLS_ON;
    f->acct.imap_idle = true;
    f->env = (struct tm_backend_env){
        .store = f->store, .wake_fd = -1, .secret = give_secret, .secret_ctx = f};
    struct tm_account_spec spec = {"t", "imap://x", f->account_id, &f->acct};
    TM_CHECK(tm_imap_ops.open(&f->env, &spec, &f->s, NULL) == TM_OK);
}

void fx_script(struct fx *f, const char *script)
{
    tm_stream_close(&f->s->stream);
    TM_CHECK(tm_stream_scripted_new(script, &f->s->stream, NULL) == TM_OK);
}

void fx_finish(struct fx *f)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (f->s->stream && tm_stream_scripted_finish(f->s->stream, &err) != TM_OK)
        tm_test_fail(__FILE__, __LINE__, "script not finished: %s", err.message);
}

void fx_close(struct fx *f)
{
    if (f->s) {
        tm_stream_close(&f->s->stream); /* no LOGOUT into a finished script */
        tm_imap_ops.close(&f->s);
    }
    tm_store_free(&f->store);
}

void fx_first_sync(struct fx *f)
{
    fx_script(f, GREETING_STARTTLS STARTTLS_DONE LOGIN_DONE SELECT_FRESH
              "C: t6 UID FETCH 1:* (" FETCH_NEW_CMD ")\n"
              "S: * 1 FETCH (UID 1 FLAGS (\\Seen) RFC822.SIZE 100 INTERNALDATE "
              "\"02-Nov-2026 10:00:00 +0000\" " HDR " {16}\n"
              "S: Subject: one\n"
              "S: \n"
              "S: )\n"
              "S: * 2 FETCH (UID 2 FLAGS () RFC822.SIZE 200 " HDR " {54}\n"
              "S: Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
              "S: Subject: two\n"
              "S: \n"
              "S: )\n"
              "S: t6 OK Fetch completed\n");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(imap_handshake(f->s, &err), TM_OK);
    struct tm_sync_result res = {0};
    TM_CHECK_INT(tm_imap_ops.sync_mailbox(f->s, "INBOX", f->inbox_id, &res, &err), TM_OK);
    TM_CHECK_INT(res.added, 2);
    fx_finish(f);
}

int64_t fx_message_id(struct fx *f, int64_t uid)
{
    int64_t id = 0;
    if (tm_store_message_find_uid(f->store, f->inbox_id, uid, &id, NULL, NULL) != TM_OK)
        return 0;
    return id;
}

void fx_caps_set(struct fx *f, enum imap_cap cap, bool on)
{
    if (on)
        f->s->caps.bits |= (uint64_t)1 << cap;
    else
        f->s->caps.bits &= ~((uint64_t)1 << cap);
}

int64_t fx_pending_count(struct fx *f)
{
    int64_t n = -1;
    tm_store_pending_count(f->store, f->account_id, &n, NULL);
    return n;
}

void fx_go_offline(struct fx *f)
{
    imap_disconnect(f->s);
    free(f->s->srv.host);
    f->s->srv.host = strdup("127.0.0.1");
    f->s->srv.port = 1;
}
