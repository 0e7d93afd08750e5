/* mailcap_view.c - shows a text part through the user's mailcap (RFC 1524): the first
 * copiousoutput entry for its type whose test passes runs on a private temporary file, and its
 * output (bounded in size and time) replaces tmail's own rendering. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/core.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/mailcap.h"

#define VIEWER_OUTPUT_MAX ((size_t)16 * 1024 * 1024)
#define MAILCAP_FILE_MAX  ((size_t)1024 * 1024)

enum tm_status tm_core_mailcap_load(const char *paths, struct tm_mailcap *mc, struct tm_error *err)
{
    const char *home = getenv("HOME");
    const char *list = paths && *paths ? paths : "~/.mailcap:/etc/mailcap";
    enum tm_status st = TM_OK;
    while (*list && !st) {
        size_t n = strcspn(list, ":");
        char path[4096];
        if (n > 1 && list[0] == '~' && list[1] == '/' && home)
            snprintf(path, sizeof(path), "%s%.*s", home, (int)(n - 1), list + 1);
        else
            snprintf(path, sizeof(path), "%.*s", (int)n, list);
        struct tm_buf text;
        tm_buf_init(&text, MAILCAP_FILE_MAX);
        if (n && tm_fs_read_file(path, MAILCAP_FILE_MAX, 0, &text, NULL) == TM_OK && text.data)
            st = tm_mailcap_parse(mc, text.data, text.len, NULL); /* a missing file is fine */
        tm_buf_cleanup(&text);
        list += n + (list[n] == ':');
    }
    return st ? tm_error_set(err, st, _("out of memory reading mailcap files")) : TM_OK;
}

static const char *param_charset(const char *name, void *ctx)
{
    return strcmp(name, "charset") == 0 ? ctx : NULL;
}

/* A private temporary file holding payload, named after nametemplate's suffix (".html"). */
static int write_temp(const struct tm_mailcap_entry *e, const char *payload, size_t len, char *path,
                      size_t size)
{
    const char *tmp = getenv("TMPDIR");
    const char *suffix =
        e->nametemplate && strstr(e->nametemplate, "%s") ? strstr(e->nametemplate, "%s") + 2 : "";
    size_t slen = strspn(suffix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.");
    if (slen > 16)
        slen = 16;
    snprintf(path, size, "%s/tmail-XXXXXX%.*s", tmp && tmp[0] == '/' ? tmp : "/tmp", (int)slen,
             suffix);
    int fd = mkstemps(path, (int)slen); /* mode 0600 */
    if (fd < 0)
        return -1;
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, payload + off, len - off);
        if (n <= 0 && errno != EINTR) {
            close(fd);
            unlink(path);
            return -1;
        }
        off += n > 0 ? (size_t)n : 0;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* Runs entry e on the payload; TM_OK with its output in out. */
static enum tm_status run_entry(const struct tm_mailcap_entry *e, const char *type,
                                const char *charset, const char *payload, size_t len,
                                int timeout_ms, struct tm_buf *out)
{
    char path[4096];
    struct tm_buf cmd;
    bool uses_file = false;
    int fd = write_temp(e, payload, len, path, sizeof(path));
    if (fd < 0)
        return TM_EIO;
    enum tm_status st = TM_ENOTSUP;
    tm_buf_init(&cmd, 64 * 1024);
    if (e->test) { /* e.g. test=test -n "$DISPLAY": an entry for another situation */
        if (tm_mailcap_expand(e->test, path, type, param_charset, (void *)charset, &cmd, NULL) ||
            core_run_command(cmd.data, fd, true, NULL, 5000) != 0)
            goto out;
        tm_buf_reset(&cmd);
        lseek(fd, 0, SEEK_SET);
    }
    if (tm_mailcap_expand(e->view, path, type, param_charset, (void *)charset, &cmd, &uses_file) ==
            TM_OK &&
        core_run_command(cmd.data, fd, true, out, timeout_ms) >= 0)
        st = TM_OK;
out:
    tm_buf_cleanup(&cmd);
    close(fd);
    unlink(path);
    return st;
}

enum tm_status tm_core_mailcap_viewer(void *ctx, const char *type, const char *charset,
                                      const char *payload, size_t len, struct tm_buf *out)
{
    const struct tm_mailcap_viewer *v = ctx;
    const struct tm_mailcap *mc = v ? v->mailcap : NULL;
    int timeout_ms = v && v->timeout_ms > 0 ? v->timeout_ms : 10000;
    size_t from = 0, start = out->len;
    const struct tm_mailcap_entry *e;
    while (mc && (e = tm_mailcap_find(mc, type, TM_MAILCAP_COPIOUSOUTPUT, &from)) != NULL) {
        if (!e->view || !e->view[0])
            continue;
        if (run_entry(e, type, charset, payload, len, timeout_ms, out) == TM_OK)
            return TM_OK;
        out->len = start; /* nothing half-written from a failed entry */
        if (out->data)
            out->data[start] = 0;
    }
    return TM_ENOTSUP;
}
