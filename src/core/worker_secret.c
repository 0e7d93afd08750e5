/* worker_secret.c - the secrets a worker's backend asks for: the account password through the
 * session's credential cache (password_cmd once, or the configured password), and an OAuth
 * token from oauth_token_cmd (run again after the server refused the last one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/credentials.h"
#include "tmail/i18n.h"

#define TOKEN_MAX     16384
#define TOKEN_TIMEOUT 30000 /* ms */

static void wipe_free(char **s)
{
    if (*s) {
        explicit_bzero(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

static enum tm_status run_token_cmd(struct worker_secrets *ws, struct tm_error *err)
{
    struct tm_buf out;
    tm_buf_init(&out, TOKEN_MAX);
    if (tm_buf_reserve(&out, TOKEN_MAX - 1))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    int status = core_run_command(ws->account->oauth_token_cmd, -1, false, &out, TOKEN_TIMEOUT);
    enum tm_status st = TM_OK;
    if (out.data)
        out.data[strcspn(out.data, "\r\n")] = 0;
    if (status != 0)
        st =
            tm_error_set(err, TM_EAUTH, _("account %s: oauth_token_cmd failed"), ws->account->name);
    else if (!out.data || !out.data[0])
        st = tm_error_set(err, TM_EAUTH, _("account %s: oauth_token_cmd printed nothing"),
                          ws->account->name);
    else if (!(ws->token = strdup(out.data)))
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (out.data)
        explicit_bzero(out.data, out.cap);
    tm_buf_cleanup(&out);
    return st;
}

/* The credential cache's prompt: asks the UI (an event) and waits for tm_core_answer_secret, or
 * for the worker to be stopped. Runs on the worker thread. */
static char *ask_ui(void *ctx, const char *account_name)
{
    struct worker *w = ctx;
    pthread_mutex_lock(&w->lock);
    w->secret_answered = false;
    pthread_mutex_unlock(&w->lock);
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_SECRET;
    ev.account_id = w->account_id;
    snprintf(ev.text, sizeof(ev.text), "%s", account_name);
    event_queue_push(w->events, &ev);
    pthread_mutex_lock(&w->lock);
    while (!w->secret_answered && !w->cancel)
        pthread_cond_wait(&w->wake, &w->lock);
    char *answer = w->secret_answer;
    w->secret_answer = NULL;
    pthread_mutex_unlock(&w->lock);
    return answer;
}

enum tm_status worker_secret(void *ctx, enum tm_secret kind, const char **secret,
                             struct tm_error *err)
{
    struct worker_secrets *ws = ctx;
    if (kind == TM_SECRET_PASSWORD) {
        if (!ws->creds && !(ws->creds = tm_credentials_new(ws->ask ? ask_ui : NULL, ws->ask)))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        return tm_credentials_password(ws->creds, ws->account, secret, err);
    }
    if (!ws->token) {
        enum tm_status st = run_token_cmd(ws, err);
        if (st)
            return st;
    }
    *secret = ws->token;
    return TM_OK;
}

void worker_secret_forget(void *ctx, enum tm_secret kind)
{
    struct worker_secrets *ws = ctx;
    if (kind == TM_SECRET_PASSWORD && ws->creds)
        tm_credentials_forget(ws->creds, ws->account->name);
    else if (kind == TM_SECRET_OAUTH_TOKEN)
        wipe_free(&ws->token);
}

void worker_secrets_cleanup(struct worker_secrets *ws)
{
    tm_credentials_free(&ws->creds);
    wipe_free(&ws->token);
}
