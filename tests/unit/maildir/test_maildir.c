/* test_maildir.c - the Maildir backend on small Maildirs built in a temporary directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/backend/maildir/private.h"
#include "tm_test.h"
#include "tmail/backend.h"
#include "tmail/flags.h"
#include "tmail/store.h"

#define MSG(subject) "From: Alice <alice@example.org>\nSubject: " subject "\n\nbody\n"

struct fixture {
    char root[512];
    struct tm_store *store;
    struct tm_backend_env env;
    struct tm_session *s;
    int64_t inbox;
    volatile int cancel;
    int progress_calls;
    int64_t last_done, last_total;
};

static void on_progress(void *ctx, const char *mailbox, int64_t done, int64_t total)
{
    struct fixture *f = ctx;
    (void)mailbox;
    f->progress_calls++;
    f->last_done = done;
    f->last_total = total;
}

static int make_maildir(const char *dir)
{
    char sub[800];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    static const char *const subs[] = {"cur", "new", "tmp"};
    for (int i = 0; i < 3; i++) {
        snprintf(sub, sizeof(sub), "%s/%s", dir, subs[i]);
        if (mkdir(sub, 0700) != 0)
            return -1;
    }
    return 0;
}

/* A Maildir at <tmp>/Mail, a store beside it and an open session; 0 on success. */
static int fixture_open(struct fixture *f)
{
    char db[600];
    int64_t acct = 0;
    memset(f, 0, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "%s/Mail", tm_test_tmpdir());
    snprintf(db, sizeof(db), "%s/../cache.sqlite", f->root);
    if (make_maildir(f->root) || tm_store_open(db, &f->store, NULL) ||
        tm_store_account_ensure(f->store, "local", f->root, &acct, NULL) ||
        tm_store_mailbox_ensure(f->store, acct, "INBOX", &f->inbox, NULL))
        return -1;
    f->env = (struct tm_backend_env){
        .store = f->store, .progress = on_progress, .progress_ctx = f, .cancel = &f->cancel};
    struct tm_account_spec spec = {"local", f->root, acct, NULL};
    return tm_maildir_ops.open(&f->env, &spec, &f->s, NULL) == TM_OK ? 0 : -1;
}

static void fixture_close(struct fixture *f)
{
    tm_maildir_ops.close(&f->s);
    tm_store_free(&f->store);
}

static int put_file(const char *root, const char *rel, const char *content)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fputs(content, fp);
    return fclose(fp);
}

static int exists(const char *root, const char *rel)
{
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    return stat(path, &sb) == 0;
}

static int move_file(const char *root, const char *from, const char *to)
{
    char a[1024], b[1024];
    snprintf(a, sizeof(a), "%s/%s", root, from);
    snprintf(b, sizeof(b), "%s/%s", root, to);
    return rename(a, b);
}

static enum tm_status sync_inbox(struct fixture *f, struct tm_sync_result *res)
{
    return tm_maildir_ops.sync_mailbox(f->s, "INBOX", f->inbox, res, NULL);
}

struct find_key {
    const char *key;
    int64_t id;
};

static int match_key(void *ctx, int64_t id, const char *key, const char *loc, unsigned flags)
{
    struct find_key *fk = ctx;
    (void)loc, (void)flags;
    if (strcmp(key, fk->key) == 0)
        fk->id = id;
    return fk->id != 0;
}

/* The store id of key in mailbox, 0 when absent. */
static int64_t key_id(struct fixture *f, int64_t mailbox, const char *key)
{
    struct find_key fk = {key, 0};
    tm_store_message_each_key(f->store, mailbox, match_key, &fk, NULL);
    return fk.id;
}

static int64_t id_of(struct fixture *f, const char *key)
{
    return key_id(f, f->inbox, key);
}

/* The store row of key in mailbox (zeroed first); 0 when found. */
static int row_of(struct fixture *f, int64_t mailbox, const char *key, struct tm_message_row *row)
{
    int64_t id = key_id(f, mailbox, key);
    memset(row, 0, sizeof(*row));
    return id && tm_store_message_get(f->store, id, row, NULL) == TM_OK ? 0 : -1;
}

