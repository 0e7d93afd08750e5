/* test_fsutil.c - bounded file reads, tree copies, mkdir -p, XDG directories, error records. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tm_test.h"
#include "tmail/fsutil.h"
#include "tmail/xdg.h"

static void join(char *out, size_t size, const char *dir, const char *name)
{
    if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
        abort(); /* test paths are short */
}

/* The temporary name tm_fs_copy_tree uses while it copies into dst. */
static void tmp_name_of(char *out, size_t size, const char *dst)
{
    if (snprintf(out, size, "%s.tmp-%ld", dst, (long)getpid()) >= (int)size)
        abort();
}

/* Writes len bytes of data to dir/name with mode; returns 0 on success. */
static int write_file(const char *dir, const char *name, const char *data, size_t len, int mode)
{
    char path[4096];
    join(path, sizeof(path), dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, len);
    close(fd);
    chmod(path, (mode_t)mode); /* not reduced by the umask */
    return n == (ssize_t)len ? 0 : -1;
}

static int mode_of(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return -1;
    return (int)(sb.st_mode & 07777);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Restores an environment variable when a test is done with it. */
struct saved_env {
    const char *name;
    char *value;
};

static struct saved_env env_save(const char *name)
{
    const char *v = getenv(name);
    return (struct saved_env){name, v ? strdup(v) : NULL};
}

static void env_restore(struct saved_env *s)
{
    if (s->value)
        setenv(s->name, s->value, 1);
    else
        unsetenv(s->name);
    free(s->value);
    s->value = NULL;
}

TM_TEST(read_file_whole)
{
    const char *dir = tm_test_tmpdir();
    TM_CHECK_INT(write_file(dir, "f", "hello\0world", 11, 0600), 0);
    char path[4096];
    join(path, sizeof(path), dir, "f");
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 0);
    tm_error_clear(&err);
    TM_CHECK_INT(tm_fs_read_file(path, 11, 0, &b, &err), TM_OK);
    TM_CHECK_INT(b.len, 11);
    TM_CHECK(memcmp(b.data, "hello\0world", 12) == 0);
    tm_buf_cleanup(&b);
}

TM_TEST(read_file_larger_than_max_is_elimit)
{
    const char *dir = tm_test_tmpdir();
    TM_CHECK_INT(write_file(dir, "f", "0123456789", 10, 0600), 0);
    char path[4096];
    join(path, sizeof(path), dir, "f");
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 0);
    tm_error_clear(&err);
    TM_CHECK_INT(tm_fs_read_file(path, 9, 0, &b, &err), TM_ELIMIT);
    TM_CHECK_INT(err.status, TM_ELIMIT);
    TM_CHECK(strstr(err.message, path) != NULL);
    tm_buf_cleanup(&b);
}

TM_TEST(read_file_stop_at_max_reads_prefix)
{
    const char *dir = tm_test_tmpdir();
    TM_CHECK_INT(write_file(dir, "f", "0123456789", 10, 0600), 0);
    char path[4096];
    join(path, sizeof(path), dir, "f");
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_fs_read_file(path, 4, 1, &b, NULL), TM_OK);
    TM_CHECK_STR(b.data, "0123");
    tm_buf_reset(&b);
    TM_CHECK_INT(tm_fs_read_file(path, 100, 1, &b, NULL), TM_OK);
    TM_CHECK_STR(b.data, "0123456789");
    tm_buf_cleanup(&b);
}

TM_TEST(read_file_large_file_across_chunks)
{
    const char *dir = tm_test_tmpdir();
    size_t size = 100000;
    char *data = malloc(size);
    TM_CHECK(data != NULL);
    for (size_t i = 0; i < size; i++)
        data[i] = (char)('A' + i % 23);
    int wrote = write_file(dir, "big", data, size, 0600);
    char path[4096];
    join(path, sizeof(path), dir, "big");
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status whole = tm_fs_read_file(path, size, 0, &b, NULL);
    int same = b.len == size && memcmp(b.data, data, size) == 0;
    tm_buf_reset(&b);
    enum tm_status prefix = tm_fs_read_file(path, 20000, 1, &b, NULL);
    int prefix_same = b.len == 20000 && memcmp(b.data, data, 20000) == 0;
    tm_buf_reset(&b);
    enum tm_status over = tm_fs_read_file(path, size - 1, 0, &b, NULL);
    free(data);
    tm_buf_cleanup(&b);
    TM_CHECK_INT(wrote, 0);
    TM_CHECK_INT(whole, TM_OK);
    TM_CHECK(same);
    TM_CHECK_INT(prefix, TM_OK);
    TM_CHECK(prefix_same);
    TM_CHECK_INT(over, TM_ELIMIT);
}

