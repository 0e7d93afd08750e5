/* store_fixture.c - helpers shared by the store tests of schema 4 (see store_fixture.h). */
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/store.h"

struct tm_store *fixture_open(void)
{
    char path[512];
    struct tm_store *st = NULL;
    struct tm_error err;
    snprintf(path, sizeof(path), "%s/cache.sqlite", tm_test_tmpdir());
    if (tm_store_open(path, &st, &err) != TM_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return NULL;
    }
    return st;
}

enum tm_status fixture_old_file(int version, char *path, size_t cap, struct tm_store *raw)
{
    int n = 0;
    const struct store_migration *list = store_migrations(&n);
    if (version < 1 || version >= n)
        return TM_ELIMIT;
    snprintf(path, cap, "%s/v%d.sqlite", tm_test_tmpdir(), version);
    *raw = (struct tm_store){.path = path};
    if (sqlite3_open(path, &raw->db) != SQLITE_OK)
        return TM_ESTORE;
    return store_migrate_list(raw, list, version, NULL);
}

int64_t fixture_account(struct tm_store *st, const char *name)
{
    char url[256];
    int64_t id = 0;
    snprintf(url, sizeof(url), "imaps://%s@imap.example.org", name);
    if (tm_store_account_ensure(st, name, url, &id, NULL))
        return 0;
    return id;
}

int64_t fixture_mailbox(struct tm_store *st, int64_t account, const char *name)
{
    int64_t id = 0;
    if (tm_store_mailbox_ensure(st, account, name, &id, NULL))
        return 0;
    return id;
}

int64_t fixture_uid_msg(struct tm_store *st, int64_t mailbox, int64_t uid, unsigned flags)
{
    char key[32], subject[64];
    snprintf(key, sizeof(key), "%010lld", (long long)uid);
    snprintf(subject, sizeof(subject), "message %lld", (long long)uid);
    struct tm_message_row row = {.mailbox_id = mailbox,
                                 .uid = uid,
                                 .local_key = key,
                                 .flags = flags,
                                 .date = 1000 + uid,
                                 .subject = subject};
    if (tm_store_message_upsert(st, &row, NULL))
        return 0;
    return row.id;
}

long long fixture_int(struct tm_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -999;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

int fixture_plan_uses(struct tm_store *st, const char *sql, const char *index)
{
    char plan[2048];
    sqlite3_stmt *s = NULL;
    int uses = 0, sorts = 0;
    snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sql);
    if (sqlite3_prepare_v2(st->db, plan, -1, &s, NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(s, 3);
        uses |= detail && strstr(detail, index) != NULL;
        sorts |= detail && strstr(detail, "TEMP B-TREE") != NULL;
    }
    sqlite3_finalize(s);
    return uses && !sorts;
}