static int64_t count_rows(struct fixture *f, int64_t mailbox)
{
    int64_t n = -1;
    tm_store_message_count(f->store, mailbox, &n, NULL);
    return n;
}

TM_TEST(maildir_scan_reads_new_and_cur)
{
    struct fixture f;
    struct tm_sync_result res;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "new/100.M1P1.host", MSG("fresh")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/200.M2P2.host:2,S", MSG("read")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/.hidden", MSG("dotfile")), 0);
    char sub[700];
    snprintf(sub, sizeof(sub), "%s/cur/subdir", f.root);
    TM_CHECK_INT(mkdir(sub, 0700), 0); /* not a regular file: skipped */
    snprintf(sub, sizeof(sub), "%s/new/link", f.root);
    TM_CHECK_INT(symlink("/etc/passwd", sub), 0); /* a symlink is not a message either */
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added, 2);
    TM_CHECK_INT(res.removed + res.changed + res.skipped, 0);
    TM_CHECK_INT(count_rows(&f, f.inbox), 2);
    TM_CHECK_INT(row_of(&f, f.inbox, "100.M1P1.host", &row), 0);
    TM_CHECK_STR(row.subject, "fresh");
    TM_CHECK_STR(row.from_addr, "alice@example.org");
    TM_CHECK_STR(row.location, "new/100.M1P1.host");
    TM_CHECK_INT(row.flags, TM_FLAG_RECENT);
    TM_CHECK_INT(row.size, strlen(MSG("fresh")));
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(row_of(&f, f.inbox, "200.M2P2.host", &row), 0);
    TM_CHECK_STR(row.location, "cur/200.M2P2.host:2,S");
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN);
    tm_message_row_cleanup(&row);
    TM_CHECK(f.progress_calls >= 1);
    TM_CHECK_INT(f.last_done, 4); /* progress counts directory entries, skipped ones too */
    TM_CHECK_INT(f.last_total, 4);
    fixture_close(&f);
}

TM_TEST(maildir_flags_from_info_suffix)
{
    static const struct {
        const char *name;
        unsigned flags;
    } cases[] = {
        {"k:2,P", TM_FLAG_PASSED},
        {"k:2,R", TM_FLAG_ANSWERED},
        {"k:2,S", TM_FLAG_SEEN},
        {"k:2,T", TM_FLAG_DELETED},
        {"k:2,D", TM_FLAG_DRAFT},
        {"k:2,F", TM_FLAG_FLAGGED},
        {"k:2,DFPRST", TM_FLAG_DRAFT | TM_FLAG_FLAGGED | TM_FLAG_PASSED | TM_FLAG_ANSWERED |
                           TM_FLAG_SEEN | TM_FLAG_DELETED},
        {"k:2,Sab", TM_FLAG_SEEN}, /* lowercase letters are keywords */
        {"k:2,", 0},
        {"k", 0},
        {"k:1,S", 0}, /* experimental info, not flags */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (maildir_flags_from_name(cases[i].name) != cases[i].flags)
            TM_CHECK_STR(cases[i].name, "(flags differ)");
    }
    TM_CHECK_INT(maildir_key_len("1.M2.host,S=100:2,S"), strlen("1.M2.host,S=100"));
}

TM_TEST(maildir_flags_from_info_suffix_through_sync)
{
    struct fixture f;
    struct tm_sync_result res;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/a:2,FR", MSG("a")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/b:2,DPT", MSG("b")), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(row_of(&f, f.inbox, "a", &row), 0);
    TM_CHECK_INT(row.flags, TM_FLAG_FLAGGED | TM_FLAG_ANSWERED);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(row_of(&f, f.inbox, "b", &row), 0);
    TM_CHECK_INT(row.flags, TM_FLAG_DRAFT | TM_FLAG_PASSED | TM_FLAG_DELETED);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