TM_TEST(read_file_output_buffer_limit_is_elimit)
{
    const char *dir = tm_test_tmpdir();
    TM_CHECK_INT(write_file(dir, "f", "0123456789", 10, 0600), 0);
    char path[4096];
    join(path, sizeof(path), dir, "f");
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 5);
    tm_error_clear(&err);
    TM_CHECK_INT(tm_fs_read_file(path, 100, 0, &b, &err), TM_ELIMIT);
    TM_CHECK_INT(err.status, TM_ELIMIT);
    TM_CHECK(strstr(err.message, "memory") == NULL);
    tm_buf_cleanup(&b);
}

TM_TEST(read_file_missing_is_enoent)
{
    const char *dir = tm_test_tmpdir();
    char path[4096];
    join(path, sizeof(path), dir, "nope");
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 0);
    tm_error_clear(&err);
    TM_CHECK_INT(tm_fs_read_file(path, 100, 0, &b, &err), TM_ENOENT);
    TM_CHECK_INT(err.status, TM_ENOENT);
    TM_CHECK(strstr(err.message, "nope") != NULL);
    TM_CHECK(strstr(err.message, strerror(ENOENT)) != NULL);
    tm_buf_cleanup(&b);
}

TM_TEST(mkdirs_creates_every_level)
{
    const char *dir = tm_test_tmpdir();
    char path[4096];
    join(path, sizeof(path), dir, "a/b/c");
    TM_CHECK_INT(tm_fs_mkdirs(path, 0700, NULL), TM_OK);
    TM_CHECK(is_dir(path));
    TM_CHECK_INT(mode_of(path), 0700);
    /* Again: existing directories are fine, and a trailing slash too. */
    TM_CHECK_INT(tm_fs_mkdirs(path, 0700, NULL), TM_OK);
    join(path, sizeof(path), dir, "a/b/c/d/");
    TM_CHECK_INT(tm_fs_mkdirs(path, 0700, NULL), TM_OK);
    join(path, sizeof(path), dir, "a/b/c/d");
    TM_CHECK(is_dir(path));
}

TM_TEST(mkdirs_fails_when_a_file_is_in_the_way)
{
    const char *dir = tm_test_tmpdir();
    TM_CHECK_INT(write_file(dir, "file", "x", 1, 0600), 0);
    char path[4096];
    struct tm_error err;
    tm_error_clear(&err);
    join(path, sizeof(path), dir, "file/sub");
    TM_CHECK(tm_fs_mkdirs(path, 0700, &err) != TM_OK);
    TM_CHECK(err.message[0] != 0);
    join(path, sizeof(path), dir, "file");
    TM_CHECK(tm_fs_mkdirs(path, 0700, NULL) != TM_OK);
    TM_CHECK(tm_fs_mkdirs("", 0700, NULL) != TM_OK);
}

TM_TEST(copy_tree_copies_with_private_modes)
{
    const char *dir = tm_test_tmpdir();
    char src[4096], dst[4096], p[4096];
    join(src, sizeof(src), dir, "src");
    join(p, sizeof(p), src, "cur/deep");
    TM_CHECK_INT(tm_fs_mkdirs(p, 0755, NULL), TM_OK);
    join(p, sizeof(p), src, "new");
    TM_CHECK_INT(mkdir(p, 0755), 0);
    TM_CHECK_INT(chmod(src, 0755), 0);
    TM_CHECK_INT(write_file(src, "top", "T", 1, 0644), 0);
    TM_CHECK_INT(write_file(src, "cur/msg1", "Subject: a\n\nbody\n", 17, 0644), 0);
    TM_CHECK_INT(write_file(src, "cur/deep/empty", "", 0, 0666), 0);
    join(p, sizeof(p), src, "link");
    TM_CHECK_INT(symlink("/etc/passwd", p), 0);

    join(dst, sizeof(dst), dir, "dst");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(tm_fs_copy_tree(src, dst, &err), TM_OK);

    TM_CHECK_INT(mode_of(dst), 0700);
    join(p, sizeof(p), dst, "cur");
    TM_CHECK_INT(mode_of(p), 0700);
    join(p, sizeof(p), dst, "cur/deep");
    TM_CHECK_INT(mode_of(p), 0700);
    join(p, sizeof(p), dst, "new");
    TM_CHECK_INT(mode_of(p), 0700);
    join(p, sizeof(p), dst, "top");
    TM_CHECK_INT(mode_of(p), 0600);
    join(p, sizeof(p), dst, "cur/deep/empty");
    TM_CHECK_INT(mode_of(p), 0600);
    join(p, sizeof(p), dst, "cur/msg1");
    TM_CHECK_INT(mode_of(p), 0600);
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = tm_fs_read_file(p, 1000, 0, &b, NULL);
    int same = st == TM_OK && b.len == 17 && memcmp(b.data, "Subject: a\n\nbody\n", 17) == 0;
    tm_buf_cleanup(&b);
    TM_CHECK(same);
    /* Symlinks are not followed or copied. */
    join(p, sizeof(p), dst, "link");
    TM_CHECK_INT(mode_of(p), -1);
    /* No temporary directory is left next to dst. */
    tmp_name_of(p, sizeof(p), dst);
    TM_CHECK_INT(mode_of(p), -1);
}

