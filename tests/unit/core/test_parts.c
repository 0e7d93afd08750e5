/* test_parts.c - big messages read in parts (src/core/parts.c): the left-out parts read from the
 * cache, what a body brought for reading is (whole, skeleton, stale), a downloaded part's content
 * (decoded here or by the server), and the downloads on a real worker thread with a scripted
 * backend: their own progress and end events, failures, and Ctrl-G stopping a running or a queued
 * download with the bytes held kept so that asking again resumes. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../../src/core/private.h"
#include "tm_test.h"
#include "tmail/core.h"

#define SKELETON                                                                                   \
    "From: a@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"                                 \
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"                                        \
    "--b\r\nContent-Type: text/plain\r\n\r\nHello.\r\n"                                            \
    "--b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"                            \
    "Content-Transfer-Encoding: base64\r\n\r\n\r\n"                                                \
    "--b\r\nContent-Type: text/plain; name=\"log.txt\"\r\n"                                        \
    "Content-Disposition: attachment\r\n\r\n\r\n"                                                  \
    "--b--\r\n"

/* What the scripted server holds of the parts left out: part 2 base64 (its decoded bytes are
 * DECODED2), part 3 plain text. */
#define DECODED2 "The quick brown fox jumps over the lazy dog, twice: the quick brown fox."
#define PART2                                                                                      \
    "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZywgdHdpY2U6IHRoZSBx\r\n"             \
    "dWljayBicm93biBmb3gu\r\n"
#define PART3 "line 1 of the log\nline 2 of the log\nline 3 of the log\n"
#define CHUNK 16

/* The scripted backend: fetch_part copies a part from the strings above into the cache in
 * chunks of CHUNK bytes, as imap_fetch_part does. */
static struct {
    const struct tm_backend_env *env; /* the worker's, from open */
    int gate_after;       /* chunks after which it waits until stopped (0: never waits) */
    int delay_ms;         /* pause after each chunk */
    enum tm_status fail;  /* TM_OK, or what to fail with at once */
    int64_t resumed_from; /* the offset the last call started at */
    int calls;
} fake;

static int fake_session_object;

static enum tm_status fake_open(const struct tm_backend_env *env,
                                const struct tm_account_spec *acct, struct tm_session **out,
                                struct tm_error *err)
{
    (void)acct;
    (void)err;
    fake.env = env;
    *out = (struct tm_session *)&fake_session_object;
    return TM_OK;
}

