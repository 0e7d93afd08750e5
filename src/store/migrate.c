/* migrate.c - the numbered schema migrations (PRAGMA user_version) and the code applying them. */
#include <stdio.h>

#include "private.h"
#include "tmail/i18n.h"

/* Append only: never edit a migration that has shipped; add the next number instead, and raise
 * TM_STORE_SCHEMA_VERSION with it. */
static const struct store_migration migrations[] = {
    {1, "CREATE TABLE accounts("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT UNIQUE NOT NULL,"
        "  url TEXT);"
        "CREATE TABLE mailboxes("
        "  id INTEGER PRIMARY KEY,"
        "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  uidvalidity INTEGER,"
        "  uidnext INTEGER,"
        "  highest_modseq INTEGER,"
        "  UNIQUE(account_id, name));"
        /* date is NOT NULL (0 when unknown) so that display order and the row-value
         * comparison behind tm_store_message_position agree */
        "CREATE TABLE messages("
        "  id INTEGER PRIMARY KEY,"
        "  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,"
        "  uid INTEGER NOT NULL DEFAULT 0,"
        "  local_key TEXT NOT NULL,"
        "  location TEXT,"
        "  flags INTEGER NOT NULL DEFAULT 0,"
        "  date INTEGER NOT NULL DEFAULT 0,"
        "  size INTEGER,"
        "  from_name TEXT,"
        "  from_addr TEXT,"
        "  to_addrs TEXT,"
        "  subject TEXT,"
        "  message_id TEXT,"
        "  in_reply_to TEXT,"
        "  refs TEXT,"
        "  thread_order INTEGER NOT NULL DEFAULT -1,"
        "  thread_depth INTEGER NOT NULL DEFAULT 0,"
        "  thread_tree TEXT,"
        "  UNIQUE(mailbox_id, local_key));"
        "CREATE INDEX messages_display ON messages(mailbox_id, thread_order, date, id);"
        "CREATE INDEX messages_message_id ON messages(message_id);"},
    /* Which sort the stored display order was computed for ("threads", "date-reverse", ...),
     * so a changed `sort` setting reorders once and an unchanged one costs nothing. */
    {2, "ALTER TABLE mailboxes ADD COLUMN display_sort TEXT;"},
    /* Counting unread (New:N) from the index alone instead of 100,000 row look-ups. */
    {3, "CREATE INDEX messages_mailbox_flags ON messages(mailbox_id, flags);"},
    /* IMAP: LIST metadata and STATUS counts for the folder browser, look-ups by UID, cached
     * raw messages, and offline changes replayed in id order on reconnect. pending_ops names
     * its mailbox without a foreign key (mailbox deletion and reset remove the rows); its
     * (account_id, id) index serves the ordered walk and the account's cascade. */
    {4, "ALTER TABLE mailboxes ADD COLUMN delimiter TEXT;"
        "ALTER TABLE mailboxes ADD COLUMN special_use TEXT;"
        "ALTER TABLE mailboxes ADD COLUMN attrs INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE mailboxes ADD COLUMN subscribed INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE mailboxes ADD COLUMN server_total INTEGER;"
        "ALTER TABLE mailboxes ADD COLUMN server_unseen INTEGER;"
        "ALTER TABLE mailboxes ADD COLUMN synced_at INTEGER;"
        "CREATE INDEX messages_mailbox_uid ON messages(mailbox_id, uid);"
        "CREATE TABLE bodies("
        "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,"
        "  raw BLOB NOT NULL,"
        "  fetched_at INTEGER NOT NULL);"
        "CREATE TABLE pending_ops("
        "  id INTEGER PRIMARY KEY,"
        "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
        "  mailbox_id INTEGER NOT NULL,"
        "  uid INTEGER NOT NULL,"
        "  kind INTEGER NOT NULL,"
        "  flags_add INTEGER NOT NULL DEFAULT 0,"
        "  flags_clear INTEGER NOT NULL DEFAULT 0,"
        "  target TEXT,"
        "  created INTEGER NOT NULL,"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  last_error TEXT);"
        "CREATE INDEX pending_ops_account ON pending_ops(account_id, id);"},
    /* The display order moves out of messages into two small tables, so that writing a new
     * order rewrites small rows in key order instead of 100,000 message rows and their index
     * entries. Every message has one display row: pos -1 ("unordered": inserted since the order
     * was last written, shown first by date, then id, as thread_order -1 was), else its place.
     * date is a copy of messages.date so that the primary key alone is the whole display order,
     * as messages_display was. display_place is the way back from a message to its display row
     * (the rest of the key is in the message row). It is a table rather than an index on
     * display(message_id) because a new order rewrites every entry: as a table it is rewritten
     * in message id order, an index would be in display order, at random places, at several
     * times the cost. display_gaps counts ordered rows deleted (or moved by
     * tm_store_message_set_thread) since the order was written: while it is 0 the ordered rows
     * hold places 0..n-1 exactly, and window reads seek by pos. Triggers, not foreign keys,
     * keep both tables in step with messages: a foreign key would look up the message row for
     * every display row written, which costs more than the write itself for a big mailbox
     * (the message rows are tens of MB). Threading is computed in memory, so nothing reads
     * messages_message_id; thread_order, thread_depth and thread_tree of messages stay unused. */
    {5, "DROP INDEX messages_message_id;"
        "CREATE TABLE display("
        "  mailbox_id INTEGER NOT NULL,"
        "  pos INTEGER NOT NULL,"
        "  date INTEGER NOT NULL,"
        "  message_id INTEGER NOT NULL,"
        "  depth INTEGER NOT NULL DEFAULT 0,"
        "  tree TEXT,"
        "  PRIMARY KEY(mailbox_id, pos, date, message_id)) WITHOUT ROWID;"
        "CREATE TABLE display_place("
        "  message_id INTEGER PRIMARY KEY,"
        "  pos INTEGER NOT NULL);"
        "INSERT INTO display(mailbox_id, pos, date, message_id, depth, tree) "
        "  SELECT mailbox_id, max(thread_order, -1), date, id, thread_depth, thread_tree "
        "  FROM messages ORDER BY mailbox_id, thread_order, date, id;"
        "INSERT INTO display_place(message_id, pos) "
        "  SELECT id, max(thread_order, -1) FROM messages ORDER BY id;"
        "DROP INDEX messages_display;"
        "ALTER TABLE mailboxes ADD COLUMN display_gaps INTEGER NOT NULL DEFAULT 0;"
        "UPDATE mailboxes SET display_gaps = (SELECT count(*) > 0 AND NOT (min(pos) = 0 AND "
        "  max(pos) + 1 = count(*) AND count(DISTINCT pos) = count(*)) "
        "  FROM display WHERE mailbox_id = mailboxes.id AND pos >= 0);"
        "CREATE TRIGGER messages_display_insert AFTER INSERT ON messages BEGIN"
        "  INSERT INTO display(mailbox_id, pos, date, message_id)"
        "    VALUES(new.mailbox_id, -1, new.date, new.id);"
        "  INSERT INTO display_place(message_id, pos) VALUES(new.id, -1);"
        "END;"
        "CREATE TRIGGER messages_display_date AFTER UPDATE OF date ON messages"
        "  WHEN new.date IS NOT old.date BEGIN"
        "  UPDATE display SET date = new.date WHERE mailbox_id = old.mailbox_id AND"
        "    pos = (SELECT pos FROM display_place WHERE message_id = old.id) AND"
        "    date = old.date AND message_id = old.id;"
        "END;"
        "CREATE TRIGGER messages_display_delete AFTER DELETE ON messages BEGIN"
        "  UPDATE mailboxes SET display_gaps = display_gaps + 1 WHERE id = old.mailbox_id AND"
        "    (SELECT pos FROM display_place WHERE message_id = old.id) >= 0;"
        "  DELETE FROM display WHERE mailbox_id = old.mailbox_id AND"
        "    pos = (SELECT pos FROM display_place WHERE message_id = old.id) AND"
        "    date = old.date AND message_id = old.id;"
        "  DELETE FROM display_place WHERE message_id = old.id;"
        "END;"},
    /* An index of every message's flags cost a third of a bulk insert, for two questions only:
     * how many are unread, and how many are marked deleted. Partial indexes answer those and
     * hold only the (few) rows concerned. 1 is TM_FLAG_SEEN and 8 TM_FLAG_DELETED (message.c
     * checks that at compile time). */
    {6, "DROP INDEX messages_mailbox_flags;"
        "CREATE INDEX messages_unread ON messages(mailbox_id) WHERE (flags & 1) = 0;"
        "CREATE INDEX messages_deleted ON messages(mailbox_id) WHERE (flags & 8) != 0;"},
    /* The outbox: messages to send, kept until the server took them and their Sent copy is
     * stored. Rows name their account rather than reference accounts(id), because the cache
     * (and its account rows) may be thrown away and rebuilt while the outbox must survive.
     * orig_message_id has no foreign key for the same reason: a row may outlive the cached
     * original. The message is the last column so that listing rows never reads its pages.
     * outbox_account_state serves tm_store_outbox_next (each state's oldest row, in id order
     * within an account and state) and the counts. */
    {7, "CREATE TABLE outbox("
        "  id INTEGER PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  env_from TEXT NOT NULL,"
        "  rcpts TEXT NOT NULL,"
        "  subject TEXT,"
        "  to_display TEXT,"
        "  state INTEGER NOT NULL DEFAULT 0,"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  maybe_sent INTEGER NOT NULL DEFAULT 0,"
        "  next_try INTEGER NOT NULL DEFAULT 0,"
        "  last_reply TEXT,"
        "  orig_message_id INTEGER NOT NULL DEFAULT 0,"
        "  orig_flag INTEGER NOT NULL DEFAULT 0,"
        "  sent_mailbox TEXT,"
        "  message BLOB NOT NULL);"
        "CREATE INDEX outbox_account_state ON outbox(account, state, id);"},
    /* A first sync loads a whole mailbox: writing each new message's display rows as it comes
     * (two more b-trees, one of them in date order, through a trigger) and then rewriting them
     * all in the computed order cost a third of the load. So the store now writes the display
     * rows of a new message itself (tm_store_message_upsert), except for a mailbox whose
     * display rows are deferred (tm_store_display_defer): its display_missing is set, the
     * display order is written once by tm_store_display_replace from the message rows, and
     * until then the rows already published (tm_store_display_publish) are what readers see.
     * The flag is in the database, so a load cut short is completed by the next replace. */
    {8, "DROP TRIGGER messages_display_insert;"
        "ALTER TABLE mailboxes ADD COLUMN display_missing INTEGER NOT NULL DEFAULT 0;"},
    /* Body and header search (fts.c): the decoded header lines and text of each message whose
     * body is local, and a full-text index over them. The index is only a prefilter (a regular
     * expression is confirmed on the text), so it is FTS5's trigram tokenizer, which answers
     * any substring of three or more characters, with detail=none: a third of the size of the
     * text instead of three times (bench/search/README.md). message_text is the index's
     * external content: its rows go with their message (cascade), and a trigger takes a deleted
     * row out of the index. fts.c writes new rows into the index itself: through a trigger
     * every insert statement opens a savepoint, at which FTS5 flushes what it holds in memory,
     * which made indexing three times slower. stamp says which version of the message the text
     * is of (its size, for local mail).
     * message_text_pending lists the cached raw bodies (IMAP) not yet turned into text: the
     * worker catches up on them after a sync. */
    {9, "CREATE TABLE message_text("
        "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,"
        "  stamp INTEGER NOT NULL,"
        "  headers TEXT NOT NULL,"
        "  body TEXT NOT NULL);"
        "CREATE VIRTUAL TABLE message_text_index USING fts5(headers, body,"
        "  content='message_text', content_rowid='message_id', tokenize='trigram',"
        "  detail='none');"
        "CREATE TRIGGER message_text_delete AFTER DELETE ON message_text BEGIN"
        "  INSERT INTO message_text_index(message_text_index, rowid, headers, body)"
        "    VALUES('delete', old.message_id, old.headers, old.body);"
        "END;"
        "CREATE TABLE message_text_pending("
        "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE);"
        /* not INSERT OR IGNORE: body.c's upsert imposes its own conflict policy (abort) on
         * the statements of the triggers it fires */
        "CREATE TRIGGER bodies_text_insert AFTER INSERT ON bodies BEGIN"
        "  INSERT INTO message_text_pending(message_id) SELECT new.message_id WHERE NOT EXISTS"
        "    (SELECT 1 FROM message_text_pending WHERE message_id = new.message_id);"
        "END;"
        "CREATE TRIGGER bodies_text_update AFTER UPDATE OF raw ON bodies BEGIN"
        "  INSERT INTO message_text_pending(message_id) SELECT new.message_id WHERE NOT EXISTS"
        "    (SELECT 1 FROM message_text_pending WHERE message_id = new.message_id);"
        "END;"
        "INSERT INTO message_text_pending(message_id) SELECT message_id FROM bodies;"},
    /* Big IMAP messages read before they are all here: a skeleton (the raw message with some
     * parts' content left out), a row for each part left out, and the chunks of the ones being
     * or already downloaded, written in order so that a download cut short resumes from the
     * bytes held. bodies keeps meaning "the whole message" for everyone who reads it: a whole
     * body stored later drops the skeleton, and the cascade takes its parts and chunks. The
     * chunks are a rowid table (they are big) keyed by part and offset. */
    {10, "CREATE TABLE partial_bodies("
         "  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,"
         "  skeleton BLOB NOT NULL,"
         "  fetched_at INTEGER NOT NULL);"
         "CREATE TABLE body_parts("
         "  message_id INTEGER NOT NULL REFERENCES partial_bodies(message_id) ON DELETE CASCADE,"
         "  section TEXT NOT NULL,"
         "  path TEXT NOT NULL,"
         "  octets INTEGER NOT NULL,"
         "  encoding TEXT,"
         "  decoded INTEGER NOT NULL DEFAULT 0,"
         "  total INTEGER NOT NULL DEFAULT -1,"
         "  have INTEGER NOT NULL DEFAULT 0,"
         "  complete INTEGER NOT NULL DEFAULT 0,"
         "  PRIMARY KEY(message_id, section)) WITHOUT ROWID;"
         "CREATE TABLE part_chunks("
         "  id INTEGER PRIMARY KEY,"
         "  message_id INTEGER NOT NULL,"
         "  section TEXT NOT NULL,"
         "  byte_offset INTEGER NOT NULL,"
         "  data BLOB NOT NULL,"
         "  UNIQUE(message_id, section, byte_offset),"
         "  FOREIGN KEY(message_id, section) REFERENCES body_parts(message_id, section)"
         "    ON DELETE CASCADE);"
         "CREATE TRIGGER bodies_drop_partial_insert AFTER INSERT ON bodies BEGIN"
         "  DELETE FROM partial_bodies WHERE message_id = new.message_id;"
         "END;"
         "CREATE TRIGGER bodies_drop_partial_update AFTER UPDATE OF raw ON bodies BEGIN"
         "  DELETE FROM partial_bodies WHERE message_id = new.message_id;"
         "END;"},
    /* A message with a uid is keyed by it in ten digits (uid.c), so the unique key index serves
     * the look-ups by uid and messages_mailbox_uid goes: one b-tree less to write per message,
     * 6% of a first sync's CPU. Keys written before tmail padded them ("56") are padded; a row
     * that cannot be, because its uid's padded key is taken, is a duplicate of that row and
     * goes (the server's copy is fetched again if it is wanted). */
    {11, "UPDATE OR IGNORE messages SET local_key = printf('%010d', uid)"
         "  WHERE uid > 0 AND local_key != printf('%010d', uid);"
         "DELETE FROM messages WHERE uid > 0 AND local_key != printf('%010d', uid);"
         "DROP INDEX messages_mailbox_uid;"},
};

