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
