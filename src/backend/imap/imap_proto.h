/* imap_proto.h - IMAP protocol pieces with no I/O of their own: the response reader, typed
 * decoders, sequence sets, modified UTF-7 and command-argument quoting (RFC 3501, RFC 9051, RFC
 * 7162, RFC 4315, RFC 4731, RFC 6154, RFC 7888, RFC 6855). Module-internal: only backend/imap
 * includes it. */
#ifndef TMAIL_IMAP_PROTO_H
#define TMAIL_IMAP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/buf.h"
#include "tmail/status.h"

/* ---- Byte source (imap_source.c) ---- */

/* Where responses come from. net's tm_stream_read_line / tm_stream_read_exact have exactly these
 * shapes, so a stream is adapted with two cast-free wrapper functions by the session; tests use an
 * in-memory source. */
struct imap_source {
    void *ctx;
    /* Appends one line without its CRLF (bare LF also ends it) to line; TM_ELIMIT past max bytes;
     * TM_ENET on EOF. */
    enum tm_status (*read_line)(void *ctx, struct tm_buf *line, size_t max, struct tm_error *err);
    /* Reads exactly n bytes into buf. */
    enum tm_status (*read_exact)(void *ctx, void *buf, size_t n, struct tm_error *err);
};

/* An in-memory source over borrowed bytes; fields are private. */
struct imap_memsource {
    const char *data;
    size_t len;
    size_t pos;     /* next unread byte */
    size_t visible; /* bytes "received" so far: pos <= visible <= len */
    size_t chunk;   /* how many more bytes each refill makes visible; 0: all at once */
};

/* An in-memory source over data[0..len) (borrowed, must outlive the source); chunk > 0 limits how
 * much each refill can see, like short reads from a socket, to prove that nothing depends on read
 * boundaries. */
void imap_memsource_init(struct imap_memsource *m, const char *data, size_t len, size_t chunk);
struct imap_source imap_memsource_source(struct imap_memsource *m);

/* ---- Reading responses (imap_parse.c) ---- */

#define IMAP_DEFAULT_MAX_LINE     ((size_t)1 << 20)
#define IMAP_DEFAULT_MAX_LITERAL  ((size_t)64 << 20)
#define IMAP_DEFAULT_MAX_RESPONSE ((size_t)128 << 20)
#define IMAP_DEFAULT_MAX_DEPTH    32
#define IMAP_DEFAULT_MAX_ITEMS    ((size_t)1000000)

/* A zero field means its default. */
struct imap_limits {
    size_t max_line;     /* bytes of one line without CRLF */
    size_t max_literal;  /* bytes of one literal; a bigger one is refused before it is read */
    size_t max_response; /* all lines and literals of one response */
    int max_depth;       /* nested parenthesised lists (response-code lists count too) */
    size_t max_items;    /* values in one response, at every depth */
};

enum imap_vtype { IMAP_V_ATOM, IMAP_V_NUMBER, IMAP_V_STRING, IMAP_V_NIL, IMAP_V_LIST };

struct imap_value {
    enum imap_vtype type;
    /* ATOM, NUMBER (its digits), STRING (decoded: quoted escapes removed; literal bytes, may
     * contain NUL); always NUL-terminated too. NIL and LIST: NULL, 0. */
    const char *str;
    size_t len;
    uint64_t num;             /* NUMBER: its value (<= 2^63-1; bigger is a parse error) */
    struct imap_value *items; /* LIST */
    size_t n;
    bool literal; /* STRING came as a literal ({n}, {n+} or ~{n}) */
};

enum imap_kind { IMAP_TAGGED, IMAP_UNTAGGED, IMAP_CONTINUATION };
enum imap_cond {
    IMAP_COND_NONE,
    IMAP_COND_OK,
    IMAP_COND_NO,
    IMAP_COND_BAD,
    IMAP_COND_BYE,
    IMAP_COND_PREAUTH
};

/* One whole response. Every pointer is borrowed from the parser: valid until the next
 * imap_read_response or imap_parser_free on the same parser. */