TM_TEST(maildir_name_with_flags_in_ascii_order)
{
    char out[128];
    TM_CHECK_INT(maildir_name_with_flags("k", TM_FLAG_SEEN | TM_FLAG_DRAFT | TM_FLAG_DELETED, out,
                                         sizeof(out), NULL),
                 TM_OK);
    TM_CHECK_STR(out, "k:2,DST");
    TM_CHECK_INT(maildir_name_with_flags("k:2,Sca", TM_FLAG_FLAGGED, out, sizeof(out), NULL),
                 TM_OK);
    TM_CHECK_STR(out, "k:2,Fac");
    TM_CHECK_INT(maildir_name_with_flags("k:2,RS", 0, out, 6, NULL), TM_OK);
    TM_CHECK_STR(out, "k:2,");
    TM_CHECK_INT(maildir_name_with_flags("k:2,RS", TM_FLAG_SEEN, out, 5, NULL), TM_ELIMIT);
}

TM_TEST(maildir_set_seen_moves_new_to_cur)
{
    struct fixture f;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "new/300.M3.host", MSG("hello")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    int64_t id = id_of(&f, "300.M3.host");
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, id, TM_FLAG_SEEN, 0, NULL), TM_OK);
    TM_CHECK(!exists(f.root, "new/300.M3.host"));
    TM_CHECK(exists(f.root, "cur/300.M3.host:2,S"));
    TM_CHECK_INT(tm_store_message_get(f.store, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.location, "cur/300.M3.host:2,S");
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN); /* no longer recent */
    tm_message_row_cleanup(&row);
    struct tm_sync_result res;
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK); /* the store already agrees with the disk */
    TM_CHECK_INT(res.added + res.removed + res.changed, 0);
    fixture_close(&f);
}

TM_TEST(maildir_flag_rename_keeps_keywords)
{
    struct fixture f;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/k1:2,Sab", MSG("kw")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    int64_t id = id_of(&f, "k1");
    TM_CHECK(id > 0);
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, id, TM_FLAG_FLAGGED, 0, NULL), TM_OK);
    TM_CHECK(exists(f.root, "cur/k1:2,FSab"));
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, id, 0, TM_FLAG_SEEN, NULL), TM_OK);
    TM_CHECK(exists(f.root, "cur/k1:2,Fab"));
    TM_CHECK(!exists(f.root, "cur/k1:2,FSab"));
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, id, TM_FLAG_FLAGGED, 0, NULL), TM_OK); /* no-op */
    TM_CHECK(exists(f.root, "cur/k1:2,Fab"));
    TM_CHECK_INT(tm_store_message_get(f.store, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.location, "cur/k1:2,Fab");
    TM_CHECK_INT(row.flags, TM_FLAG_FLAGGED);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

TM_TEST(maildir_resync_detects_external_rename_and_delete)
{
    struct fixture f;
    struct tm_sync_result res;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/a:2,", MSG("a")), 0);
    TM_CHECK_INT(put_file(f.root, "new/b", MSG("b")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/c:2,S", MSG("c")), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added, 3);
    TM_CHECK_INT(move_file(f.root, "cur/a:2,", "cur/a:2,S"), 0); /* another client's work */
    TM_CHECK_INT(move_file(f.root, "new/b", "cur/b:2,R"), 0);
    TM_CHECK_INT(move_file(f.root, "cur/c:2,S", "../gone"), 0);
    TM_CHECK_INT(put_file(f.root, "new/d", MSG("d")), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added, 1);
    TM_CHECK_INT(res.changed, 2);
    TM_CHECK_INT(res.removed, 1);
    TM_CHECK_INT(count_rows(&f, f.inbox), 3);
    TM_CHECK_INT(row_of(&f, f.inbox, "a", &row), 0);
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN);
    TM_CHECK_STR(row.location, "cur/a:2,S");
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(row_of(&f, f.inbox, "b", &row), 0);
    TM_CHECK_INT(row.flags, TM_FLAG_ANSWERED);
    TM_CHECK_STR(row.subject, "b"); /* kept from the first read */
    tm_message_row_cleanup(&row);
    TM_CHECK(row_of(&f, f.inbox, "c", &row) != 0);
    fixture_close(&f);
}

TM_TEST(maildir_same_key_in_new_and_cur_keeps_cur)
{
    struct fixture f;
    struct tm_sync_result res;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "new/dup", MSG("dup")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/dup:2,F", MSG("dup")), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added, 1);
    TM_CHECK_INT(count_rows(&f, f.inbox), 1);
    TM_CHECK_INT(row_of(&f, f.inbox, "dup", &row), 0);
    TM_CHECK_STR(row.location, "cur/dup:2,F");
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added + res.changed + res.removed, 0);
    fixture_close(&f);
}

TM_TEST(maildir_fetch_follows_renamed_file)
{
    struct fixture f;
    struct tm_message_row row;
    struct tm_buf body;
    tm_buf_init(&body, 0);
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "new/m1", MSG("moved")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    int64_t id = id_of(&f, "m1");
    TM_CHECK(id > 0);
    TM_CHECK_INT(tm_maildir_ops.fetch_message(f.s, id, &body, NULL), TM_OK);
    TM_CHECK_STR(body.data, MSG("moved"));
    TM_CHECK_INT(move_file(f.root, "new/m1", "cur/m1:2,RS"), 0);
    tm_buf_reset(&body);
    TM_CHECK_INT(tm_maildir_ops.fetch_message(f.s, id, &body, NULL), TM_OK);
    TM_CHECK_STR(body.data, MSG("moved"));
    tm_buf_cleanup(&body);
    TM_CHECK_INT(tm_store_message_get(f.store, id, &row, NULL), TM_OK);
    TM_CHECK_STR(row.location, "cur/m1:2,RS");
    TM_CHECK_INT(row.flags, TM_FLAG_ANSWERED | TM_FLAG_SEEN);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(move_file(f.root, "cur/m1:2,RS", "../away"), 0);
    struct tm_error err;
    TM_CHECK_INT(tm_maildir_ops.fetch_message(f.s, id, &body, &err), TM_ENOENT);
    TM_CHECK(body.len == 0);
    tm_buf_cleanup(&body);
    fixture_close(&f);
}

TM_TEST(maildir_set_flags_follows_renamed_file)
{
    struct fixture f;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/x:2,S", MSG("x")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    int64_t id = id_of(&f, "x");
    TM_CHECK(id > 0);
    TM_CHECK_INT(move_file(f.root, "cur/x:2,S", "cur/x:2,RS"), 0);
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, id, TM_FLAG_FLAGGED, 0, NULL), TM_OK);
    TM_CHECK(exists(f.root, "cur/x:2,FRS")); /* the other client's R is kept */
    TM_CHECK_INT(tm_store_message_get(f.store, id, &row, NULL), TM_OK);
    TM_CHECK_INT(row.flags, TM_FLAG_FLAGGED | TM_FLAG_ANSWERED | TM_FLAG_SEEN);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

