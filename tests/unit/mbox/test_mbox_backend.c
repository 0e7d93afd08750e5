/* test_mbox_backend.c - the mbox backend against real files: sync, flags from Status headers,
 * fetch with >From unquoting, appends, rewrites, and files that are not mboxes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tm_test.h"
#include "tmail/backend.h"
#include "tmail/flags.h"
#include "tmail/fsutil.h"
#include "tmail/store.h"

struct fixture {
    char path[512];
    struct tm_store *store;
    struct tm_backend_env env;
    struct tm_session *session;
    int64_t mailbox;
};

static const char *const TWO =
    "From alice@example.org Thu Nov  5 10:00:00 2026\n"
    "From: Alice <alice@example.org>\nSubject: first\nStatus: RO\nX-Status: AF\n"
    "Message-ID: <one@x>\n\nhello\n>From the start\n\n"
    "From bob@example.org Thu Nov  5 11:00:00 2026\n"
    "From: Bob <bob@example.org>\nSubject: second\nMessage-ID: <two@x>\n\nbye\n";

static void write_file(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool setup(struct fixture *fx, const char *content)
{
    const char *dir = tm_test_tmpdir();
    char db[600];
    int64_t account;
    memset(fx, 0, sizeof(*fx));
    snprintf(fx->path, sizeof(fx->path), "%s/box.mbox", dir);
    snprintf(db, sizeof(db), "%s/cache.sqlite", dir);
    write_file(fx->path, content, "w");
    if (tm_store_open(db, &fx->store, NULL) ||
        tm_store_account_ensure(fx->store, "t", fx->path, &account, NULL) ||
        tm_store_mailbox_ensure(fx->store, account, "INBOX", &fx->mailbox, NULL))
        return false;
    fx->env.store = fx->store;
    struct tm_account_spec spec = {"t", fx->path, account, NULL};
    return tm_mbox_ops.open(&fx->env, &spec, &fx->session, NULL) == TM_OK;
}

static void teardown(struct fixture *fx)
{
    tm_mbox_ops.close(&fx->session);
    tm_store_free(&fx->store);
}

static int64_t count(struct fixture *fx)
{
    int64_t n = -1;
    tm_store_message_count(fx->store, fx->mailbox, &n, NULL);
    return n;
}

static bool row_at(struct fixture *fx, int64_t pos, struct tm_message_row *row)
{
    int n = 0;
    memset(row, 0, sizeof(*row));
    return tm_store_message_window(fx->store, fx->mailbox, pos, 1, row, &n, NULL) == TM_OK &&
           n == 1;
}

TM_TEST(mbox_sync_lists_messages_with_flags_from_status)
{
    struct fixture fx;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    TM_CHECK(setup(&fx, TWO));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK_INT(res.added, 2);
    TM_CHECK_INT(count(&fx), 2);
    TM_CHECK(row_at(&fx, 0, &row));
    TM_CHECK_STR(row.subject, "first");
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN | TM_FLAG_ANSWERED | TM_FLAG_FLAGGED);
    tm_message_row_cleanup(&row);
    TM_CHECK(row_at(&fx, 1, &row));
    TM_CHECK_STR(row.subject, "second");
    TM_CHECK_INT(row.flags, 0);
    tm_message_row_cleanup(&row);
    teardown(&fx);
}

TM_TEST(mbox_fetch_returns_unquoted_message)
{
    struct fixture fx;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK(setup(&fx, TWO));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK(row_at(&fx, 0, &row));
    TM_CHECK_INT(tm_mbox_ops.fetch_message(fx.session, row.id, &out, NULL), TM_OK);
    TM_CHECK(strncmp(out.data, "From: Alice", 11) == 0);
    TM_CHECK(strstr(out.data, "\nhello\nFrom the start\n") != NULL);
    TM_CHECK(strstr(out.data, "From bob") == NULL);
    tm_message_row_cleanup(&row);
    tm_buf_cleanup(&out);
    teardown(&fx);
}

TM_TEST(mbox_append_keeps_old_rows_and_flags)
{
    struct fixture fx;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    TM_CHECK(setup(&fx, TWO));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK(row_at(&fx, 1, &row));
    TM_CHECK_INT(tm_mbox_ops.set_flags(fx.session, row.id, TM_FLAG_SEEN, 0, NULL), TM_OK);
    tm_message_row_cleanup(&row);
    write_file(fx.path, "\nFrom carol@x Thu Nov  5 12:00:00 2026\nSubject: third\n\nnew\n", "a");
    memset(&res, 0, sizeof(res));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK_INT(res.added, 1);
    TM_CHECK_INT(res.removed, 0);
    TM_CHECK_INT(count(&fx), 3);
    TM_CHECK(row_at(&fx, 1, &row));
    TM_CHECK_STR(row.subject, "second");
    TM_CHECK_INT(row.flags, TM_FLAG_SEEN); /* kept in the cache, the file untouched */
    tm_message_row_cleanup(&row);
    teardown(&fx);
}

