/* test_store_address.c - completing recipients from the senders of cached messages: distinct
 * addresses, most recent first, the latest display name, prefix matching and the limit. */
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"
#include "tm_test.h"
#include "tmail/store.h"

/* Adds a message from name <addr> at date to mailbox; its id, 0 on failure. */
static int64_t add_from(struct tm_store *st, int64_t mailbox, const char *name, const char *addr,
                        int64_t date)
{
    static int serial;
    char key[32];
    snprintf(key, sizeof(key), "k%d", ++serial);
    struct tm_message_row row = {.mailbox_id = mailbox,
                                 .local_key = key,
                                 .date = date,
                                 .from_name = (char *)name,
                                 .from_addr = (char *)addr};
    if (tm_store_message_upsert(st, &row, NULL))
        return 0;
    return row.id;
}

/* What completion called back with: "name <addr>|" per hit ("-" for no name). */
struct hits {
    char seen[1024];
    int n, stop_after;
    struct tm_store *st;
};

static int take_hit(void *ctx, const char *name, const char *addr)
{
    struct hits *h = ctx;
    size_t len = strlen(h->seen);
    snprintf(h->seen + len, sizeof(h->seen) - len, "%s <%s>|", name ? name : "-", addr);
    h->n++;
    if (h->st) { /* nothing is open during the callback: the store may be used again */
        struct hits inner = {0};
        tm_store_address_complete(h->st, "", 1, take_hit, &inner, NULL);
    }
    return h->stop_after && h->n >= h->stop_after;
}

/* Completion of prefix with limit, as the "name <addr>|" list, into h. */
static int complete(struct tm_store *st, const char *prefix, int limit, struct hits *h)
{
    memset(h, 0, sizeof(*h));
    return tm_store_address_complete(st, prefix, limit, take_hit, h, NULL);
}

/* Two mailboxes of senders: bob writes often (his name changed), carol once, others. */
static struct tm_store *senders(void)
{
    struct tm_store *st = fixture_open();
    if (!st)
        return NULL;
    int64_t acct = fixture_account(st, "work");
    int64_t inbox = fixture_mailbox(st, acct, "INBOX"), lists = fixture_mailbox(st, acct, "Lists");
    if (!add_from(st, inbox, "Bob", "bob@example.org", 100) ||
        !add_from(st, inbox, "Robert Smith", "bob@example.org", 500) ||
        !add_from(st, lists, NULL, "Bob@Example.org", 600) || /* newest: no name, other case */
        !add_from(st, inbox, "Carol", "carol@example.org", 400) ||
        !add_from(st, lists, "Dave", "dave@lists.example", 300) ||
        !add_from(st, lists, "", "noname@example.org", 200) ||
        !add_from(st, lists, "Nobody", NULL, 900) || /* no address: never offered */
        !add_from(st, lists, "Empty", "", 950) ||
        !add_from(st, inbox, "Percent", "100%_done@example.org", 50) ||
        !add_from(st, inbox, "Olddate", "old@example.org", -5))
        tm_store_free(&st);
    return st;
}

TM_TEST(store_address_complete_all_distinct_most_recent_first)
{
    struct tm_store *st = senders();
    TM_CHECK(st);
    struct hits h;
    TM_CHECK_INT(complete(st, "", 10, &h), TM_OK);
    /* bob once (both spellings of his address), as last written, with his latest name */
    TM_CHECK_STR(h.seen, "Robert Smith <Bob@Example.org>|Carol <carol@example.org>|"
                         "Dave <dave@lists.example>|- <noname@example.org>|"
                         "Percent <100%_done@example.org>|Olddate <old@example.org>|");
    TM_CHECK_INT(complete(st, NULL, 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 6);
    tm_store_free(&st);
}

TM_TEST(store_address_complete_prefix_on_address_or_name_any_case)
{
    struct tm_store *st = senders();
    TM_CHECK(st);
    struct hits h;
    TM_CHECK_INT(complete(st, "CA", 10, &h), TM_OK);
    TM_CHECK_STR(h.seen, "Carol <carol@example.org>|");
    /* a display name: only the messages that match count, so bob shows as they wrote him */
    TM_CHECK_INT(complete(st, "rob", 10, &h), TM_OK);
    TM_CHECK_STR(h.seen, "Robert Smith <bob@example.org>|");
    TM_CHECK_INT(complete(st, "bo", 10, &h), TM_OK); /* an older name matches too */
    TM_CHECK_STR(h.seen, "Robert Smith <Bob@Example.org>|");
    TM_CHECK_INT(complete(st, "d", 10, &h), TM_OK);
    TM_CHECK_STR(h.seen, "Dave <dave@lists.example>|");
    TM_CHECK_INT(complete(st, "smith", 10, &h), TM_OK); /* a prefix, not a substring */
    TM_CHECK_INT(h.n, 0);
    TM_CHECK_INT(complete(st, "example", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    TM_CHECK_INT(complete(st, "nob", 10, &h), TM_OK); /* Nobody has no address */
    TM_CHECK_INT(h.n, 0);
    TM_CHECK_INT(complete(st, "carol@example.org", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 1);
    TM_CHECK_INT(complete(st, "carol@example.orgx", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    tm_store_free(&st);
}

TM_TEST(store_address_complete_prefix_wildcards_are_literal)
{
    struct tm_store *st = senders();
    TM_CHECK(st);
    struct hits h;
    TM_CHECK_INT(complete(st, "100%_", 10, &h), TM_OK);
    TM_CHECK_STR(h.seen, "Percent <100%_done@example.org>|");
    TM_CHECK_INT(complete(st, "%", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    TM_CHECK_INT(complete(st, "_ob", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    TM_CHECK_INT(complete(st, "\\", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    char longer[3000];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = 0;
    TM_CHECK_INT(complete(st, longer, 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    tm_store_free(&st);
}

TM_TEST(store_address_complete_limit_and_stop)
{
    struct tm_store *st = senders();
    TM_CHECK(st);
    struct hits h;
    TM_CHECK_INT(complete(st, "", 2, &h), TM_OK);
    TM_CHECK_STR(h.seen, "Robert Smith <Bob@Example.org>|Carol <carol@example.org>|");
    TM_CHECK_INT(complete(st, "", 0, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    TM_CHECK_INT(complete(st, "", -1, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    memset(&h, 0, sizeof(h));
    h.stop_after = 1;
    h.st = st;
    TM_CHECK_INT(tm_store_address_complete(st, "", 10, take_hit, &h, NULL), TM_OK);
    TM_CHECK_INT(h.n, 1);
    tm_store_free(&st);
}

TM_TEST(store_address_complete_empty_store)
{
    struct tm_store *st = fixture_open();
    TM_CHECK(st);
    struct hits h;
    TM_CHECK_INT(complete(st, "", 10, &h), TM_OK);
    TM_CHECK_INT(h.n, 0);
    tm_store_free(&st);
}