TM_TEST(copy_tree_refuses_existing_destination)
{
    const char *dir = tm_test_tmpdir();
    char src[4096], dst[4096], p[4096];
    join(src, sizeof(src), dir, "src");
    TM_CHECK_INT(mkdir(src, 0700), 0);
    TM_CHECK_INT(write_file(src, "new-file", "N", 1, 0600), 0);

    /* An existing empty directory must not be silently replaced. */
    join(dst, sizeof(dst), dir, "empty-dst");
    TM_CHECK_INT(mkdir(dst, 0700), 0);
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK(tm_fs_copy_tree(src, dst, &err) != TM_OK);
    TM_CHECK(err.message[0] != 0);
    join(p, sizeof(p), dst, "new-file");
    TM_CHECK_INT(mode_of(p), -1);

    /* A non-empty directory keeps its contents. */
    join(dst, sizeof(dst), dir, "full-dst");
    TM_CHECK_INT(mkdir(dst, 0700), 0);
    TM_CHECK_INT(write_file(dst, "keep", "K", 1, 0600), 0);
    TM_CHECK(tm_fs_copy_tree(src, dst, NULL) != TM_OK);
    join(p, sizeof(p), dst, "keep");
    TM_CHECK_INT(mode_of(p), 0600);
    join(p, sizeof(p), dst, "new-file");
    TM_CHECK_INT(mode_of(p), -1);

    /* A file in the way. */
    TM_CHECK_INT(write_file(dir, "file-dst", "F", 1, 0600), 0);
    join(dst, sizeof(dst), dir, "file-dst");
    TM_CHECK(tm_fs_copy_tree(src, dst, NULL) != TM_OK);
    TM_CHECK_INT(mode_of(dst), 0600);

    /* Nothing half-made is left behind. */
    tmp_name_of(p, sizeof(p), dst);
    TM_CHECK_INT(mode_of(p), -1);
}

TM_TEST(copy_tree_missing_source_fails_cleanly)
{
    const char *dir = tm_test_tmpdir();
    char src[4096], dst[4096], p[4096];
    join(src, sizeof(src), dir, "absent");
    join(dst, sizeof(dst), dir, "dst");
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK(tm_fs_copy_tree(src, dst, &err) != TM_OK);
    TM_CHECK(err.message[0] != 0);
    TM_CHECK_INT(mode_of(dst), -1);
    tmp_name_of(p, sizeof(p), dst);
    TM_CHECK_INT(mode_of(p), -1);
}

TM_TEST(xdg_dir_honours_absolute_env)
{
    const char *dir = tm_test_tmpdir();
    struct saved_env saved = env_save("XDG_CACHE_HOME");
    char base[4096], expect[4096], out[4096];
    join(base, sizeof(base), dir, "cache");
    setenv("XDG_CACHE_HOME", base, 1);
    enum tm_status st = tm_xdg_dir(TM_XDG_CACHE, 1, out, sizeof(out), NULL);
    env_restore(&saved);
    TM_CHECK_INT(st, TM_OK);
    join(expect, sizeof(expect), base, "tmail");
    TM_CHECK_STR(out, expect);
    TM_CHECK(is_dir(out));
    TM_CHECK_INT(mode_of(out), 0700);
}