TM_TEST(mbox_rewritten_file_drops_vanished_messages_and_refuses_stale_fetch)
{
    struct fixture fx;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    TM_CHECK(setup(&fx, TWO));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK(row_at(&fx, 1, &row));
    write_file(fx.path, "From bob@example.org 2026\nSubject: second\n\nbye\n", "w");
    TM_CHECK_INT(tm_mbox_ops.fetch_message(fx.session, row.id, &out, &err), TM_ENOENT);
    TM_CHECK(strstr(err.message, "rescan") != NULL);
    tm_message_row_cleanup(&row);
    memset(&res, 0, sizeof(res));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK_INT(res.removed, 2);
    TM_CHECK_INT(res.added, 1);
    TM_CHECK_INT(count(&fx), 1);
    tm_buf_cleanup(&out);
    teardown(&fx);
}

TM_TEST(mbox_open_rejects_other_files_and_accepts_empty)
{
    struct fixture fx;
    struct tm_error err;
    TM_CHECK(setup(&fx, ""));
    struct tm_sync_result res = {0};
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK_INT(count(&fx), 0);
    teardown(&fx);
    TM_CHECK(!setup(&fx, "just some text\n"));
    struct tm_account_spec spec = {"t", fx.path, 1, NULL};
    struct tm_session *s = NULL;
    TM_CHECK_INT(tm_mbox_ops.open(&fx.env, &spec, &s, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "not an mbox") != NULL);
    tm_store_free(&fx.store);
}

TM_TEST(mbox_mimekit_content_length_file_has_29_messages)
{
    struct fixture fx;
    struct tm_buf data;
    struct tm_sync_result res = {0};
    tm_buf_init(&data, 0);
    TM_CHECK_INT(tm_fs_read_file(TM_TEST_SRCDIR "/tests/data/mbox/content-length.mbox.txt", 8 << 20,
                                 0, &data, NULL),
                 TM_OK);
    TM_CHECK(setup(&fx, data.data));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK_INT(count(&fx), 29);
    tm_buf_cleanup(&data);
    teardown(&fx);
}

TM_TEST(mbox_missing_date_uses_the_from_line)
{
    struct fixture fx;
    struct tm_sync_result res = {0};
    struct tm_message_row row;
    TM_CHECK(setup(&fx, "From a@b Thu Nov  5 10:00:00 2026\nSubject: no date\n\nx\n"));
    TM_CHECK_INT(tm_mbox_ops.sync_mailbox(fx.session, "INBOX", fx.mailbox, &res, NULL), TM_OK);
    TM_CHECK(row_at(&fx, 0, &row));
    TM_CHECK_INT(row.date, 1793872800); /* 2026-11-05 10:00:00 UTC */
    tm_message_row_cleanup(&row);
    teardown(&fx);
}