static void fake_close(struct tm_session **pp)
{
    *pp = NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Waits up to 10 s for the worker's stop flag; true when it came. */
static bool wait_stopped(void)
{
    for (int i = 0; i < 1000; i++) {
        if (fake.env->cancel && *fake.env->cancel)
            return true;
        sleep_ms(10);
    }
    return false;
}

static enum tm_status fake_fetch_part(struct tm_session *s, int64_t message_id, const char *section,
                                      tm_progress_fn progress, void *ctx, struct tm_error *err)
{
    (void)s;
    struct tm_store *st = fake.env->store;
    const char *content = strcmp(section, "2") == 0 ? PART2 : PART3;
    int64_t len = (int64_t)strlen(content), have = 0;
    fake.calls++;
    if (fake.fail)
        return tm_error_set(err, fake.fail, "%s cannot be reached", "imap.example.org");
    enum tm_status rc = tm_store_part_begin(st, message_id, section, false, len, &have, err);
    if (rc)
        return rc;
    fake.resumed_from = have;
    for (int chunk = 0; have < len; chunk++) {
        if (fake.gate_after && chunk == fake.gate_after && wait_stopped())
            return tm_error_set(err, TM_ECANCELED, "%s", "download stopped");
        int64_t n = len - have < CHUNK ? len - have : CHUNK;
        rc = tm_store_part_add(st, message_id, section, have, content + have, (size_t)n,
                               have + n == len, err);
        if (rc)
            return rc;
        have += n;
        if (progress)
            progress(ctx, section, have, len);
        if (fake.delay_ms)
            sleep_ms(fake.delay_ms);
    }
    return TM_OK;
}

static const struct tm_backend_ops fake_imap = {
    .name = "fake", .open = fake_open, .close = fake_close, .fetch_part = fake_fetch_part};
static const struct tm_backend_ops fake_local = {
    .name = "local", .open = fake_open, .close = fake_close};

/* A controller made by hand around the scripted backend: the UI side of parts.c needs the store,
 * the event queue and the worker only. */
struct fixture {
    struct tm_core core;
    char store_path[1024];
    int64_t message_id;
};

static const struct tm_store_part LEFT_OUT[] = {
    {.section = "2", .path = "2", .octets = sizeof(PART2) - 1, .encoding = "base64"},
    {.section = "3", .path = "3", .octets = sizeof(PART3) - 1, .encoding = NULL},
};

static bool fixture_open(struct fixture *f, const struct tm_backend_ops *ops, bool with_worker)
{
    struct tm_error err;
    int64_t account = 0, mailbox = 0;
    memset(f, 0, sizeof(*f));
    memset(&fake, 0, sizeof(fake));
    snprintf(f->store_path, sizeof(f->store_path), "%s/cache.sqlite", tm_test_tmpdir());
    if (tm_store_open(f->store_path, &f->core.store, &err) ||
        tm_store_account_ensure(f->core.store, "test", "imaps://imap.example.org", &account,
                                &err) ||
        tm_store_mailbox_ensure(f->core.store, account, "INBOX", &mailbox, &err))
        return false;
    struct tm_message_row row = {.mailbox_id = mailbox,
                                 .uid = 7,
                                 .local_key = (char *)"0000000007",
                                 .size = 5 * 1024 * 1024,
                                 .subject = (char *)"big"};
    if (tm_store_message_upsert(f->core.store, &row, &err) ||
        tm_store_partial_put(f->core.store, row.id, SKELETON, strlen(SKELETON), LEFT_OUT, 2, &err))
        return false;
    f->message_id = row.id;
    f->core.ops = ops;
    f->core.account_id = account;
    if (event_queue_new(&f->core.events, &err))
        return false;
    struct worker *w = &f->core.worker;
    w->ops = ops;
    w->store_path = f->store_path;
    w->account_name = (char *)"test";
    w->account_id = account;
    w->events = f->core.events;
    return !with_worker || worker_start(w, &err) == TM_OK;
}

static void fixture_close(struct fixture *f)
{
    struct tm_event ev;
    worker_stop(&f->core.worker);
    while (f->core.events && tm_core_next_event(&f->core, &ev))
        tm_event_cleanup(&ev);
    event_queue_free(&f->core.events);
    tm_store_free(&f->core.store);
}

/* Waits up to 10 s for an event of type (others are dropped); false on timeout. */
static bool next_of(struct fixture *f, enum tm_event_type type, struct tm_event *ev)
{
    for (int i = 0; i < 200; i++) {
        while (tm_core_next_event(&f->core, ev)) {
            if (ev->type == type)
                return true;
            if (ev->type == TM_EV_BODY || ev->type == TM_EV_ERROR)
                fprintf(stderr, "unexpected event %d: %s\n", (int)ev->type, ev->text);
            tm_event_cleanup(ev);
        }
        struct pollfd p = {tm_core_event_fd(&f->core), POLLIN, 0};
        poll(&p, 1, 50);
    }
    return false;
}

/* Counts the events queued now by type (and drops them). */
static int drain(struct fixture *f, enum tm_event_type type)
{
    struct tm_event ev;
    int n = 0;
    while (tm_core_next_event(&f->core, &ev)) {
        n += ev.type == type;
        tm_event_cleanup(&ev);
    }
    return n;
}

static const struct tm_core_part *part_of(const struct tm_core_parts *parts, const char *section)
{
    for (size_t i = 0; i < parts->n; i++)
        if (strcmp(parts->items[i].section, section) == 0)
            return &parts->items[i];
    return NULL;
}

TM_TEST(parts_load_lists_the_left_out_parts_and_find_goes_by_path)
{
    struct fixture f;
    struct tm_core_parts parts = {0};
    struct tm_error err;
    TM_CHECK(fixture_open(&f, &fake_imap, false));
    TM_CHECK_INT(tm_core_parts_load(&f.core, f.message_id, &parts, &err), TM_OK);
    TM_CHECK_INT(parts.n, 2);
    TM_CHECK_STR(parts.items[0].section, "2");
    TM_CHECK_STR(parts.items[0].path, "2");
    TM_CHECK_STR(parts.items[0].encoding, "base64");
    TM_CHECK_INT(parts.items[0].octets, sizeof(PART2) - 1);
    TM_CHECK_INT(parts.items[0].have, 0);
    TM_CHECK(!parts.items[0].complete);
    TM_CHECK(parts.items[1].encoding == NULL);
    TM_CHECK(tm_core_parts_find(&parts, "3") == &parts.items[1]);
    TM_CHECK(tm_core_parts_find(&parts, "1") == NULL); /* the text came with the skeleton */
    TM_CHECK(tm_core_parts_find(NULL, "2") == NULL);
    /* loading again replaces; a message without a skeleton has none */
    TM_CHECK_INT(tm_core_parts_load(&f.core, f.message_id, &parts, &err), TM_OK);
    TM_CHECK_INT(parts.n, 2);
    TM_CHECK_INT(tm_core_parts_load(&f.core, f.message_id + 100, &parts, &err), TM_OK);
    TM_CHECK_INT(parts.n, 0);
    TM_CHECK(parts.items == NULL);
    tm_core_parts_cleanup(&parts);
    fixture_close(&f);
}

TM_TEST(parts_body_kind_tells_skeleton_whole_and_stale_apart)
{
    struct fixture f;
    struct tm_core_parts parts = {0};
    struct tm_error err;
    enum tm_core_body_kind kind;
    const char *whole = "From: a@example.org\r\nSubject: big\r\n\r\nall of it\r\n";
    TM_CHECK(fixture_open(&f, &fake_imap, false));
    /* the skeleton as cached: its left-out parts come along */
    TM_CHECK_INT(
        tm_core_body_kind(&f.core, f.message_id, SKELETON, strlen(SKELETON), &kind, &parts, &err),
        TM_OK);
    TM_CHECK_INT(kind, TM_BODY_PARTIAL);
    TM_CHECK_INT(parts.n, 2);
    /* a body that is neither: not known to be whole */
    TM_CHECK_INT(tm_core_body_kind(&f.core, f.message_id, "x", 1, &kind, &parts, &err), TM_OK);
    TM_CHECK_INT(kind, TM_BODY_STALE);
    TM_CHECK_INT(parts.n, 0);
    /* the whole message came since (it replaces the skeleton): the skeleton is stale */
    TM_CHECK_INT(tm_store_body_put(f.core.store, f.message_id, whole, strlen(whole), &err), TM_OK);
    TM_CHECK_INT(
        tm_core_body_kind(&f.core, f.message_id, SKELETON, strlen(SKELETON), &kind, &parts, &err),
        TM_OK);
    TM_CHECK_INT(kind, TM_BODY_STALE);
    TM_CHECK_INT(
        tm_core_body_kind(&f.core, f.message_id, whole, strlen(whole), &kind, &parts, &err), TM_OK);
    TM_CHECK_INT(kind, TM_BODY_WHOLE);
    TM_CHECK_INT(parts.n, 0);
    /* nothing cached: a server's message is not known to be whole, local mail is */
    TM_CHECK_INT(
        tm_core_body_kind(&f.core, f.message_id + 100, whole, strlen(whole), &kind, &parts, &err),
        TM_OK);
    TM_CHECK_INT(kind, TM_BODY_STALE);
    f.core.ops = &fake_local;
    TM_CHECK_INT(
        tm_core_body_kind(&f.core, f.message_id + 100, whole, strlen(whole), &kind, &parts, &err),
        TM_OK);
    TM_CHECK_INT(kind, TM_BODY_WHOLE);
    tm_core_parts_cleanup(&parts);
    fixture_close(&f);
}

TM_TEST(parts_payload_decodes_what_came_encoded_and_keeps_what_came_decoded)
{
    struct fixture f;
    struct tm_error err;
    struct tm_buf out;
    int64_t have = 0;
    TM_CHECK(fixture_open(&f, &fake_imap, false));
    tm_buf_init(&out, 1 << 20);
    /* not downloaded yet */
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "2", &out, &err), TM_ENOENT);
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "9", &out, &err), TM_ENOENT);
    /* part 2 as the server stores it (base64): decoded here */
    TM_CHECK_INT(
        tm_store_part_begin(f.core.store, f.message_id, "2", false, sizeof(PART2) - 1, &have, &err),
        TM_OK);
    TM_CHECK_INT(tm_store_part_add(f.core.store, f.message_id, "2", 0, PART2, 40, false, &err),
                 TM_OK);
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "2", &out, &err), TM_ENOENT);
    TM_CHECK_INT(tm_store_part_add(f.core.store, f.message_id, "2", 40, PART2 + 40,
                                   sizeof(PART2) - 1 - 40, true, &err),
                 TM_OK);
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "2", &out, &err), TM_OK);
    TM_CHECK_INT(out.len, strlen(DECODED2));
    TM_CHECK(memcmp(out.data, DECODED2, out.len) == 0);
    /* part 3 decoded by the server (BINARY): taken as it is */
    tm_buf_reset(&out);
    TM_CHECK_INT(
        tm_store_part_begin(f.core.store, f.message_id, "3", true, sizeof(PART3) - 1, &have, &err),
        TM_OK);
    TM_CHECK_INT(
        tm_store_part_add(f.core.store, f.message_id, "3", 0, PART3, sizeof(PART3) - 1, true, &err),
        TM_OK);
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "3", &out, &err), TM_OK);
    TM_CHECK_STR(out.data, PART3);
    /* out's cap holds */
    struct tm_buf small;
    tm_buf_init(&small, 10);
    TM_CHECK(tm_core_part_payload(&f.core, f.message_id, "3", &small, &err) != TM_OK);
    TM_CHECK(err.message[0] != 0);
    tm_buf_cleanup(&small);
    tm_buf_cleanup(&out);
    fixture_close(&f);
}