TM_TEST(maildir_rejects_non_maildir)
{
    struct tm_session *s = NULL;
    struct tm_error err;
    struct tm_backend_env env = {0};
    char dir[600], url[700];
    snprintf(dir, sizeof(dir), "%s/plain", tm_test_tmpdir());
    TM_CHECK_INT(mkdir(dir, 0700), 0);
    struct tm_account_spec spec = {"x", dir, 1, NULL};
    TM_CHECK_INT(tm_maildir_ops.open(&env, &spec, &s, &err), TM_ENOENT);
    TM_CHECK(s == NULL);
    TM_CHECK(strstr(err.message, "is not a Maildir (no cur/, new/, tmp/)") != NULL);
    TM_CHECK(strstr(err.message, dir) != NULL);
    TM_CHECK_INT(make_maildir(dir), 0);
    snprintf(url, sizeof(url), "maildir://%s/", dir);
    spec.url = url;
    TM_CHECK_INT(tm_maildir_ops.open(&env, &spec, &s, &err), TM_OK);
    TM_CHECK_STR(s->root, dir);
    tm_maildir_ops.close(&s);
    TM_CHECK(s == NULL);
}

TM_TEST(maildir_broken_header_still_listed)
{
    struct fixture f;
    struct tm_sync_result res;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/junk:2,", "\x01\x02 no colon here\n\xff\xfe\n\nbody"), 0);
    TM_CHECK_INT(put_file(f.root, "cur/empty:2,", ""), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added, 2);
    TM_CHECK_INT(row_of(&f, f.inbox, "junk", &row), 0);
    TM_CHECK(row.subject == NULL || row.subject[0] == 0);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(row_of(&f, f.inbox, "empty", &row), 0);
    TM_CHECK_INT(row.size, 0);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

TM_TEST(maildir_unreadable_file_skipped_not_fatal)
{
    struct fixture f;
    struct tm_sync_result res;
    char path[700];
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/ok:2,", MSG("ok")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/locked:2,", MSG("locked")), 0);
    snprintf(path, sizeof(path), "%s/cur/locked:2,", f.root);
    TM_CHECK_INT(chmod(path, 0), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    if (geteuid() != 0) { /* root reads it anyway */
        TM_CHECK_INT(res.added, 1);
        TM_CHECK_INT(res.skipped, 1);
    }
    TM_CHECK_INT(count_rows(&f, f.inbox), res.added);
    fixture_close(&f);
}

