/* event.h - events from account workers to the UI, delivered through a queue whose wake-up fd the
 * UI polls together with the keyboard (DESIGN.md "Threads and events"). Events own their payload.
 */
#ifndef TMAIL_EVENT_H
#define TMAIL_EVENT_H

#include <stdint.h>

#include "tmail/buf.h"
#include "tmail/status.h"

enum tm_event_type {
    TM_EV_SYNC_PROGRESS, /* done/total of mailbox */
    TM_EV_SYNC_DONE,     /* a sync finished; status tells how; the UI re-reads its rows */
    TM_EV_CHANGED,       /* rows of mailbox_id changed (flags, threading); re-read */
    TM_EV_BODY,          /* body holds the raw message message_id, or status an error */
    TM_EV_ERROR,         /* a job failed: text says why */
    TM_EV_SECRET,        /* the worker needs the password of account text: answer with
                            tm_core_answer_secret (the worker waits) */
    TM_EV_MAILBOXES,     /* the account's mailbox list or counts changed (text: what was done,
                            or empty); the folder browser re-reads them */
    TM_EV_OUTBOX,        /* the outbox changed: text says what happened (sent, failed with the
                            server's reply, queued); done is the number of unsent messages */
    /* A body search (tm_core_search_start) is at done of total; text says what it does;
     * message_id is the search's serial. */
    TM_EV_SEARCH_PROGRESS,
    /* A body search ended: hand it to tm_core_search_done (message_id is its serial, body its
     * result, done the messages not searched). */
    TM_EV_SEARCH_DONE,
    /* A part download (tm_core_request_part) moved on: part of message_id has done of total
     * bytes (total -1: unknown). */
    TM_EV_PART_PROGRESS,
    /* A part download ended: status TM_OK (all here), TM_ECANCELED (stopped: the bytes held
     * stay, asking again resumes), or a failure text says; part, message_id, done, total as
     * above. */
    TM_EV_PART_DONE,
};

struct tm_event {
    enum tm_event_type type;
    int64_t account_id;
    int64_t mailbox_id; /* the mailbox the event is about (0: none); a UI ignores row events of a
                           mailbox it no longer shows */
    int64_t message_id;
    int64_t done, total;
    enum tm_status status;
    char text[640];     /* translated message for a person (errors, mailbox name for progress) */
    char part[256];     /* TM_EV_PART_*: the part's IMAP section ("2", "1.3") */
    struct tm_buf body; /* owned: TM_EV_BODY's raw message */
};

/* Releases what an event owns (its body). */
void tm_event_cleanup(struct tm_event *ev);

#endif
