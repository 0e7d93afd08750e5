/* fsutil.c - bounded file reads, recursive directory copy, mkdir -p. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmail/fsutil.h"
#include "tmail/i18n.h"

enum tm_status tm_fs_read_file(const char *path, size_t max, int stop_at_max, struct tm_buf *out,
                               struct tm_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tm_error_errno(err, errno == ENOENT ? TM_ENOENT : TM_EIO, errno, _("cannot open %s"),
                              path);
    enum tm_status st = TM_OK;
    size_t total = 0;
    char chunk[16384];
    for (;;) {
        size_t want = sizeof(chunk);
        if (stop_at_max && max - total < want)
            want = max - total;
        if (want == 0)
            break;
        ssize_t n = read(fd, chunk, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            st = tm_error_errno(err, TM_EIO, errno, _("cannot read %s"), path);
            break;
        }
        if (n == 0)
            break;
        if (!stop_at_max && total + (size_t)n > max) {
            st = tm_error_set(err, TM_ELIMIT, _("%s is larger than %zu bytes"), path, max);
            break;
        }
        st = tm_buf_append(out, chunk, (size_t)n);
        if (st) {
            if (st == TM_ELIMIT)
                tm_error_set(err, st, _("%s does not fit in the buffer's size limit"), path);
            else
                tm_error_set(err, st, _("out of memory reading %s"), path);
            break;
        }
        total += (size_t)n;
    }
    close(fd);
    return st;
}

enum tm_status tm_fs_mkdirs(const char *path, unsigned mode, struct tm_error *err)
{
    char tmp[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof(tmp))
        return tm_error_set(err, TM_ELIMIT, _("bad directory path"));
    memcpy(tmp, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (tmp[i] != '/' && tmp[i] != 0)
            continue;
        char saved = tmp[i];
        tmp[i] = 0;
        if (mkdir(tmp, mode) != 0) {
            int e = errno;
            struct stat sb;
            /* EEXIST is fine only for a directory: a file in the way is an error. */
            if (e == EEXIST && stat(tmp, &sb) != 0)
                e = errno;
            else if (e == EEXIST && !S_ISDIR(sb.st_mode))
                e = ENOTDIR;
            if (e != EEXIST)
                return tm_error_errno(err, TM_EIO, e, _("cannot create directory %s"), tmp);
        }
        tmp[i] = saved;
    }
    return TM_OK;
}

static enum tm_status copy_file(const char *src, const char *dst, struct tm_error *err)
{
    struct tm_buf data;
    tm_buf_init(&data, 0);
    enum tm_status st = tm_fs_read_file(src, TM_BUF_DEFAULT_LIMIT, 0, &data, err);
    if (st)
        goto out;
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), dst);
        goto out;
    }
    size_t off = 0;
    while (off < data.len) {
        ssize_t n = write(fd, data.data + off, data.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = tm_error_errno(err, TM_EIO, errno, _("cannot write %s"), dst);
            break;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0 && !st)
        st = tm_error_errno(err, TM_EIO, errno, _("cannot write %s"), dst);
out:
    tm_buf_cleanup(&data);
    return st;
}

static enum tm_status copy_dir(const char *src, const char *dst, struct tm_error *err)
{
    if (mkdir(dst, 0700) != 0)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create directory %s"), dst);
    DIR *d = opendir(src);
    if (!d)
        return tm_error_errno(err, TM_EIO, errno, _("cannot open directory %s"), src);
    enum tm_status st = TM_OK;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char s[4096], t[4096];
        if (snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= (int)sizeof(s) ||
            snprintf(t, sizeof(t), "%s/%s", dst, e->d_name) >= (int)sizeof(t)) {
            st = tm_error_set(err, TM_ELIMIT, _("path too long under %s"), src);
            break;
        }
        struct stat sb;
        if (lstat(s, &sb) != 0) {
            st = tm_error_errno(err, TM_EIO, errno, _("cannot read %s"), s);
        } else if (S_ISDIR(sb.st_mode)) {
            st = copy_dir(s, t, err);
        } else if (S_ISREG(sb.st_mode)) {
            st = copy_file(s, t, err);
        }
    }
    closedir(d);
    return st;
}

/* Removes a tree this process made; best effort, errors ignored. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) < (int)sizeof(sub))
                remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

enum tm_status tm_fs_copy_tree(const char *src, const char *dst, struct tm_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dst, (long)getpid()) >= (int)sizeof(tmp))
        return tm_error_set(err, TM_ELIMIT, _("path too long: %s"), dst);
    /* rename() would silently replace an empty directory at dst, so refuse it before copying. */
    struct stat sb;
    if (lstat(dst, &sb) == 0)
        return tm_error_errno(err, TM_EIO, EEXIST, _("cannot copy to %s"), dst);
    enum tm_status st = copy_dir(src, tmp, err);
    if (!st && rename(tmp, dst) != 0)
        st = tm_error_errno(err, TM_EIO, errno, _("cannot rename %s to %s"), tmp, dst);
    if (st)
        remove_tree(tmp); /* leave no half-made copy behind */
    return st;
}