struct imap_response {
    enum imap_kind kind;
    const char *tag;     /* TAGGED; NULL otherwise */
    enum imap_cond cond; /* status responses: tagged ones always; untagged OK/NO/BAD/BYE/PREAUTH */
    /* Response code atom upper-cased ("UIDVALIDITY", "ALERT", "CAPABILITY", "COPYUID", ...) or
     * NULL. A code whose arguments are not IMAP values (RFC 3501: any text but "]") has them as one
     * ATOM holding that raw text. */
    const char *code;
    const struct imap_value *code_args;
    size_t n_code_args;
    /* Human text after the code (may be ""), or a continuation's text or base64; NULL for data
     * responses. Untrusted: sanitize before showing it. */
    const char *text;
    bool has_number; /* "* 23 EXISTS", "* 5 FETCH (...)" */
    uint64_t number;
    /* Upper-cased: "EXISTS", "EXPUNGE", "FETCH", "CAPABILITY", "LIST", "LSUB", "FLAGS", "SEARCH",
     * "ESEARCH", "VANISHED", "ENABLED", "STATUS", "RECENT", ...; NULL for status responses and
     * continuations. */
    const char *keyword;
    const struct imap_value *args; /* everything after the keyword */
    size_t n_args;
};

/* A bump allocator reset per response (imap_arena.c): small allocations share blocks, big ones
 * (literals) get their own, and the first block is kept and grows to what a typical response
 * needs, so a steady stream of similar responses allocates nothing. */
struct imap_arena_block;
struct imap_arena {
    struct imap_arena_block *first; /* kept across resets */
    struct imap_arena_block *cur;   /* where small allocations go */
    struct imap_arena_block *extra; /* freed at the next reset */
    size_t used;                    /* bytes handed out since the last reset */
};
enum tm_status imap_arena_init(struct imap_arena *a);
/* size bytes aligned to align (a power of two); NULL when out of memory. */
void *imap_arena_alloc(struct imap_arena *a, size_t size, size_t align);
/* Invalidates everything allocated. */
void imap_arena_reset(struct imap_arena *a);
void imap_arena_cleanup(struct imap_arena *a);

struct imap_parser; /* owns a reusable arena and line buffer */

/* A parser with lim (NULL or zero fields: defaults). Free it with imap_parser_free. */
enum tm_status imap_parser_new(const struct imap_limits *lim, struct imap_parser **out,
                               struct tm_error *err);
void imap_parser_free(struct imap_parser **pp);

/* Reads one whole response (a line and every literal it announces, {n}, {n+} and ~{n}) from src
 * into *resp. resp and everything it points to stay valid until the next call on the same parser.
 * Errors: what src returned (TM_ENET at end of input), TM_EPARSE for a malformed response,
 * TM_ELIMIT when a limit was hit (a too-big literal is refused before anything is allocated or
 * read), TM_ENOMEM; err's message names the problem with a short sanitized excerpt, and its
 * server_reply holds the sanitized line (err is written only on failure). After any error the
 * stream is at an unknown position: the session must drop the connection. */
enum tm_status imap_read_response(struct imap_parser *p, const struct imap_source *src,
                                  struct imap_response *resp, struct tm_error *err);

/* Writes s[0..len) into out[0..size) as printable ASCII, other bytes (and "\\") as \\xNN, cut to
 * fit: for error messages that quote untrusted input. */
void imap_sanitize(char *out, size_t size, const char *s, size_t len);

/* Helpers over parsed values. */
/* True when v is an ATOM equal to atom (ASCII case-insensitive). */
bool imap_value_is_atom(const struct imap_value *v, const char *atom);
/* True when list is a LIST holding an ATOM equal to atom (case-insensitive), e.g. "\\*". */
bool imap_list_has_atom(const struct imap_value *list, const char *atom);
/* True when r's response code is code (upper case) and its first argument is a NUMBER: *out gets
 * it. For UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, UNSEEN. */
bool imap_code_number(const struct imap_response *r, const char *code, uint64_t *out);

/* ---- Typed decoders (imap_decode.c) ---- */

