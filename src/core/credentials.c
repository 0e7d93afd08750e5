/* credentials.c - the session's password cache (see tmail/credentials.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* Reads fd until EOF, the cap or the deadline; false when the deadline passed. */
static bool read_all(int fd, char *buf, size_t cap, size_t *len)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    *len = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = PASSWORD_TIMEOUT -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return false;
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || (*len += (size_t)n) == cap)
            return true;
    }
}

/* Runs password_cmd; its first line, malloc'd, or NULL with err set (never with the output). */
static char *run_password_cmd(const struct tm_account *acct, struct tm_error *err)
{
    int fds[2];
    char buf[PASSWORD_MAX];
    size_t len = 0;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        tm_error_errno(err, TM_EIO, errno, _("account %s: cannot run password_cmd"), acct->name);
        return NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fds[1], STDOUT_FILENO);
        execl("/bin/sh", "sh", "-c", acct->password_cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    bool in_time = pid > 0 && read_all(fds[0], buf, sizeof(buf) - 1, &len);
    close(fds[0]);
    int status = -1;
    if (pid > 0) {
        if (!in_time)
            kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    buf[len] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    char *password = NULL;
    if (!in_time)
        tm_error_set(err, TM_EAUTH, _("account %s: password_cmd took too long"), acct->name);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tm_error_set(err, TM_EAUTH, _("account %s: password_cmd failed (exit status %d)"),
                     acct->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    else if (!buf[0])
        tm_error_set(err, TM_EAUTH, _("account %s: password_cmd printed nothing"), acct->name);
    else if (!(password = strdup(buf)))
        tm_error_set(err, TM_ENOMEM, _("out of memory"));
    explicit_bzero(buf, sizeof(buf));
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