TM_TEST(parts_download_reports_progress_and_its_end_with_its_own_events)
{
    struct fixture f;
    struct tm_error err;
    struct tm_event ev;
    struct tm_buf out;
    TM_CHECK(fixture_open(&f, &fake_imap, true));
    fake.delay_ms = 120; /* progress is told at most every 100 ms */
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "3", &err), TM_OK);
    TM_CHECK(next_of(&f, TM_EV_PART_PROGRESS, &ev));
    TM_CHECK_INT(ev.message_id, f.message_id);
    TM_CHECK_STR(ev.part, "3");
    TM_CHECK_INT(ev.done, CHUNK);
    TM_CHECK_INT(ev.total, sizeof(PART3) - 1);
    TM_CHECK(next_of(&f, TM_EV_PART_DONE, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK_INT(ev.message_id, f.message_id);
    TM_CHECK_STR(ev.part, "3");
    TM_CHECK_INT(ev.done, sizeof(PART3) - 1);
    TM_CHECK_INT(ev.total, sizeof(PART3) - 1);
    TM_CHECK_INT(ev.body.len, 0);
    tm_buf_init(&out, 1 << 20);
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "3", &out, &err), TM_OK);
    TM_CHECK_STR(out.data, PART3);
    tm_buf_cleanup(&out);
    /* nothing left to stop */
    TM_CHECK(!tm_core_part_cancel(&f.core));
    fixture_close(&f);
}