TM_TEST(maildir_mailbox_name_with_dotdot_rejected)
{
    struct fixture f;
    struct tm_error err;
    TM_CHECK_INT(fixture_open(&f), 0);
    static const char *const bad[] = {"..",   "../x", "a/b", "/etc", ".hidden",
                                      "a..b", "Foo.", "",    "./x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (tm_maildir_ops.sync_mailbox(f.s, bad[i], f.inbox, NULL, &err) == TM_OK ||
            tm_maildir_ops.append(f.s, bad[i], "x", 1, 0, &err) == TM_OK ||
            tm_maildir_ops.expunge(f.s, bad[i], f.inbox, &err) == TM_OK)
            TM_CHECK_STR(bad[i], "(accepted)");
    }
    char prefix[64];
    TM_CHECK_INT(maildir_mailbox_prefix("Lists.tmail", prefix, sizeof(prefix), NULL), TM_OK);
    TM_CHECK_STR(prefix, ".Lists.tmail/");
    TM_CHECK_INT(maildir_mailbox_prefix("INBOX", prefix, sizeof(prefix), NULL), TM_OK);
    TM_CHECK_STR(prefix, "");
    fixture_close(&f);
}

TM_TEST(maildir_location_from_store_is_checked)
{
    size_t prefix_len = 99;
    bool in_new = false;
    const char *name = NULL;
    TM_CHECK(maildir_location_split("cur/k:2,S", &prefix_len, &in_new, &name));
    TM_CHECK_INT(prefix_len, 0);
    TM_CHECK_STR(name, "k:2,S");
    TM_CHECK(maildir_location_split(".Sent/new/k", &prefix_len, &in_new, &name));
    TM_CHECK_INT(prefix_len, 6);
    TM_CHECK(in_new);
    static const char *const bad[] = {"../cur/k", "tmp/k",  "cur/",        "/etc/cur/passwd",
                                      "x/cur/k",  "cur/..", ".a/../cur/k", "..x/cur/k"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (maildir_location_split(bad[i], &prefix_len, &in_new, &name))
            TM_CHECK_STR(bad[i], "(accepted)");
    }
}

TM_TEST(maildir_expunge_removes_trashed)
{
    struct fixture f;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/keep:2,S", MSG("keep")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/trash:2,ST", MSG("trash")), 0);
    TM_CHECK_INT(put_file(f.root, "new/later", MSG("later")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, id_of(&f, "later"), TM_FLAG_DELETED, 0, NULL),
                 TM_OK);
    TM_CHECK(exists(f.root, "cur/later:2,T"));
    TM_CHECK_INT(tm_maildir_ops.expunge(f.s, "INBOX", f.inbox, NULL), TM_OK);
    TM_CHECK(!exists(f.root, "cur/trash:2,ST"));
    TM_CHECK(!exists(f.root, "cur/later:2,T"));
    TM_CHECK(exists(f.root, "cur/keep:2,S"));
    TM_CHECK_INT(count_rows(&f, f.inbox), 1);
    TM_CHECK_INT(row_of(&f, f.inbox, "keep", &row), 0);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