enum tm_status store_refuse_newer(struct tm_store *st, int version, int known, struct tm_error *err)
{
    if (version <= known)
        return TM_OK;
    return tm_error_set(err, TM_ESTORE,
                        _("%s: cache.sqlite was written by a newer tmail (schema %d, this tmail "
                          "knows %d)"),
                        st->path, version, known);
}

/* Applies m unless another connection did while we waited for the write lock. */
static enum tm_status migrate_one(struct tm_store *st, const struct store_migration *m,
                                  struct tm_error *err)
{
    char what[128], pragma[64];
    int version = 0;
    snprintf(what, sizeof(what), _("cannot apply schema migration %d"), m->version);
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return store_error(st, err, what);
    enum tm_status rc = store_user_version(st, &version, err);
    if (rc || version >= m->version)
        goto out;
    if (sqlite3_exec(st->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = store_error(st, err, what);
out:
    if (!sqlite3_get_autocommit(st->db)) /* still open: an error, or nothing to do */
        sqlite3_exec(st->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
    return rc;
}

enum tm_status store_migrate_list(struct tm_store *st, const struct store_migration *list, int n,
                                  struct tm_error *err)
{
    int version = 0;
    enum tm_status rc = store_user_version(st, &version, err);
    if (!rc)
        rc = store_refuse_newer(st, version, n > 0 ? list[n - 1].version : 0, err);
    for (int i = 0; !rc && i < n; i++) {
        if (list[i].version > version)
            rc = migrate_one(st, &list[i], err);
    }
    return rc;
}

const struct store_migration *store_migrations(int *n)
{
    *n = (int)(sizeof(migrations) / sizeof(migrations[0]));
    return migrations;
}

enum tm_status store_migrate(struct tm_store *st, struct tm_error *err)
{
    _Static_assert(sizeof(migrations) / sizeof(migrations[0]) == TM_STORE_SCHEMA_VERSION,
                   "one migration per schema version");
    return store_migrate_list(st, migrations, (int)(sizeof(migrations) / sizeof(migrations[0])),
                              err);
}
