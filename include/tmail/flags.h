/* flags.h - message flag bits shared by store, backends, core and UI. */
#ifndef TMAIL_FLAGS_H
#define TMAIL_FLAGS_H

enum tm_flag {
    TM_FLAG_SEEN = 1u << 0,     /* IMAP \Seen, Maildir S */
    TM_FLAG_ANSWERED = 1u << 1, /* IMAP \Answered, Maildir R */
    TM_FLAG_FLAGGED = 1u << 2,  /* IMAP \Flagged, Maildir F */
    TM_FLAG_DELETED = 1u << 3,  /* IMAP \Deleted, Maildir T */
    TM_FLAG_DRAFT = 1u << 4,    /* IMAP \Draft, Maildir D */
    TM_FLAG_PASSED = 1u << 5,   /* forwarded: IMAP $Forwarded, Maildir P */
    TM_FLAG_RECENT = 1u << 6,   /* IMAP \Recent, Maildir: still in new/ */
};

#endif