/* enum tm_flag bits from a FLAGS list (NULL or not a list: 0): \Seen \Answered \Flagged \Deleted
 * \Draft \Recent, $Forwarded (case-insensitive); other keywords are ignored. */
unsigned imap_flags_from_list(const struct imap_value *list);
/* Appends "\\Seen \\Flagged" style text for STORE/APPEND from tm_flag bits (TM_FLAG_PASSED gives
 * $Forwarded; \Recent never); nothing for 0. Returns what appending to out returned. */
enum tm_status imap_flags_format(unsigned flags, struct tm_buf *out);

/* Pointers are borrowed from the response. */
struct imap_fetch {
    uint64_t seq;
    bool has_uid;
    uint32_t uid;
    bool has_flags;
    unsigned flags;
    bool has_modseq;
    uint64_t modseq;
    bool has_size;
    uint64_t size;
    bool has_internaldate;
    int64_t internaldate; /* epoch seconds (RFC 3501 date-time "17-Jul-1996 02:44:25 -0700") */
    const char *header;   /* BODY[HEADER], BODY[HEADER.FIELDS (...)], RFC822.HEADER */
    size_t header_len;
    const char *body; /* BODY[], BINARY[], RFC822 (also partial, <n>); NIL body: NULL */
    size_t body_len;
    /* The last other BODY[...] / BINARY[...] section ("1.2", "TEXT", "1.MIME"), without the
     * brackets or <partial>; section NULL when there was none. */
    const char *section;
    size_t section_len;
    const char *section_data;
    size_t section_data_len;
    const struct imap_value *bodystructure, *envelope; /* lists, NULL when absent */
    /* BINARY.SIZE[section] (RFC 3516): the last one's decoded size and section (borrowed). */
    bool has_binary_size;
    uint64_t binary_size;
    const char *binary_size_section;
    size_t binary_size_section_len;
};

/* Decodes a FETCH response's attribute list; unknown attributes are skipped. Bad values (sequence
 * number 0 or > 2^32-1, uid 0 or > 2^32-1, size > 2^53, modseq 0 or > 2^63-1, bad date, wrong
 * types, an odd list) give TM_EPARSE with a clear message. */
enum tm_status imap_fetch_decode(const struct imap_response *r, struct imap_fetch *f,
                                 struct tm_error *err);

enum imap_cap {
    IMAP_CAP_IMAP4REV1,
    IMAP_CAP_IMAP4REV2,
    IMAP_CAP_STARTTLS,
    IMAP_CAP_LOGINDISABLED,
    IMAP_CAP_SASL_IR,
    IMAP_CAP_LITERALPLUS,
    IMAP_CAP_LITERALMINUS,
    IMAP_CAP_IDLE,
    IMAP_CAP_CONDSTORE,
    IMAP_CAP_QRESYNC,
    IMAP_CAP_ENABLE,
    IMAP_CAP_UIDPLUS,
    IMAP_CAP_MOVE,
    IMAP_CAP_SPECIAL_USE,
    IMAP_CAP_LIST_STATUS,
    IMAP_CAP_LIST_EXTENDED,
    IMAP_CAP_ESEARCH,
    IMAP_CAP_BINARY,
    IMAP_CAP_UTF8_ACCEPT, /* also set by UTF8=ONLY */
    IMAP_CAP_NAMESPACE,
    IMAP_CAP_NOTIFY,
    IMAP_CAP_COMPRESS_DEFLATE,
    IMAP_CAP_ID,
    IMAP_CAP_UNSELECT,
    IMAP_CAP__COUNT
};

/* AUTH= mechanisms the server offers. */
#define IMAP_AUTH_PLAIN         (1u << 0)
#define IMAP_AUTH_LOGIN         (1u << 1)
#define IMAP_AUTH_XOAUTH2       (1u << 2)
#define IMAP_AUTH_OAUTHBEARER   (1u << 3)
#define IMAP_AUTH_SCRAM_SHA_256 (1u << 4)

struct imap_caps {
    uint64_t bits; /* 1 << enum imap_cap */
    unsigned auth; /* IMAP_AUTH_* */
};

