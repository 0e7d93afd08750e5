/* test_store_fts.c - the searchable text of messages (schema 9): put and replace, the trigram
 * prefilter (substrings, case, groups, literals too short to use), the walks of what is still to
 * be indexed, and rows and index entries going with their message, mailbox or UIDVALIDITY. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/store.h"

static enum tm_status put(struct tm_store *st, int64_t id, int64_t stamp, const char *headers,
                          const char *body)
{
    struct tm_store_text_writer *w = NULL;
    struct tm_error err;
    enum tm_status rc = tm_store_text_writer_new(st, &w, &err);
    if (!rc)
        rc = tm_store_text_put(w, id, stamp, headers, strlen(headers), body, strlen(body), &err);
    tm_store_text_writer_free(&w);
    return rc;
}

/* The FTS5 index agrees with its content table (a corrupt external-content index says no). */
static int index_sound(struct tm_store *st)
{
    return sqlite3_exec(st->db,
                        "INSERT INTO message_text_index(message_text_index) "
                        "VALUES('integrity-check')",
                        NULL, NULL, NULL) == SQLITE_OK;
}

struct found {
    int64_t ids[64];
    size_t n;
    char last_body[256];
};

static int on_found(void *ctx, int64_t id, const char *headers, size_t hlen, const char *body,
                    size_t blen)
{
    struct found *f = ctx;
    (void)headers;
    if (headers[hlen] != 0 || body[blen] != 0 || strlen(body) != blen)
        return 1; /* promised NUL-terminated at their lengths: stop, the test then fails */
    if (f->n < 64)
        f->ids[f->n++] = id;
    snprintf(f->last_body, sizeof(f->last_body), "%s", body);
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Runs a one-group query of the literals; the sorted candidate ids into f. */
static enum tm_status search(struct tm_store *st, int64_t mbox, const char *const *lits, size_t n,
                             struct found *f, bool *filtered)
{
    struct tm_text_group g = {lits, n};
    struct tm_text_query q = {&g, 1};
    memset(f, 0, sizeof(*f));
    enum tm_status rc = tm_store_text_search(st, mbox, &q, on_found, f, filtered, NULL);
    qsort(f->ids, f->n, sizeof(f->ids[0]), cmp_id);
    return rc;
}

TM_TEST(store_text_put_replace_and_search_substrings)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "a"), mbox = fixture_mailbox(st, acct, "INBOX");
    int64_t m1 = fixture_uid_msg(st, mbox, 1, 0), m2 = fixture_uid_msg(st, mbox, 2, 0),
            m3 = fixture_uid_msg(st, mbox, 3, 0);
    TM_CHECK(m1 && m2 && m3);
    TM_CHECK_INT(put(st, m1, 10, "Subject: hello\n", "The Zebrafinch sings at dawn.\n"), TM_OK);
    TM_CHECK_INT(put(st, m2, 20, "Subject: other\n", "Résumé attached, naïve café.\n"), TM_OK);
    TM_CHECK_INT(put(st, m3, 30, "Subject: zebra\n", "nothing here\n"), TM_OK);
    TM_CHECK(index_sound(st));

    struct found f;
    bool filtered = false;
    const char *infix[] = {"ebrafin"};
    TM_CHECK_INT(search(st, mbox, infix, 1, &f, &filtered), TM_OK);
    TM_CHECK(filtered);
    TM_CHECK_INT(f.n, 1);
    TM_CHECK_INT(f.ids[0], m1);
    TM_CHECK_STR(f.last_body, "The Zebrafinch sings at dawn.\n");

    const char *folded[] = {"RÉSUMÉ"}; /* case folded beyond ASCII */
    TM_CHECK_INT(search(st, mbox, folded, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 1);
    TM_CHECK_INT(f.ids[0], m2);

    const char *both[] = {"zebra", "dawn"}; /* every literal of the group */
    TM_CHECK_INT(search(st, mbox, both, 2, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 1);
    TM_CHECK_INT(f.ids[0], m1);

    const char *headers_too[] = {"zebra"}; /* headers are indexed as well */
    TM_CHECK_INT(search(st, mbox, headers_too, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 2);

    const char *quote[] = {"\"quoted\""}; /* FTS5 syntax in a literal is just text */
    TM_CHECK_INT(search(st, mbox, quote, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 0);

    /* replacing: the old words leave the index, the new ones enter it */
    TM_CHECK_INT(put(st, m1, 11, "Subject: hello\n", "now about a kestrel\n"), TM_OK);
    TM_CHECK(index_sound(st));
    TM_CHECK_INT(search(st, mbox, infix, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 0);
    const char *kestrel[] = {"kestrel"};
    TM_CHECK_INT(search(st, mbox, kestrel, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 1);
    TM_CHECK_INT(fixture_int(st, "SELECT stamp FROM message_text WHERE message_id = 1"), 11);

    /* another mailbox's text is not a candidate */
    int64_t other = fixture_mailbox(st, acct, "Other");
    TM_CHECK_INT(search(st, other, kestrel, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 0);
    tm_store_free(&st);
}

TM_TEST(store_text_short_literals_and_empty_groups_read_everything)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "a"), "INBOX");
    int64_t m1 = fixture_uid_msg(st, mbox, 1, 0), m2 = fixture_uid_msg(st, mbox, 2, 0);
    fixture_uid_msg(st, mbox, 3, 0); /* no text: never a candidate */
    TM_CHECK_INT(put(st, m1, 1, "", "ab cd"), TM_OK);
    TM_CHECK_INT(put(st, m2, 1, "", "xyz"), TM_OK);
    struct found f;
    bool filtered = true;
    const char *two[] = {"ab"}; /* under three characters: cannot be looked up */
    TM_CHECK_INT(search(st, mbox, two, 1, &f, &filtered), TM_OK);
    TM_CHECK(!filtered);
    TM_CHECK_INT(f.n, 2);
    const char *two_utf8[] = {"éé"}; /* two characters, four bytes */
    TM_CHECK_INT(search(st, mbox, two_utf8, 1, &f, &filtered), TM_OK);
    TM_CHECK(!filtered);
    /* no group at all */
    struct tm_text_query none = {NULL, 0};
    memset(&f, 0, sizeof(f));
    TM_CHECK_INT(tm_store_text_search(st, mbox, &none, on_found, &f, &filtered, NULL), TM_OK);
    TM_CHECK(!filtered);
    TM_CHECK_INT(f.n, 2);
    /* two groups (or): one that narrows and one that cannot means everything */
    const char *xyz[] = {"xyz"}, *short_one[] = {"x"};
    struct tm_text_group groups[] = {{xyz, 1}, {short_one, 1}};
    struct tm_text_query q = {groups, 2};
    memset(&f, 0, sizeof(f));
    TM_CHECK_INT(tm_store_text_search(st, mbox, &q, on_found, &f, &filtered, NULL), TM_OK);
    TM_CHECK(!filtered);
    TM_CHECK_INT(f.n, 2);
    /* two groups that both narrow: the union */
    const char *abc[] = {"b cd"};
    struct tm_text_group g2[] = {{xyz, 1}, {abc, 1}};
    q.groups = g2;
    memset(&f, 0, sizeof(f));
    TM_CHECK_INT(tm_store_text_search(st, mbox, &q, on_found, &f, &filtered, NULL), TM_OK);
    TM_CHECK(filtered);
    TM_CHECK_INT(f.n, 2);
    tm_store_free(&st);
}

TM_TEST(store_text_long_literal_is_a_conjunction_of_trigrams)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "a"), "INBOX");
    int64_t m1 = fixture_uid_msg(st, mbox, 1, 0), m2 = fixture_uid_msg(st, mbox, 2, 0);
    TM_CHECK_INT(put(st, m1, 1, "", "abcdef"), TM_OK);
    TM_CHECK_INT(put(st, m2, 1, "", "abc def cde bcd"), TM_OK); /* all trigrams, not in a row */
    struct found f;
    bool filtered;
    const char *lit[] = {"abcdef"};
    TM_CHECK_INT(search(st, mbox, lit, 1, &f, &filtered), TM_OK);
    TM_CHECK(filtered);
    TM_CHECK_INT(f.n, 2); /* a superset: the caller confirms on the text */
    char longer[200];
    memset(longer, 'q', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = 0;
    const char *many[] = {longer}; /* a long literal stays a valid, bounded query */
    TM_CHECK_INT(search(st, mbox, many, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 0);
    tm_store_free(&st);
}

static int collect_ids(void *ctx, int64_t id)
{
    struct found *f = ctx;
    if (f->n < 64)
        f->ids[f->n++] = id;
    return 0;
}

static size_t walk(struct tm_store *st, int64_t mbox, enum tm_text_missing which, struct found *f)
{
    memset(f, 0, sizeof(*f));
    if (tm_store_text_each_missing(st, mbox, which, collect_ids, f, NULL))
        return 999;
    return f->n;
}

TM_TEST(store_text_walks_stale_pending_and_absent)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t mbox = fixture_mailbox(st, fixture_account(st, "a"), "INBOX");
    int64_t m1 = fixture_uid_msg(st, mbox, 1, 0), m2 = fixture_uid_msg(st, mbox, 2, 0),
            m3 = fixture_uid_msg(st, mbox, 3, 0);
    struct found f;
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_STALE, &f), 3);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_ABSENT, &f), 3);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_PENDING, &f), 0);
    /* fixture messages have no size: stamp 0 is current, 5 is not */
    TM_CHECK_INT(sqlite3_exec(st->db, "UPDATE messages SET size = 0", NULL, NULL, NULL), SQLITE_OK);
    TM_CHECK_INT(put(st, m1, 0, "", "one"), TM_OK);
    TM_CHECK_INT(put(st, m2, 5, "", "two"), TM_OK);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_STALE, &f), 2);
    TM_CHECK_INT(f.ids[0], m2);
    TM_CHECK_INT(f.ids[1], m3);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_ABSENT, &f), 1);
    TM_CHECK_INT(f.ids[0], m3);
    int64_t total = 0, with_text = 0;
    TM_CHECK_INT(tm_store_text_counts(st, mbox, &total, &with_text, NULL), TM_OK);
    TM_CHECK_INT(total, 3);
    TM_CHECK_INT(with_text, 2);

    /* a cached raw body is pending until its text is stored; a new body makes it pending again */
    TM_CHECK_INT(tm_store_body_put(st, m3, "x", 1, NULL), TM_OK);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_PENDING, &f), 1);
    TM_CHECK_INT(f.ids[0], m3);
    TM_CHECK_INT(put(st, m3, 0, "", "three"), TM_OK);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_PENDING, &f), 0);
    TM_CHECK_INT(tm_store_body_put(st, m3, "y", 1, NULL), TM_OK);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_PENDING, &f), 1);

    /* the callback may write the store while the walk goes on */
    struct tm_store_text_writer *w = NULL;
    TM_CHECK_INT(tm_store_text_writer_new(st, &w, NULL), TM_OK);
    TM_CHECK_INT(tm_store_text_put(w, m3, 0, "", 0, "3", 1, NULL), TM_OK);
    tm_store_text_writer_free(&w);
    TM_CHECK(w == NULL);
    TM_CHECK_INT(walk(st, mbox, TM_TEXT_PENDING, &f), 0);
    tm_store_free(&st);
}

