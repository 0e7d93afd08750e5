/* credentials.h - account passwords for the network backends: from password_cmd (run once per
 * session), the config file's password, or a prompt the UI answers. Kept only in memory, wiped
 * when released; never logged, cached on disk or put into an error message. */
#ifndef TMAIL_CREDENTIALS_H
#define TMAIL_CREDENTIALS_H

#include <stdbool.h>

#include "tmail/status.h"

struct tm_account;
struct tm_credentials;

/* Asks the person for account's password (the UI, without echo); returns a malloc'd string or
 * NULL when they cancel. */
typedef char *(*tm_password_prompt_fn)(void *ctx, const char *account_name);

/* A session's cache; prompt may be NULL (then a missing password is TM_EAUTH). */
struct tm_credentials *tm_credentials_new(tm_password_prompt_fn prompt, void *prompt_ctx);
/* Wipes every password and frees the cache. Accepts NULL. */
void tm_credentials_free(struct tm_credentials **pp);

/* The password of acct: the cached one, else password_cmd's first output line (the command runs
 * at most once per session; 30 s limit), else the configured password, else the prompt. The
 * returned string is borrowed from the cache until tm_credentials_forget or _free. */
enum tm_status tm_credentials_password(struct tm_credentials *c, const struct tm_account *acct,
                                       const char **password, struct tm_error *err);

/* Drops the cached password of account_name (after the server refused it), so the next call asks
 * again: password_cmd runs again only then. */
void tm_credentials_forget(struct tm_credentials *c, const char *account_name);

#endif
