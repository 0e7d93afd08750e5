/* credentials.c - the session's password cache (see tmail/credentials.h). */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/config.h"
#include "tmail/credentials.h"
#include "tmail/i18n.h"

#define PASSWORD_MAX     4096
#define PASSWORD_TIMEOUT 30000 /* ms */

struct cached {
    char *account;
    char *password; /* wiped before it is freed */
};

struct tm_credentials {
    struct cached *items;
    size_t n, cap;
    tm_password_prompt_fn prompt;
    void *prompt_ctx;
};

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

struct tm_credentials *tm_credentials_new(tm_password_prompt_fn prompt, void *prompt_ctx)
{
    struct tm_credentials *c = calloc(1, sizeof(*c));
    if (c) {
        c->prompt = prompt;
        c->prompt_ctx = prompt_ctx;
    }
    return c;
}

void tm_credentials_free(struct tm_credentials **pp)
{
    struct tm_credentials *c = *pp;
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].account);
        wipe_free(c->items[i].password);
    }
    free(c->items);
    free(c);
    *pp = NULL;
}

void tm_credentials_forget(struct tm_credentials *c, const char *account_name)
{
    for (size_t i = 0; c && i < c->n; i++) {
        if (strcmp(c->items[i].account, account_name) == 0) {
            free(c->items[i].account);
            wipe_free(c->items[i].password);
            c->items[i] = c->items[--c->n];
            return;
        }
    }
}

/* Runs password_cmd; its first line, malloc'd, or NULL with err set (never with the output). */
static char *run_password_cmd(const struct tm_account *acct, struct tm_error *err)
{
    struct tm_buf out;
    tm_buf_init(&out, PASSWORD_MAX);
    if (tm_buf_reserve(&out, PASSWORD_MAX - 1)) { /* one allocation: no stray copies to wipe */
        tm_error_set(err, TM_ENOMEM, _("out of memory"));
        return NULL;
    }
    /* stdin and stderr stay the terminal's, for a pinentry or a "touch your key" line */
    int status = core_run_command(acct->password_cmd, -1, false, &out, PASSWORD_TIMEOUT);
    char *password = NULL;
    if (out.data)
        out.data[strcspn(out.data, "\r\n")] = 0;
    if (status < 0)
        tm_error_set(err, TM_EAUTH, _("account %s: password_cmd did not finish in time"),
                     acct->name);
    else if (status != 0)
        tm_error_set(err, TM_EAUTH, _("account %s: password_cmd failed (exit status %d)"),
                     acct->name, status);
    else if (!out.data || !out.data[0])
        tm_error_set(err, TM_EAUTH, _("account %s: password_cmd printed nothing"), acct->name);
    else if (!(password = strdup(out.data)))
        tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (out.data)
        explicit_bzero(out.data, out.cap);
    tm_buf_cleanup(&out);
    return password;
}

enum tm_status tm_credentials_password(struct tm_credentials *c, const struct tm_account *acct,
                                       const char **password, struct tm_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->items[i].account, acct->name) == 0) {
            *password = c->items[i].password;
            return TM_OK;
        }
    }
    char *secret = NULL;
    if (acct->password_cmd && acct->password_cmd[0]) {
        if (!(secret = run_password_cmd(acct, err)))
            return err ? err->status : TM_EAUTH;
    } else if (acct->password) {
        secret = strdup(acct->password);
    } else if (c->prompt) {
        secret = c->prompt(c->prompt_ctx, acct->name);
        if (!secret)
            return tm_error_set(err, TM_ECANCELED, _("account %s: no password given"), acct->name);
    } else {
        return tm_error_set(err, TM_EAUTH, _("account %s has no password_cmd or password"),
                            acct->name);
    }
    char *name = strdup(acct->name);
    if (!secret || !name || TM_ARRAY_RESERVE(c->items, c->n, c->cap, 4)) {
        wipe_free(secret);
        free(name);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    c->items[c->n++] = (struct cached){name, secret};
    *password = secret;
    return TM_OK;
}