TM_TEST(maildir_expunge_keeps_message_undeleted_elsewhere)
{
    struct fixture f;
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/t:2,T", MSG("t")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    TM_CHECK_INT(move_file(f.root, "cur/t:2,T", "cur/t:2,S"), 0); /* undeleted meanwhile */
    TM_CHECK_INT(tm_maildir_ops.expunge(f.s, "INBOX", f.inbox, NULL), TM_OK);
    TM_CHECK(exists(f.root, "cur/t:2,S"));
    TM_CHECK_INT(row_of(&f, f.inbox, "t", &row), 0);
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

struct names {
    char text[256];
};

static int add_name(void *ctx, const struct tm_mailbox_info *mb)
{
    struct names *n = ctx;
    size_t used = strlen(n->text);
    snprintf(n->text + used, sizeof(n->text) - used, "%s%c%s;", mb->name, mb->delimiter,
             mb->special ? mb->special : "");
    return 0;
}

TM_TEST(maildir_list_mailboxes_includes_folders)
{
    struct fixture f;
    char dir[700];
    TM_CHECK_INT(fixture_open(&f), 0);
    snprintf(dir, sizeof(dir), "%s/.Sent", f.root);
    TM_CHECK_INT(make_maildir(dir), 0);
    snprintf(dir, sizeof(dir), "%s/.Lists.tmail", f.root);
    TM_CHECK_INT(make_maildir(dir), 0);
    snprintf(dir, sizeof(dir), "%s/.NotAMaildir", f.root);
    TM_CHECK_INT(mkdir(dir, 0700), 0);
    struct names n = {""};
    TM_CHECK_INT(tm_maildir_ops.list_mailboxes(f.s, add_name, &n, NULL), TM_OK);
    TM_CHECK_STR(n.text, "INBOX.;Lists.tmail.;Sent.\\Sent;");
    TM_CHECK(tm_maildir_ops.caps & TM_CAP_FOLDERS);
    fixture_close(&f);
}

TM_TEST(maildir_sync_subfolder_uses_its_directory)
{
    struct fixture f;
    struct tm_message_row row;
    struct tm_buf body;
    char dir[700];
    int64_t sent = 0;
    tm_buf_init(&body, 0);
    TM_CHECK_INT(fixture_open(&f), 0);
    snprintf(dir, sizeof(dir), "%s/.Sent", f.root);
    TM_CHECK_INT(make_maildir(dir), 0);
    TM_CHECK_INT(put_file(f.root, ".Sent/cur/s1:2,S", MSG("sent")), 0);
    TM_CHECK_INT(put_file(f.root, "cur/i1:2,", MSG("inbox")), 0);
    TM_CHECK_INT(tm_store_mailbox_ensure(f.store, 1, "Sent", &sent, NULL), TM_OK);
    TM_CHECK_INT(tm_maildir_ops.sync_mailbox(f.s, "Sent", sent, NULL, NULL), TM_OK);
    TM_CHECK_INT(count_rows(&f, sent), 1);
    TM_CHECK_INT(row_of(&f, sent, "s1", &row), 0);
    TM_CHECK_STR(row.location, ".Sent/cur/s1:2,S");
    TM_CHECK_INT(tm_maildir_ops.fetch_message(f.s, row.id, &body, NULL), TM_OK);
    TM_CHECK_STR(body.data, MSG("sent"));
    TM_CHECK_INT(tm_maildir_ops.set_flags(f.s, row.id, TM_FLAG_FLAGGED, 0, NULL), TM_OK);
    TM_CHECK(exists(f.root, ".Sent/cur/s1:2,FS"));
    tm_message_row_cleanup(&row);
    tm_buf_cleanup(&body);
    TM_CHECK_INT(tm_maildir_ops.sync_mailbox(f.s, "Missing", sent, NULL, NULL), TM_ENOENT);
    fixture_close(&f);
}

TM_TEST(maildir_append_writes_to_cur_with_flags)
{
    struct fixture f;
    struct tm_sync_result res;
    struct tm_buf body;
    tm_buf_init(&body, 0);
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(tm_maildir_ops.append(f.s, "INBOX", MSG("mine"), strlen(MSG("mine")),
                                       TM_FLAG_SEEN | TM_FLAG_RECENT, NULL),
                 TM_OK);
    TM_CHECK_INT(tm_maildir_ops.append(f.s, "INBOX", MSG("two"), strlen(MSG("two")), 0, NULL),
                 TM_OK);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(res.added, 2);
    struct tm_message_row rows[2] = {0};
    int n = 0;
    TM_CHECK_INT(tm_store_message_window(f.store, f.inbox, 0, 2, rows, &n, NULL), TM_OK);
    TM_CHECK_INT(n, 2);
    struct tm_message_row *mine = strcmp(rows[0].subject, "mine") == 0 ? &rows[0] : &rows[1];
    TM_CHECK_INT(mine->flags, TM_FLAG_SEEN);
    TM_CHECK(strncmp(mine->location, "cur/", 4) == 0);
    TM_CHECK(strstr(mine->location, ":2,S") != NULL);
    TM_CHECK(strchr(mine->local_key, 'P') && strchr(mine->local_key, 'Q'));
    TM_CHECK(strcmp(rows[0].local_key, rows[1].local_key) != 0);
    TM_CHECK_INT(tm_maildir_ops.fetch_message(f.s, mine->id, &body, NULL), TM_OK);
    TM_CHECK_STR(body.data, MSG("mine"));
    tm_message_row_cleanup(&rows[0]);
    tm_message_row_cleanup(&rows[1]);
    tm_buf_cleanup(&body);
    char tmp[700];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f.root);
    TM_CHECK_INT(rmdir(tmp), 0); /* empty: nothing left behind in tmp/ */
    fixture_close(&f);
}

