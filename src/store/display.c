/* display.c - the display order of a mailbox (schema 5): the UI's window and positions, the
 * first message with some flags, one message's place, and writing a whole new order at once.
 *
 * Every message has one display row, keyed (mailbox_id, pos, date, message_id): pos -1 while
 * the message is unordered (inserted since the order was last written), else its place. That
 * key order is the display order. display_place(message_id, pos) leads from a message back to
 * its row. While mailboxes.display_gaps is 0 the ordered rows hold places 0..n-1 exactly, so
 * "offset o" is place o - (unordered rows): one seek. Deleting an ordered message (or
 * tm_store_message_set_thread) counts a gap; reads then count rows instead, until the next
 * tm_store_display_replace makes the places contiguous again. */
#include <stdio.h>
#include <stdlib.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

/* Rows per INSERT when writing an order: one statement step per row would cost more than the
 * b-tree work (64 rows of 6 values stay far below SQLite's 999-variable floor). */
#define DISPLAY_BATCH 64

/* Opens a read transaction when none is open (*own), so that a read of several statements sees
 * one snapshot even while another connection writes a new order. */
static enum tm_status read_begin(struct tm_store *st, bool *own, struct tm_error *err)
{
    *own = sqlite3_get_autocommit(st->db) != 0;
    if (!*own)
        return TM_OK;
    sqlite3_stmt *s = store_stmt(st, STMT_READ_BEGIN, "BEGIN", err);
    return s ? store_step_done(st, s, _("cannot begin a transaction"), err) : TM_ESTORE;
}

static void read_end(struct tm_store *st, bool own)
{
    if (own)
        tm_store_rollback(st); /* nothing was written: ending the snapshot is all it does */
}

/* The display key (pos, date, message_id) of the skip-th row (0-based) with lo <= pos <= hi in
 * display order: an index-only walk of the primary key. TM_ENOENT when there is none. */
static enum tm_status window_key(struct tm_store *st, int64_t mailbox_id, int64_t lo, int64_t hi,
                                 int64_t skip, int64_t key[3], struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_WINDOW_FIRST,
                                 "SELECT pos, date, message_id FROM display WHERE mailbox_id = ?1 "
                                 "AND pos BETWEEN ?2 AND ?3 ORDER BY pos, date, message_id "
                                 "LIMIT 1 OFFSET ?4",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_int64(s, 2, lo);
    sqlite3_bind_int64(s, 3, hi);
    sqlite3_bind_int64(s, 4, skip);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        for (int i = 0; i < 3; i++)
            key[i] = sqlite3_column_int64(s, i);
    } else {
        rc = r == SQLITE_DONE ? TM_ENOENT : store_error(st, err, _("cannot read messages"));
    }
    store_release(s);
    return rc;
}

/* The display key of the row at offset in a mailbox's display order; TM_ENOENT past the end.
 * The unordered rows come first: an offset among them is found walking them (as often as not
 * there are none). Past them, with no gaps, the row is at place offset - unordered: one seek;
 * with gaps, offset - unordered ordered rows are walked. */
static enum tm_status window_first(struct tm_store *st, int64_t mailbox_id, int64_t offset,
                                   int64_t key[3], struct tm_error *err)
{
    enum tm_status rc = window_key(st, mailbox_id, INT64_MIN, -1, offset, key, err);
    if (rc != TM_ENOENT)
        return rc;
    int64_t unordered = 0, gaps = 1;
    sqlite3_stmt *s = store_stmt(st, STMT_WINDOW_SHAPE,
                                 "SELECT (SELECT count(*) FROM display WHERE mailbox_id = ?1 AND "
                                 "pos < 0), "
                                 "coalesce((SELECT display_gaps FROM mailboxes WHERE id = ?1), 1)",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    rc = TM_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        unordered = sqlite3_column_int64(s, 0);
        gaps = sqlite3_column_int64(s, 1);
    } else {
        rc = store_error(st, err, _("cannot read messages"));
    }
    store_release(s);
    if (rc)
        return rc;
    offset -= unordered; /* unordered <= offset: the walk above found no row at offset */
    return gaps == 0 ? window_key(st, mailbox_id, offset, INT64_MAX, 0, key, err)
                     : window_key(st, mailbox_id, 0, INT64_MAX, offset, key, err);
}