TM_TEST(xdg_dir_ignores_relative_and_empty_values)
{
    const char *dir = tm_test_tmpdir();
    struct saved_env saved_cache = env_save("XDG_CACHE_HOME");
    struct saved_env saved_home = env_save("HOME");
    char expect[4096], out1[4096], out2[4096];
    setenv("HOME", dir, 1);
    setenv("XDG_CACHE_HOME", "relative/cache", 1);
    enum tm_status st1 = tm_xdg_dir(TM_XDG_CACHE, 0, out1, sizeof(out1), NULL);
    setenv("XDG_CACHE_HOME", "", 1);
    enum tm_status st2 = tm_xdg_dir(TM_XDG_CACHE, 0, out2, sizeof(out2), NULL);
    env_restore(&saved_cache);
    env_restore(&saved_home);
    join(expect, sizeof(expect), dir, ".cache/tmail");
    TM_CHECK_INT(st1, TM_OK);
    TM_CHECK_STR(out1, expect);
    TM_CHECK_INT(st2, TM_OK);
    TM_CHECK_STR(out2, expect);
    TM_CHECK_INT(mode_of(expect), -1); /* create == 0 made nothing */
}

TM_TEST(xdg_dir_fallbacks_per_kind)
{
    const char *dir = tm_test_tmpdir();
    const char *vars[] = {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "HOME"};
    struct saved_env saved[4];
    for (int i = 0; i < 4; i++)
        saved[i] = env_save(vars[i]);
    for (int i = 0; i < 3; i++)
        unsetenv(vars[i]);
    setenv("HOME", dir, 1);
    char c[4096], d[4096], s[4096], e[4096];
    enum tm_status st = tm_xdg_dir(TM_XDG_CONFIG, 0, c, sizeof(c), NULL);
    if (!st)
        st = tm_xdg_dir(TM_XDG_DATA, 0, d, sizeof(d), NULL);
    if (!st)
        st = tm_xdg_dir(TM_XDG_STATE, 1, s, sizeof(s), NULL);
    for (int i = 0; i < 4; i++)
        env_restore(&saved[i]);
    TM_CHECK_INT(st, TM_OK);
    join(e, sizeof(e), dir, ".config/tmail");
    TM_CHECK_STR(c, e);
    join(e, sizeof(e), dir, ".local/share/tmail");
    TM_CHECK_STR(d, e);
    join(e, sizeof(e), dir, ".local/state/tmail");
    TM_CHECK_STR(s, e);
    TM_CHECK(is_dir(s));
}

TM_TEST(xdg_dir_needs_absolute_home)
{
    struct saved_env saved_cache = env_save("XDG_CACHE_HOME");
    struct saved_env saved_home = env_save("HOME");
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "relative", 1);
    char out[4096];
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = tm_xdg_dir(TM_XDG_CACHE, 0, out, sizeof(out), &err);
    unsetenv("HOME");
    enum tm_status st2 = tm_xdg_dir(TM_XDG_CACHE, 0, out, sizeof(out), NULL);
    env_restore(&saved_cache);
    env_restore(&saved_home);
    TM_CHECK_INT(st, TM_ECONFIG);
    TM_CHECK_INT(err.status, TM_ECONFIG);
    TM_CHECK_INT(st2, TM_ECONFIG);
}

TM_TEST(xdg_dir_too_small_output_is_elimit)
{
    struct saved_env saved = env_save("XDG_CACHE_HOME");
    setenv("XDG_CACHE_HOME", "/tmp/some/long/path", 1);
    char out[10];
    enum tm_status st = tm_xdg_dir(TM_XDG_CACHE, 0, out, sizeof(out), NULL);
    env_restore(&saved);
    TM_CHECK_INT(st, TM_ELIMIT);
}

TM_TEST(error_helpers_fill_record)
{
    struct tm_error err;
    tm_error_clear(&err);
    TM_CHECK_INT(err.status, TM_OK);
    TM_CHECK_STR(err.message, "");
    TM_CHECK_INT(tm_error_set(&err, TM_EPROTO, "bad %s %d", "line", 3), TM_EPROTO);
    TM_CHECK_INT(err.status, TM_EPROTO);
    TM_CHECK_STR(err.message, "bad line 3");
    TM_CHECK_INT(tm_error_errno(&err, TM_EIO, ENOENT, "open %s", "x"), TM_EIO);
    char expect[600];
    snprintf(expect, sizeof(expect), "open x: %s", strerror(ENOENT));
    TM_CHECK_STR(err.message, expect);
    TM_CHECK_INT(tm_error_set(NULL, TM_EIO, "ignored"), TM_EIO);
    TM_CHECK_INT(tm_error_errno(NULL, TM_ENET, EPIPE, "ignored"), TM_ENET);
    tm_error_clear(NULL);
    TM_CHECK_STR(tm_status_name(TM_ELIMIT), "TM_ELIMIT");
    TM_CHECK_STR(tm_status_name(TM_OK), "TM_OK");
    TM_CHECK_STR(tm_status_name((enum tm_status)999), "TM_E?");
}