TM_TEST(maildir_sync_cancel_stops_without_removing)
{
    struct fixture f;
    struct tm_sync_result res;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "cur/a:2,", MSG("a")), 0);
    TM_CHECK_INT(sync_inbox(&f, NULL), TM_OK);
    f.cancel = 1;
    TM_CHECK_INT(sync_inbox(&f, &res), TM_ECANCELED);
    TM_CHECK_INT(res.removed, 0);
    TM_CHECK_INT(count_rows(&f, f.inbox), 1);
    fixture_close(&f);
}

TM_TEST(maildir_scan_many_messages)
{
    enum { N = 5000 };
    struct fixture f;
    struct tm_sync_result res;
    char rel[64];
    TM_CHECK_INT(fixture_open(&f), 0);
    for (int i = 0; i < N; i++) {
        snprintf(rel, sizeof(rel), i % 3 ? "cur/%d.M%dP1.host:2,S" : "new/%d.M%dP1.host", i, i);
        TM_CHECK_INT(put_file(f.root, rel, MSG("bulk")), 0);
    }
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    TM_CHECK_INT(res.added, N);
    TM_CHECK_INT(count_rows(&f, f.inbox), N);
    TM_CHECK(f.progress_calls >= N / 500);
    TM_CHECK_INT(f.last_done, N);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    TM_CHECK_INT(res.added, 0);
    TM_CHECK_INT(res.removed, 0);
    TM_CHECK_INT(res.changed, 0);
    fprintf(stderr, "maildir_scan_many_messages: %d files, first sync %.0f ms, resync %.0f ms\n", N,
            (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
            (t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6);
    fixture_close(&f);
}

TM_TEST(maildir_missing_date_falls_back_to_delivery_time)
{
    struct fixture f;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    TM_CHECK_INT(put_file(f.root, "new/1700000000.M1P1.host", "Subject: no date\n\nx\n"), 0);
    TM_CHECK_INT(put_file(f.root, "new/1700000001.M2P1.host", "Date: garbage\n\nx\n"), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(row_of(&f, f.inbox, "1700000000.M1P1.host", &row), 0);
    TM_CHECK_INT(row.date, 1700000000);
    tm_message_row_cleanup(&row);
    TM_CHECK_INT(row_of(&f, f.inbox, "1700000001.M2P1.host", &row), 0);
    TM_CHECK_INT(row.date, 1700000001);
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}

TM_TEST(maildir_charset_fallback_setting_reads_raw_8bit_headers)
{
    struct fixture f;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    TM_CHECK_INT(fixture_open(&f), 0);
    f.env.charset_fallback = "ISO-8859-7";
    TM_CHECK_INT(put_file(f.root, "new/1.M1P1.host", "Subject: \xe3\xe5\xe9\xe1\n\nx\n"), 0);
    TM_CHECK_INT(sync_inbox(&f, &res), TM_OK);
    TM_CHECK_INT(row_of(&f, f.inbox, "1.M1P1.host", &row), 0);
    TM_CHECK_STR(row.subject, "\xce\xb3\xce\xb5\xce\xb9\xce\xb1");
    tm_message_row_cleanup(&row);
    fixture_close(&f);
}