/* Reads up to limit rows from display key key[] on: a seek on the whole key. */
static enum tm_status window_read(struct tm_store *st, int64_t mailbox_id, const int64_t key[3],
                                  int limit, struct tm_message_row *rows, int *n_out,
                                  struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_MSG_WINDOW,
                   "SELECT " STORE_ROW_COLUMNS " FROM display AS d CROSS JOIN messages AS m "
                   "ON m.id = d.message_id WHERE d.mailbox_id = ?1 AND "
                   "(d.pos, d.date, d.message_id) >= (?2, ?3, ?4) "
                   "ORDER BY d.pos, d.date, d.message_id LIMIT ?5",
                   err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    for (int i = 0; i < 3; i++)
        sqlite3_bind_int64(s, 2 + i, key[i]);
    sqlite3_bind_int(s, 5, limit);
    enum tm_status rc = TM_OK;
    int r = SQLITE_DONE;
    while (*n_out < limit && (r = sqlite3_step(s)) == SQLITE_ROW) {
        rc = store_row_read(s, &rows[*n_out]);
        if (rc) {
            tm_error_set(err, rc, _("out of memory reading messages"));
            break;
        }
        (*n_out)++;
    }
    if (!rc && *n_out < limit && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read messages"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_message_window(struct tm_store *st, int64_t mailbox_id, int64_t offset,
                                       int limit, struct tm_message_row *rows, int *n_out,
                                       struct tm_error *err)
{
    bool own = false;
    int64_t key[3];
    *n_out = 0;
    if (limit <= 0)
        return TM_OK;
    enum tm_status rc = read_begin(st, &own, err);
    if (rc)
        return rc;
    rc = window_first(st, mailbox_id, offset < 0 ? 0 : offset, key, err);
    if (!rc)
        rc = window_read(st, mailbox_id, key, limit, rows, n_out, err);
    read_end(st, own);
    if (rc) {
        for (int i = 0; i < *n_out; i++)
            tm_message_row_cleanup(&rows[i]);
        *n_out = 0;
    }
    return rc == TM_ENOENT ? TM_OK : rc; /* past the end: no rows */
}

enum tm_status tm_store_message_position(struct tm_store *st, int64_t id, int64_t *pos_out,
                                         struct tm_error *err)
{
    /* An ordered row with no gaps: the unordered rows, then its place. Otherwise the rows
     * before it in key order, counted in three ranges of the primary key that each start at
     * the mailbox's first row (a row value would bound the scan on pos alone). */
    sqlite3_stmt *s = store_stmt(
        st, STMT_MSG_POSITION,
        "SELECT CASE WHEN x.pos >= 0 AND coalesce(b.display_gaps, 1) = 0 THEN x.pos + "
        "(SELECT count(*) FROM display WHERE mailbox_id = m.mailbox_id AND pos < 0) "
        "ELSE (SELECT count(*) FROM display WHERE mailbox_id = m.mailbox_id AND pos < x.pos) + "
        "(SELECT count(*) FROM display WHERE mailbox_id = m.mailbox_id AND pos = x.pos AND "
        "date < m.date) + "
        "(SELECT count(*) FROM display WHERE mailbox_id = m.mailbox_id AND pos = x.pos AND "
        "date = m.date AND message_id < m.id) END "
        "FROM display_place AS x JOIN messages AS m ON m.id = x.message_id "
        "LEFT JOIN mailboxes AS b ON b.id = m.mailbox_id WHERE x.message_id = ?1",
        err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    return store_query_int64(st, s, pos_out, _("cannot find a message's position"),
                             _("no such message in the cache"), err);
}

enum tm_status tm_store_message_first_with_flags(struct tm_store *st, int64_t mailbox_id,
                                                 unsigned mask, unsigned want, int64_t *id_out,
                                                 struct tm_error *err)
{
    /* Walks the display order and stops at the first match. */
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_FIRST_FLAGS,
                                 "SELECT d.message_id FROM display AS d CROSS JOIN messages AS m "
                                 "ON m.id = d.message_id WHERE d.mailbox_id = ?1 AND "
                                 "(m.flags & ?2) = ?3 ORDER BY d.pos, d.date, d.message_id "
                                 "LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_int64(s, 2, mask);
    sqlite3_bind_int64(s, 3, want);
    return store_query_int64(st, s, id_out, _("cannot search the cache"), _("no such message"),
                             err);
}

/* Binds value to ?1 of the cached statement id (sql) and runs it. */
static enum tm_status display_exec(struct tm_store *st, enum store_stmt id, const char *sql,
                                   int64_t value, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, id, sql, err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, value);
    return store_step_done(st, s, _("cannot store the display order"), err);
}

/* Gives message id's display row and place the place order (negative: unordered). */
static enum tm_status set_thread_place(struct tm_store *st, int64_t id, int64_t order, int depth,
                                       const char *tree, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_SET_THREAD,
                                 "UPDATE display SET pos = max(?2, -1), depth = ?3, tree = ?4 "
                                 "FROM messages AS m JOIN display_place AS x "
                                 "ON x.message_id = m.id WHERE m.id = ?1 AND "
                                 "display.mailbox_id = m.mailbox_id AND display.pos = x.pos AND "
                                 "display.date = m.date AND display.message_id = m.id",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, order);
    sqlite3_bind_int(s, 3, depth);
    sqlite3_bind_text(s, 4, tree, -1, SQLITE_STATIC);
    enum tm_status rc = store_step_done(st, s, _("cannot store thread order"), err);
    if (rc)
        return rc;
    s = store_stmt(st, STMT_MSG_SET_THREAD_PLACE,
                   "UPDATE display_place SET pos = max(?2, -1) WHERE message_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, order);
    return store_step_done(st, s, _("cannot store thread order"), err);
}

enum tm_status tm_store_message_set_thread(struct tm_store *st, int64_t id, int64_t order,
                                           int depth, const char *tree, struct tm_error *err)
{
    bool own = false;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    /* the places are no longer known to be contiguous */
    rc = display_exec(st, STMT_MSG_SET_THREAD_GAP,
                      "UPDATE mailboxes SET display_gaps = display_gaps + 1 "
                      "WHERE id = (SELECT mailbox_id FROM messages WHERE id = ?1)",
                      id, err);
    if (!rc)
        rc = set_thread_place(st, id, order, depth, tree, err);
    return store_atomic_end(st, own, rc, err);
}

enum tm_status store_display_clear(struct tm_store *st, int64_t mailbox_id, struct tm_error *err)
{
    return display_exec(st, STMT_DISPLAY_CLEAR, "DELETE FROM display WHERE mailbox_id = ?1",
                        mailbox_id, err);
}

enum tm_status store_display_dense(struct tm_store *st, int64_t mailbox_id, struct tm_error *err)
{
    return display_exec(st, STMT_DISPLAY_DENSE,
                        "UPDATE mailboxes SET display_gaps = 0 WHERE id = ?1", mailbox_id, err);
}

enum tm_status store_display_add_new(struct tm_store *st, int64_t message_id, int64_t mailbox_id,
                                     int64_t date, struct tm_error *err)
{
    if (st->display_deferred == mailbox_id)
        return TM_OK;
    sqlite3_stmt *s = store_stmt(st, STMT_DISPLAY_NEW_ROW,
                                 "INSERT INTO display(mailbox_id, pos, date, message_id) "
                                 "VALUES(?1, -1, ?2, ?3)",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_int64(s, 2, date);
    sqlite3_bind_int64(s, 3, message_id);
    enum tm_status rc = store_step_done(st, s, _("cannot store a message"), err);
    if (rc)
        return rc;
    s = store_stmt(st, STMT_DISPLAY_NEW_PLACE,
                   "INSERT INTO display_place(message_id, pos) VALUES(?1, -1)", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    return store_step_done(st, s, _("cannot store a message"), err);
}

enum tm_status tm_store_display_defer(struct tm_store *st, int64_t mailbox_id, struct tm_error *err)
{
    enum tm_status rc =
        display_exec(st, STMT_DISPLAY_DEFER,
                     "UPDATE mailboxes SET display_missing = 1 WHERE id = ?1", mailbox_id, err);
    if (!rc)
        st->display_deferred = mailbox_id;
    return rc;
}

enum tm_status tm_store_display_publish(struct tm_store *st, int64_t mailbox_id,
                                        struct tm_error *err)
{
    /* The rows first (they test for a missing place), then the places. */
    enum tm_status rc =
        display_exec(st, STMT_DISPLAY_PUBLISH_ROWS,
                     "INSERT INTO display(mailbox_id, pos, date, message_id) "
                     "SELECT mailbox_id, -1, date, id FROM messages AS m WHERE mailbox_id = ?1 AND "
                     "NOT EXISTS (SELECT 1 FROM display_place AS p WHERE p.message_id = m.id)",
                     mailbox_id, err);
    if (!rc)
        rc = display_exec(st, STMT_DISPLAY_PUBLISH_PLACES,
                          "INSERT OR IGNORE INTO display_place(message_id, pos) "
                          "SELECT id, -1 FROM messages WHERE mailbox_id = ?1 ORDER BY id",
                          mailbox_id, err);
    return rc;
}

enum tm_status tm_store_display_count(struct tm_store *st, int64_t mailbox_id, int64_t *count,
                                      struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_DISPLAY_COUNT,
                                 "SELECT count(*) FROM display WHERE mailbox_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    return store_query_int64(st, s, count, _("cannot count messages"), _("no count"), err);
}

enum tm_status tm_store_display_missing(struct tm_store *st, int64_t mailbox_id, bool *missing,
                                        struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_DISPLAY_MISSING,
                                 "SELECT display_missing FROM mailboxes WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    int r = sqlite3_step(s);
    *missing = r == SQLITE_ROW && sqlite3_column_int64(s, 0) != 0;
    enum tm_status rc = r == SQLITE_ROW || r == SQLITE_DONE
                            ? TM_OK
                            : store_error(st, err, _("cannot read a mailbox"));
    store_release(s);
    return rc;
}

/* One message of the mailbox while a new order is written. */
struct display_entry {
    int64_t message_id;
    int64_t date;
    int64_t was;      /* its place before */
    int64_t pos;      /* its new place; -1: unordered */
    const char *tree; /* borrowed from the caller's rows */
    int depth;
};

static int compare_id(const void *pa, const void *pb)
{
    const struct display_entry *a = pa, *b = pb;
    return (a->message_id > b->message_id) - (a->message_id < b->message_id);
}

/* Sorts entries by message id; input already in id order (a watched load inserts in that order)
 * costs one pass instead of a sort. */
static void sort_by_id(struct display_entry *all, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (all[i - 1].message_id >= all[i].message_id) {
            qsort(all, n, sizeof(*all), compare_id);
            return;
        }
    }
}

/* The entry of message id in all[0..n) (sorted by id, ids distinct), or NULL. Ids without a gap
 * (the usual case after a first load) are found by subtraction, others by binary search. */
static struct display_entry *find_entry(struct display_entry *all, size_t n, int64_t id)
{
    if (n == 0)
        return NULL;
    int64_t first = all[0].message_id;
    if (all[n - 1].message_id - first == (int64_t)n - 1)
        return id >= first && id - first < (int64_t)n ? &all[id - first] : NULL;
    struct display_entry probe = {.message_id = id};
    return bsearch(&probe, all, n, sizeof(*all), compare_id);
}

/* Unordered entries by (date, id), as the primary key sorts them. */
static int compare_unordered(const void *pa, const void *pb)
{
    const struct display_entry *a = *(struct display_entry *const *)pa;
    const struct display_entry *b = *(struct display_entry *const *)pb;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return compare_id(a, b);
}

/* Reads the mailbox's messages with their places into *all, sorted by message id. Normally the
 * display rows (one per message) say it all: a range scan of the primary key. When some are
 * missing (a deferred load), the message rows are read instead, a message without a place
 * reading as place -2 (so that its place is written). room is a guess at their number. */
static enum tm_status display_read(struct tm_store *st, int64_t mailbox_id, bool missing,
                                   size_t room, struct display_entry **all, size_t *n,
                                   struct tm_error *err)
{
    size_t cap = 0;
    *all = NULL;
    *n = 0;
    sqlite3_stmt *s =
        missing
            ? store_stmt(st, STMT_DISPLAY_READ_MESSAGES,
                         "SELECT m.id, m.date, coalesce(p.pos, -2) FROM messages AS m "
                         "LEFT JOIN display_place AS p ON p.message_id = m.id "
                         "WHERE m.mailbox_id = ?1",
                         err)
            : store_stmt(st, STMT_DISPLAY_READ,
                         "SELECT message_id, date, pos FROM display WHERE mailbox_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    enum tm_status rc = TM_OK;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (TM_ARRAY_RESERVE(*all, *n, cap, room + 16)) {
            rc = tm_error_set(err, TM_ENOMEM, _("out of memory writing the display order"));
            break;
        }
        (*all)[(*n)++] = (struct display_entry){.message_id = sqlite3_column_int64(s, 0),
                                                .date = sqlite3_column_int64(s, 1),
                                                .was = sqlite3_column_int64(s, 2),
                                                .pos = -1};
    }
    if (!rc && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read the display order"));
    store_release(s);
    if (!rc)
        sort_by_id(*all, *n);
    return rc;
}

/* The entries display_read would make of a mailbox whose display rows are missing, from the
 * caller's list of its messages: nothing is read. */
static enum tm_status known_entries(const struct tm_message_date *known, size_t n,
                                    struct display_entry **all, size_t *n_all, struct tm_error *err)
{
    *n_all = 0;
    if (!(*all = malloc((n ? n : 1) * sizeof(**all))))
        return tm_error_set(err, TM_ENOMEM, _("out of memory writing the display order"));
    for (size_t i = 0; i < n; i++)
        (*all)[i] = (struct display_entry){.message_id = known[i].message_id,
                                           .date = known[i].date,
                                           .was = -2, /* no place read: every place is written */
                                           .pos = -1};
    sort_by_id(*all, n);
    *n_all = n;
    return TM_OK;
}

/* Gives the entries rows names places 0, 1, ... (skipping ids that are not there or placed
 * already) and lists every entry in display key order into key[0..n_all): the unordered ones
 * by date, then the placed ones. */
static void display_place_rows(const struct tm_display_entry *rows, size_t n,
                               struct display_entry *all, size_t n_all, struct display_entry **key)
{
    size_t placed = 0, unordered = 0;
    if (n_all == 0) /* no messages: nothing to place (and bsearch takes no NULL array) */
        return;
    for (size_t i = 0; i < n; i++) {
        struct display_entry *e = find_entry(all, n_all, rows[i].message_id);
        if (!e || e->pos >= 0)
            continue;
        e->pos = (int64_t)placed++;
        e->depth = rows[i].depth;
        e->tree = rows[i].tree;
    }
    for (size_t i = 0; i < n_all; i++) {
        if (all[i].pos < 0)
            key[unordered++] = &all[i];
        else
            key[n_all - placed + (size_t)all[i].pos] = &all[i];
    }
    qsort(key, unordered, sizeof(*key), compare_unordered);
}

/* The cached INSERT of rows tuples (each "(?, ...)" of tuple) between head and tail. */
static sqlite3_stmt *batch_stmt(struct tm_store *st, enum store_stmt id, const char *head,
                                const char *tuple, const char *tail, int rows, struct tm_error *err)
{
    char sql[2048];
    size_t o = (size_t)snprintf(sql, sizeof(sql), "%s", head);
    for (int i = 0; i < rows && o < sizeof(sql); i++)
        o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s", i ? ", " : "", tuple);
    if (o < sizeof(sql))
        snprintf(sql + o, sizeof(sql) - o, "%s", tail);
    return store_stmt(st, id, sql, err);
}

/* Binds one entry as the row at index i of a display INSERT batch. */
static void bind_display_row(sqlite3_stmt *s, int i, int64_t mailbox_id,
                             const struct display_entry *e)
{
    sqlite3_bind_int64(s, 6 * i + 1, mailbox_id);
    sqlite3_bind_int64(s, 6 * i + 2, e->pos);
    sqlite3_bind_int64(s, 6 * i + 3, e->date);
    sqlite3_bind_int64(s, 6 * i + 4, e->message_id);
    sqlite3_bind_int(s, 6 * i + 5, e->depth);
    sqlite3_bind_text(s, 6 * i + 6, e->tree, -1, SQLITE_STATIC);
}

/* Binds one entry as the row at index i of a display_place upsert batch. */
static void bind_place_row(sqlite3_stmt *s, int i, int64_t mailbox_id,
                           const struct display_entry *e)
{
    (void)mailbox_id;
    sqlite3_bind_int64(s, 2 * i + 1, e->message_id);
    sqlite3_bind_int64(s, 2 * i + 2, e->pos);
}

/* How one table is written: its statements for DISPLAY_BATCH rows and for one. */
struct display_writer {
    enum store_stmt batch_id, one_id;
    const char *head, *tuple, *tail;
    void (*bind)(sqlite3_stmt *s, int i, int64_t mailbox_id, const struct display_entry *e);
};

static const struct display_writer display_rows = {
    STMT_DISPLAY_INSERT_BATCH,
    STMT_DISPLAY_INSERT,
    "INSERT INTO display(mailbox_id, pos, date, message_id, depth, tree) VALUES ",
    "(?, ?, ?, ?, ?, ?)",
    "",
    bind_display_row};

static const struct display_writer display_places = {
    STMT_DISPLAY_PLACE_BATCH,
    STMT_DISPLAY_PLACE,
    "INSERT INTO display_place(message_id, pos) VALUES ",
    "(?, ?)",
    " ON CONFLICT(message_id) DO UPDATE SET pos = excluded.pos",
    bind_place_row};

/* Writes entries list[*i..n) with w, rows per statement, while at least rows are left. */
static enum tm_status display_write_by(struct tm_store *st, const struct display_writer *w,
                                       int rows, int64_t mailbox_id,
                                       struct display_entry *const *list, size_t n, size_t *i,
                                       struct tm_error *err)
{
    if (n - *i < (size_t)rows)
        return TM_OK;
    sqlite3_stmt *s =
        batch_stmt(st, rows > 1 ? w->batch_id : w->one_id, w->head, w->tuple, w->tail, rows, err);
    if (!s)
        return TM_ESTORE;
    enum tm_status rc = TM_OK;
    for (; !rc && n - *i >= (size_t)rows; *i += (size_t)rows) {
        for (int r = 0; r < rows; r++)
            w->bind(s, r, mailbox_id, list[*i + (size_t)r]);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_error(st, err, _("cannot store the display order"));
        sqlite3_reset(s);
    }
    store_release(s);
    return rc;
}

/* Writes the n entries of list in order with w: DISPLAY_BATCH rows per statement, then one. */
static enum tm_status display_write(struct tm_store *st, const struct display_writer *w,
                                    int64_t mailbox_id, struct display_entry *const *list, size_t n,
                                    struct tm_error *err)
{
    size_t i = 0;
    enum tm_status rc = display_write_by(st, w, DISPLAY_BATCH, mailbox_id, list, n, &i, err);
    if (!rc)
        rc = display_write_by(st, w, 1, mailbox_id, list, n, &i, err);
    return rc;
}

/* Never reads the message rows: with 100,000 of them (tens of MB, beyond the page cache) one
 * look-up each would cost more than the whole write. The mailbox's display rows say which
 * messages it has and their dates; they are rewritten in key order, and the places of the
 * messages whose place changed in message id order: both tables are filled front to back. */
static enum tm_status replace(struct tm_store *st, int64_t mailbox_id,
                              const struct tm_display_entry *rows, size_t n,
                              const struct tm_message_date *known, size_t n_known,
                              struct tm_error *err)
{
    bool own = false;
    struct display_entry *all = NULL, **key = NULL;
    size_t n_all = 0, n_moved = 0;
    bool missing = false;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    rc = tm_store_display_missing(st, mailbox_id, &missing, err);
    if (!rc && missing && known) /* the caller holds what display_read would read */
        rc = known_entries(known, n_known, &all, &n_all, err);
    else if (!rc)
        rc = display_read(st, mailbox_id, missing, n, &all, &n_all, err);
    if (!rc && !(key = malloc((n_all ? n_all : 1) * sizeof(*key))))
        rc = tm_error_set(err, TM_ENOMEM, _("out of memory writing the display order"));
    if (!rc) {
        display_place_rows(rows, n, all, n_all, key);
        rc = store_display_clear(st, mailbox_id, err);
    }
    if (!rc)
        rc = display_write(st, &display_rows, mailbox_id, key, n_all, err);
    for (size_t i = 0; !rc && i < n_all; i++) {
        if (all[i].pos != all[i].was)
            key[n_moved++] = &all[i]; /* in message id order */
    }
    if (!rc)
        rc = display_write(st, &display_places, mailbox_id, key, n_moved, err);
    if (!rc)
        rc = store_display_dense(st, mailbox_id, err);
    if (!rc && missing)
        rc =
            display_exec(st, STMT_DISPLAY_COMPLETE,
                         "UPDATE mailboxes SET display_missing = 0 WHERE id = ?1", mailbox_id, err);
    free(key);
    free(all);
    rc = store_atomic_end(st, own, rc, err);
    if (!rc && st->display_deferred == mailbox_id)
        st->display_deferred = 0; /* the load is over: new messages get their rows again */
    return rc;
}

enum tm_status tm_store_display_replace(struct tm_store *st, int64_t mailbox_id,
                                        const struct tm_display_entry *rows, size_t n,
                                        struct tm_error *err)
{
    return replace(st, mailbox_id, rows, n, NULL, 0, err);
}

enum tm_status tm_store_display_replace_known(struct tm_store *st, int64_t mailbox_id,
                                              const struct tm_display_entry *rows, size_t n,
                                              const struct tm_message_date *known, size_t n_known,
                                              struct tm_error *err)
{
    return replace(st, mailbox_id, rows, n, known, n_known, err);
}

enum tm_status tm_store_data_version(struct tm_store *st, int64_t *out, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_DATA_VERSION, "PRAGMA data_version", err);
    if (!s)
        return TM_ESTORE;
    return store_query_int64(st, s, out, _("cannot read the cache's data version"),
                             _("no data version"), err);
}