TM_TEST(parts_download_failure_ends_with_why)
{
    struct fixture f;
    struct tm_error err;
    struct tm_event ev;
    TM_CHECK(fixture_open(&f, &fake_imap, true));
    fake.fail = TM_ENET;
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "2", &err), TM_OK);
    TM_CHECK(next_of(&f, TM_EV_PART_DONE, &ev));
    TM_CHECK_INT(ev.status, TM_ENET);
    TM_CHECK_STR(ev.part, "2");
    TM_CHECK(strstr(ev.text, "imap.example.org cannot be reached") != NULL);
    TM_CHECK_INT(ev.done, 0);
    TM_CHECK_INT(drain(&f, TM_EV_ERROR), 0); /* said once, in the download's own event */
    fixture_close(&f);
}

TM_TEST(parts_download_without_fetch_part_says_why)
{
    struct fixture f;
    struct tm_error err;
    struct tm_event ev;
    TM_CHECK(fixture_open(&f, &fake_local, true));
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "2", &err), TM_OK);
    TM_CHECK(next_of(&f, TM_EV_PART_DONE, &ev));
    TM_CHECK_INT(ev.status, TM_ENOTSUP);
    TM_CHECK(ev.text[0] != 0);
    fixture_close(&f);
}

TM_TEST(parts_request_refuses_a_section_too_long_for_its_events)
{
    struct fixture f;
    struct tm_error err;
    char section[400];
    TM_CHECK(fixture_open(&f, &fake_imap, true));
    for (size_t i = 0; i + 1 < sizeof(section); i += 2)
        memcpy(section + i, "1.", 2);
    section[sizeof(section) - 1] = 0;
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, section, &err), TM_ELIMIT);
    TM_CHECK_INT(err.status, TM_ELIMIT);
    fixture_close(&f);
}

