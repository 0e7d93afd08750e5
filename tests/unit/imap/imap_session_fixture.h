/* imap_session_fixture.h - what the IMAP session transcript tests share: a session for alice at
 * imap.example over a fresh store with INBOX, a scripted server in place of the connection, and
 * the server lines of a STARTTLS login and a first sync of INBOX (uids 1 and 2). */
#ifndef TM_IMAP_SESSION_FIXTURE_H
#define TM_IMAP_SESSION_FIXTURE_H

#include <stdint.h>

#include "src/backend/imap/private.h"
#include "tmail/config.h"

struct fx {
    struct tm_store *store;
    struct tm_backend_env env;
    struct tm_account acct;
    struct tm_session *s;
    int64_t account_id, inbox_id;
    int secret_calls;
};

/* A session for alice at imap.example (STARTTLS required unless implicit) over a fresh store. */
void fx_open(struct fx *f, enum tm_url_scheme scheme);
/* Replaces the session's stream with a scripted one playing script (see tm_stream_scripted_new). */
void fx_script(struct fx *f, const char *script);
/* Checks that the script was played to its end (the stream may be closed by then). */
void fx_finish(struct fx *f);
void fx_close(struct fx *f);
/* Logs in (t1..t4), selects INBOX (t5: 2 EXISTS, UIDVALIDITY 7, UIDNEXT 3, HIGHESTMODSEQ 10) and
 * caches uid 1 ("one", \Seen) and uid 2 ("two") (t6); INBOX stays selected, QRESYNC enabled. */
void fx_first_sync(struct fx *f);
/* The store id of INBOX's cached message uid (0 when absent). */
int64_t fx_message_id(struct fx *f, int64_t uid);
/* Turns capability cap of the session on or off, as if the server had said so. */
void fx_caps_set(struct fx *f, enum imap_cap cap, bool on);
/* Offline changes queued for the account (-1 on error). */
int64_t fx_pending_count(struct fx *f);
/* Drops the connection and points the session at 127.0.0.1:1, where nothing listens, so that
 * reconnecting is refused at once. */
void fx_go_offline(struct fx *f);

#define GREETING_STARTTLS "S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\n"
#define STARTTLS_DONE                                                                              \
    "C: t1 STARTTLS\n"                                                                             \
    "S: t1 OK Begin TLS\n"                                                                         \
    "T:\n"                                                                                         \
    "C: t2 CAPABILITY\n"                                                                           \
    "S: * CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN ENABLE QRESYNC CONDSTORE IDLE LITERAL+ "         \
    "ESEARCH\n"                                                                                    \
    "S: t2 OK done\n"
/* The login with the capabilities caps (must offer ENABLE and QRESYNC). */
#define LOGIN_WITH(caps)                                                                           \
    "C: t3 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\n"                                              \
    "S: t3 OK [CAPABILITY " caps "] in\n"                                                          \
    "C: t4 ENABLE QRESYNC\n"                                                                       \
    "S: * ENABLED QRESYNC\n"                                                                       \
    "S: t4 OK enabled\n"
#define LOGIN_DONE LOGIN_WITH("IMAP4rev1 ENABLE QRESYNC CONDSTORE IDLE LITERAL+ ESEARCH")

#define SELECT_FRESH                                                                               \
    "C: t5 SELECT INBOX\n"                                                                         \
    "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n"                                 \
    "S: * 2 EXISTS\n"                                                                              \
    "S: * OK [UIDVALIDITY 7] UIDs valid\n"                                                         \
    "S: * OK [UIDNEXT 3] Predicted next UID\n"                                                     \
    "S: * OK [HIGHESTMODSEQ 10] Highest\n"                                                         \
    "S: t5 OK [READ-WRITE] Select completed\n"
#define FETCH_NEW_CMD                                                                              \
    "UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID "           \
    "IN-REPLY-TO REFERENCES CONTENT-TYPE LIST-ID)]"
#define HDR "BODY[HEADER.FIELDS (DATE FROM SENDER TO CC SUBJECT MESSAGE-ID)]"

#endif