/* Replaces *caps with what vals says: a CAPABILITY untagged response's args or a [CAPABILITY ...]
 * response code's args. Names are case-insensitive; unknown ones and non-atoms are ignored. Only
 * what is listed is set (IMAP4rev2 implies nothing here). */
void imap_caps_parse(const struct imap_value *vals, size_t n, struct imap_caps *caps);
bool imap_caps_has(const struct imap_caps *c, enum imap_cap cap);

/* LIST attributes (RFC 3501, RFC 5258, RFC 6154). */
#define IMAP_LIST_NOSELECT      (1u << 0)
#define IMAP_LIST_NOINFERIORS   (1u << 1)
#define IMAP_LIST_HASCHILDREN   (1u << 2)
#define IMAP_LIST_HASNOCHILDREN (1u << 3)
#define IMAP_LIST_MARKED        (1u << 4)
#define IMAP_LIST_UNMARKED      (1u << 5)
#define IMAP_LIST_SUBSCRIBED    (1u << 6)
#define IMAP_LIST_NONEXISTENT   (1u << 7) /* implies NOSELECT, which is set too */
#define IMAP_LIST_REMOTE        (1u << 8)
#define IMAP_LIST_ALL           (1u << 9)
#define IMAP_LIST_ARCHIVE       (1u << 10)
#define IMAP_LIST_DRAFTS        (1u << 11)
#define IMAP_LIST_FLAGGED       (1u << 12)
#define IMAP_LIST_JUNK          (1u << 13)
#define IMAP_LIST_SENT          (1u << 14)
#define IMAP_LIST_TRASH         (1u << 15)

/* Mailbox names from the server are untrusted. Callers must never use one as a file-system path
 * and must sanitize it before showing it (it may hold terminal escapes when name_unsafe). */
struct imap_list_entry {
    /* Owned (malloc'd; imap_list_entry_cleanup frees it). Decoded from modified UTF-7, or the raw
     * UTF-8 when UTF8=ACCEPT is enabled; "INBOX" in any case is normalised to "INBOX". When the
     * raw name cannot be decoded, name_undecodable is set and this is the raw name made valid
     * UTF-8 (bad bytes and NUL as U+FFFD), for display only: address the mailbox with raw_name. */
    char *name_utf8;
    const char *raw_name; /* the name as the server sent it; borrowed from the response */
    size_t raw_name_len;
    char delimiter; /* hierarchy delimiter, 0 for NIL (flat) */
    unsigned attrs; /* IMAP_LIST_* */
    bool name_undecodable;
    bool name_unsafe; /* name_utf8 has C0/C1 controls or DEL: !imap_name_is_safe(name_utf8) */
};

/* Decodes a LIST, LSUB or XLIST response into *e (overwritten; clean it afterwards). TM_EPARSE
 * for a malformed response; an undecodable name is not an error (see name_undecodable). */
enum tm_status imap_list_decode(const struct imap_response *r, bool utf8_enabled,
                                struct imap_list_entry *e, struct tm_error *err);
void imap_list_entry_cleanup(struct imap_list_entry *e);

struct imap_status_info {
    bool has_messages, has_unseen, has_uidnext, has_uidvalidity, has_highestmodseq;
    uint64_t messages, unseen, uidnext, uidvalidity, highestmodseq;
    char *mailbox_utf8;      /* owned; same rules as imap_list_entry.name_utf8 */
    const char *raw_mailbox; /* borrowed from the response */
    size_t raw_mailbox_len;
    bool mailbox_undecodable;
};

/* Decodes "* STATUS mailbox (MESSAGES 3 UIDNEXT 4 ...)" into *s (overwritten; clean it
 * afterwards); unknown items are skipped. UIDNEXT and UIDVALIDITY must be 1..2^32-1. */
enum tm_status imap_status_decode(const struct imap_response *r, bool utf8_enabled,
                                  struct imap_status_info *s, struct tm_error *err);
void imap_status_info_cleanup(struct imap_status_info *s);

/* False when utf8 has a C0 control, DEL, a C1 control (U+0080..U+009F) or invalid UTF-8. */
bool imap_name_is_safe(const char *utf8);