TM_TEST(parts_cancel_stops_a_running_download_and_asking_again_resumes)
{
    struct fixture f;
    struct tm_error err;
    struct tm_event ev;
    struct tm_core_parts parts = {0};
    struct tm_buf out;
    TM_CHECK(fixture_open(&f, &fake_imap, true));
    TM_CHECK(!tm_core_part_cancel(&f.core)); /* nothing runs yet */
    fake.gate_after = 2;                     /* two chunks, then it waits to be stopped */
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "2", &err), TM_OK);
    TM_CHECK(next_of(&f, TM_EV_PART_PROGRESS, &ev)); /* the first is told at once */
    TM_CHECK(tm_core_part_cancel(&f.core));
    TM_CHECK(next_of(&f, TM_EV_PART_DONE, &ev));
    TM_CHECK_INT(ev.status, TM_ECANCELED);
    TM_CHECK_STR(ev.part, "2");
    TM_CHECK_INT(ev.done, 2 * CHUNK); /* what is held stays */
    TM_CHECK_INT(ev.total, sizeof(PART2) - 1);
    TM_CHECK_INT(tm_core_parts_load(&f.core, f.message_id, &parts, &err), TM_OK);
    TM_CHECK_INT(part_of(&parts, "2")->have, 2 * CHUNK);
    TM_CHECK(!part_of(&parts, "2")->complete);
    /* the stop was for that download only: the next one runs to its end, from where it was */
    fake.gate_after = 0;
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "2", &err), TM_OK);
    TM_CHECK(next_of(&f, TM_EV_PART_DONE, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK_INT(fake.resumed_from, 2 * CHUNK);
    TM_CHECK_INT(fake.calls, 2);
    tm_buf_init(&out, 1 << 20);
    TM_CHECK_INT(tm_core_part_payload(&f.core, f.message_id, "2", &out, &err), TM_OK);
    TM_CHECK_INT(out.len, strlen(DECODED2));
    TM_CHECK(memcmp(out.data, DECODED2, out.len) == 0);
    tm_buf_cleanup(&out);
    tm_core_parts_cleanup(&parts);
    fixture_close(&f);
}

TM_TEST(parts_cancel_also_drops_queued_downloads_each_told_stopped)
{
    struct fixture f;
    struct tm_error err;
    struct tm_event ev;
    bool done2 = false, done3 = false;
    TM_CHECK(fixture_open(&f, &fake_imap, true));
    fake.gate_after = 1;
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "2", &err), TM_OK);
    TM_CHECK_INT(tm_core_request_part(&f.core, f.message_id, "3", &err), TM_OK);
    TM_CHECK(next_of(&f, TM_EV_PART_PROGRESS, &ev));
    TM_CHECK_STR(ev.part, "2");
    TM_CHECK(tm_core_part_cancel(&f.core));
    for (int i = 0; i < 2; i++) {
        TM_CHECK(next_of(&f, TM_EV_PART_DONE, &ev));
        TM_CHECK_INT(ev.status, TM_ECANCELED);
        TM_CHECK_INT(ev.message_id, f.message_id);
        if (strcmp(ev.part, "2") == 0) {
            done2 = true;
            TM_CHECK_INT(ev.done, CHUNK);
        } else {
            done3 = true;
            TM_CHECK_STR(ev.part, "3");
            TM_CHECK_INT(ev.done, 0); /* never started */
        }
    }
    TM_CHECK(done2 && done3);
    TM_CHECK(worker_wait_idle(&f.core.worker, 10000));
    TM_CHECK_INT(fake.calls, 1); /* part 3 was never asked of the server */
    TM_CHECK(!tm_core_part_cancel(&f.core));
    fixture_close(&f);
}