TM_TEST(store_text_unknown_message_and_bad_walk)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    struct tm_error err;
    TM_CHECK_INT(put(st, 4242, 1, "", "x"), TM_ENOENT);
    TM_CHECK_INT(
        tm_store_text_each_missing(st, 1, (enum tm_text_missing)77, collect_ids, NULL, &err),
        TM_ESTORE);
    tm_store_text_writer_free(NULL);
    tm_store_free(&st);
}

/* Text rows and index entries go with their message: expunge, UIDVALIDITY reset, mailbox and
 * account deletion leave nothing behind, and the index stays consistent. */
TM_TEST(store_text_goes_with_message_mailbox_and_reset)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    int64_t acct = fixture_account(st, "a");
    int64_t inbox = fixture_mailbox(st, acct, "INBOX"), arch = fixture_mailbox(st, acct, "Arch");
    int64_t m1 = fixture_uid_msg(st, inbox, 1, 0), m2 = fixture_uid_msg(st, inbox, 2, 0),
            m3 = fixture_uid_msg(st, arch, 1, 0), m4 = fixture_uid_msg(st, arch, 2, 0);
    TM_CHECK_INT(put(st, m1, 0, "", "alpha words"), TM_OK);
    TM_CHECK_INT(put(st, m2, 0, "", "alpha again"), TM_OK);
    TM_CHECK_INT(put(st, m3, 0, "", "alpha archived"), TM_OK);
    TM_CHECK_INT(put(st, m4, 0, "", "beta archived"), TM_OK);
    TM_CHECK_INT(tm_store_body_put(st, m4, "raw", 3, NULL), TM_OK); /* pending again */
    int deleted = 0;
    TM_CHECK_INT(tm_store_message_delete_uid(st, inbox, 1, &deleted, NULL), TM_OK);
    TM_CHECK_INT(deleted, 1);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM message_text"), 3);
    TM_CHECK(index_sound(st));
    struct found f;
    bool filtered;
    const char *alpha[] = {"alpha"};
    TM_CHECK_INT(search(st, inbox, alpha, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 1);
    TM_CHECK_INT(f.ids[0], m2);
    TM_CHECK_INT(tm_store_mailbox_reset(st, inbox, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM message_text"), 2);
    TM_CHECK(index_sound(st));
    TM_CHECK_INT(search(st, inbox, alpha, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 0);
    TM_CHECK_INT(tm_store_mailbox_delete(st, arch, NULL), TM_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM message_text"), 0);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM message_text_pending"), 0);
    TM_CHECK(index_sound(st));
    /* the index holds no entry any more: a fresh text is the only hit */
    int64_t m5 = fixture_uid_msg(st, inbox, 9, 0);
    TM_CHECK_INT(put(st, m5, 0, "", "alpha new"), TM_OK);
    TM_CHECK_INT(search(st, inbox, alpha, 1, &f, &filtered), TM_OK);
    TM_CHECK_INT(f.n, 1);
    TM_CHECK_INT(f.ids[0], m5);
    /* and the account's cascade too */
    TM_CHECK_INT(sqlite3_exec(st->db, "DELETE FROM accounts", NULL, NULL, NULL), SQLITE_OK);
    TM_CHECK_INT(fixture_int(st, "SELECT count(*) FROM message_text"), 0);
    TM_CHECK(index_sound(st));
    tm_store_free(&st);
}

/* Schema 9 on a file that already cached bodies: they are listed as pending for the worker. */
TM_TEST(store_text_migration_lists_cached_bodies_as_pending)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/old.sqlite", tm_test_tmpdir());
    sqlite3 *db = NULL;
    TM_CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    int n = 0;
    const struct store_migration *list = store_migrations(&n);
    TM_CHECK(n >= 9);
    for (int i = 0; i < n && list[i].version < 9; i++)
        TM_CHECK_INT(sqlite3_exec(db, list[i].sql, NULL, NULL, NULL), SQLITE_OK);
    TM_CHECK_INT(sqlite3_exec(db,
                              "PRAGMA user_version = 8;"
                              "INSERT INTO accounts(id, name) VALUES(1, 'a');"
                              "INSERT INTO mailboxes(id, account_id, name) VALUES(1, 1, 'INBOX');"
                              "INSERT INTO messages(id, mailbox_id, uid, local_key) "
                              "VALUES(7, 1, 7, '7');"
                              "INSERT INTO bodies(message_id, raw, fetched_at) VALUES(7, 'x', 1);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    struct tm_store *st = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_store_open(path, &st, &err), TM_OK);
    TM_CHECK_INT(tm_store_schema_version(st), TM_STORE_SCHEMA_VERSION);
    struct found f;
    TM_CHECK_INT(walk(st, 1, TM_TEXT_PENDING, &f), 1);
    TM_CHECK_INT(f.ids[0], 7);
    tm_store_free(&st);
}

/* The narrowed search is driven by the index, not by reading every text (the statement is
 * fts.c's). */
TM_TEST(store_text_search_plan_starts_from_the_index)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    sqlite3_stmt *s = NULL;
    TM_CHECK_INT(sqlite3_prepare_v2(st->db,
                                    "EXPLAIN QUERY PLAN SELECT t.message_id, t.headers, t.body "
                                    "FROM message_text_index i CROSS JOIN messages m ON "
                                    "m.id = i.rowid CROSS JOIN message_text t ON "
                                    "t.message_id = m.id WHERE message_text_index MATCH 'abc' "
                                    "AND m.mailbox_id = 1",
                                    -1, &s, NULL),
                 SQLITE_OK);
    int first = 1, virtual_first = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(s, 3);
        if (first && detail)
            virtual_first = strstr(detail, "VIRTUAL TABLE") != NULL;
        first = 0;
    }
    sqlite3_finalize(s);
    TM_CHECK(virtual_first);
    tm_store_free(&st);
}