/* ---- Sequence sets (imap_seqset.c) ---- */

struct imap_range {
    uint32_t lo, hi; /* lo <= hi */
};

/* Ranges in the order the text gave them (not merged, so COPYUID's pairs line up). */
struct imap_seqset {
    struct imap_range *ranges; /* owned */
    size_t n;
};

/* Parses "1:5,7,9:*" (s need not be NUL-terminated). "*" means star; star 0 refuses "*" (sets in
 * server responses never use it). "5:1" is the range 1:5. TM_EPARSE for stray commas, 0, "5:",
 * leading zeros, numbers > 2^32-1; TM_ELIMIT for more than max_ranges ranges. *out is initialised
 * here and empty after a failure; free it with imap_seqset_cleanup. */
enum tm_status imap_seqset_parse(const char *s, size_t len, uint32_t star, size_t max_ranges,
                                 struct imap_seqset *out, struct tm_error *err);
void imap_seqset_cleanup(struct imap_seqset *set);
/* How many numbers the ranges cover, counting overlaps once per range. */
uint64_t imap_seqset_count(const struct imap_seqset *set);
bool imap_seqset_contains(const struct imap_seqset *set, uint32_t v);

/* Visits every number of set, range by range. */
struct imap_seqset_iter {
    const struct imap_seqset *set;
    size_t range;
    uint64_t next;
};
void imap_seqset_iter_init(struct imap_seqset_iter *it, const struct imap_seqset *set);
bool imap_seqset_iter_next(struct imap_seqset_iter *it, uint32_t *v);

/* Appends to out a set covering uids[0..) (ascending, duplicates allowed; zeros are skipped)
 * until out->len would pass max_len; returns how many uids were consumed. Runs become "a:b" (a
 * run that does not fit gives just its first number). To send a long list: `for (i = 0; i < n;
 * i += k) { start a command; k = imap_seqset_format(uids + i, n - i, cmd.len + budget, &cmd);
 * ... }`. It returns 0 only when max_len leaves less than 11 bytes after out->len (or when
 * appending fails). */
size_t imap_seqset_format(const uint32_t *uids, size_t n, size_t max_len, struct tm_buf *out);

/* ---- UID responses (imap_uids.c) ---- */

/* Most ranges a set inside a response may have. */
#define IMAP_MAX_RESPONSE_RANGES ((size_t)1 << 20)

/* "* VANISHED (EARLIER) 1:3,5" (RFC 7162): *earlier tells whether (EARLIER) was there; *set is
 * initialised here (free it with imap_seqset_cleanup). */
enum tm_status imap_vanished_decode(const struct imap_response *r, bool *earlier,
                                    struct imap_seqset *set, struct tm_error *err);

/* The numbers of a "* SEARCH 2 3 6" or a "* ESEARCH ... ALL 2:3,6" response as a set (runs of
 * consecutive numbers become one range; empty when none matched). *set is initialised here (free
 * it with imap_seqset_cleanup). TM_EPARSE for bad numbers or any other response: an unsolicited
 * FETCH can arrive during a UID SEARCH, so callers dispatch on r->keyword first. */
enum tm_status imap_search_decode(const struct imap_response *r, struct imap_seqset *set,
                                  struct tm_error *err);

/* "* SEARCH 2 3 6 (MODSEQ 917162500)" (RFC 3501, RFC 7162) as an array. */
struct imap_search_result {
    uint32_t *ids; /* owned, in the server's order */
    size_t n;
    bool has_modseq;
    uint64_t modseq;
};
enum tm_status imap_search_ids_decode(const struct imap_response *r, struct imap_search_result *out,
                                      struct tm_error *err);
void imap_search_result_cleanup(struct imap_search_result *s);

/* "* ESEARCH (TAG "a1") UID MIN 2 MAX 9 COUNT 5 ALL 2:4,9" (RFC 4731, RFC 9051); unknown return
 * data are skipped. */
struct imap_esearch {
    const char *tag; /* borrowed from the response; NULL without a correlator */
    bool uid;
    bool has_min, has_max, has_count, has_all, has_modseq;
    uint32_t min, max;
    uint64_t count, modseq;
    struct imap_seqset all; /* owned: imap_esearch_cleanup */
};
enum tm_status imap_esearch_decode(const struct imap_response *r, struct imap_esearch *out,
                                   struct tm_error *err);
void imap_esearch_cleanup(struct imap_esearch *e);

/* The [COPYUID uidvalidity src dst] code of r (tagged OK of COPY/MOVE, or untagged OK during MOVE;
 * RFC 4315): TM_ENOENT when r has no COPYUID code, TM_EPARSE when malformed or when the two sets
 * differ in size. The sets are initialised here; clean them after success. */
enum tm_status imap_copyuid_decode(const struct imap_response *r, uint32_t *uidvalidity,
                                   struct imap_seqset *src_set, struct imap_seqset *dst_set,
                                   struct tm_error *err);
/* The [APPENDUID uidvalidity uid] code of r: TM_ENOENT without one; a MULTIAPPEND uid set is
 * TM_EPARSE. */
enum tm_status imap_appenduid_decode(const struct imap_response *r, uint32_t *uidvalidity,
                                     uint32_t *uid, struct tm_error *err);

/* ---- Modified UTF-7 mailbox names (imap_utf7.c; RFC 3501 5.1.3) ---- */

/* Appends the UTF-8 form of in[0..len) to out_utf8. Strict: an unterminated "&...", bad base64,
 * non-zero or excess padding bits, an odd byte count, unpaired surrogates, an encoded printable
 * ASCII character, U+0000, or a raw byte outside 0x20..0x7E give TM_EPARSE, and out_utf8 is left
 * as it was (the caller then shows the raw name). */
enum tm_status imap_utf7_decode(const char *in, size_t len, struct tm_buf *out_utf8,
                                struct tm_error *err);
/* Appends the modified UTF-7 form of NUL-terminated utf8 to out: TM_EPARSE for invalid UTF-8, or
 * what appending returned. */
enum tm_status imap_utf7_encode(const char *utf8, struct tm_buf *out);

/* ---- Command arguments (imap_quote.c) ---- */

/* Appends s[0..len) to cmd as an astring: an atom when that is safe (never "NIL", "" or all
 * digits), else a quoted string when every byte is printable ASCII, else a literal: "{n+}\r\n"
 * and the bytes with literal_plus, or "{n}\r\n" and the bytes, setting *needs_sync_literal (may
 * be NULL; never cleared) because the command must then be sent in parts (imap_command_split).
 * Pass literal_plus for LITERAL+, or for LITERAL- when len <= 4096. CR, LF and NUL never go into
 * a quoted string; NUL cannot be sent at all (TM_EPARSE). */
enum tm_status imap_append_astring(struct tm_buf *cmd, const char *s, size_t len, bool literal_plus,
                                   bool *needs_sync_literal);
/* Appends mailbox name utf8name: modified UTF-7 unless UTF8=ACCEPT is enabled (then UTF-8 goes
 * into a quoted string), "INBOX" in any case as INBOX; then as imap_append_astring. */
enum tm_status imap_append_mailbox(struct tm_buf *cmd, const char *utf8name, bool utf8_enabled,
                                   bool literal_plus, bool *needs_sync_literal);

/* Splits a command built with the imap_append_* functions for synchronizing literals: returns the
 * end of the part that starts at `from` (just after the next "{n}\r\n" at or after from, or len).
 * Send cmd[0..end), wait for a "+" continuation (a tagged NO/BAD instead ends the command), send
 * the next part from end, and so on until end == len:
 *
 *     for (size_t at = 0, end; at < cmd.len; at = end) {
 *         end = imap_command_split(cmd.data, cmd.len, at);
 *         send(cmd.data + at, end - at);
 *         if (end < cmd.len) wait_for_continuation();
 *     }
 *
 * `from` must be 0 or an end this function returned. Quoted strings and literal contents are
 * skipped, so bytes that look like "{5}" inside them never split the command. */
size_t imap_command_split(const char *cmd, size_t len, size_t from);

#endif
