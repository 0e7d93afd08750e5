/* pattern.h - mutt's message patterns (~N, ~F, ~s REGEX, ~f, ~t, ~z <10K, ~d <2w, !, |, ( )),
 * compiled once and matched against cached rows: index colours, search and limit. The text
 * atoms ~b (body), ~B (whole message), ~h (header lines) and their string forms =b, =B, =h need
 * the message's text, which only the account worker can read (tmail/core.h, body search): they
 * match from a result set the worker computed and core attached to the pattern. */
#ifndef TMAIL_PATTERN_H
#define TMAIL_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tmail/status.h"
#include "tmail/store.h"

struct tm_pattern;

/* Compiles text. A bare word (no ~) means "~f WORD | ~s WORD", as mutt's simple search.
 * Regexes are case-insensitive unless they contain an upper-case letter (mutt's smart case).
 * *out is released with tm_pattern_free. TM_EPARSE with err saying what and where. */
enum tm_status tm_pattern_compile(const char *text, struct tm_pattern **out, struct tm_error *err);
void tm_pattern_free(struct tm_pattern **pp);

/* Whether text can color the index (`color index`, whose rows have no message text): it must
 * compile and hold no text atom. False with the reason in msg (the compile error, or "~b needs
 * the message text and cannot color the index"). Fits struct tm_config_env's check. */
bool tm_pattern_check_index_color(const char *text, char *msg, size_t size);

/* Whether row matches; now is the time relative dates (~d <2w) count from. A text atom matches
 * the rows in its result set, and none while it has no result (tm_pattern_text_ready). */
bool tm_pattern_match(const struct tm_pattern *p, const struct tm_message_row *row, time_t now);

/* ---- text atoms (~b ~B ~h =b =B =h) ---- */

enum tm_pattern_scope {
    TM_PATTERN_BODY,    /* ~b =b: the decoded text of the text parts */
    TM_PATTERN_HEADERS, /* ~h =h: the decoded header lines, "Name: value" */
    TM_PATTERN_WHOLE,   /* ~B =B: both */
};

/* What the worker needs to know of one text atom; borrowed from the pattern. */
struct tm_pattern_text {
    enum tm_pattern_scope scope;
    const char *arg;  /* the argument as typed, unquoted */
    bool string;      /* =b, =B, =h: a substring, not a regular expression */
    bool plain;       /* no special character either way: the substring lits->groups[0] */
    bool ignore_case; /* smart case: no upper-case letter in arg */
    /* The literal strings every match contains (any group, all literals of it); no group:
     * nothing known. */
    const struct tm_text_group *groups;
    size_t n_groups;
};

/* How many text atoms p has (0: tm_pattern_match needs no worker), and the i-th of them in the
 * order they were written; NULL past the end. */
size_t tm_pattern_text_count(const struct tm_pattern *p);
const struct tm_pattern_text *tm_pattern_text_atom(const struct tm_pattern *p, size_t i);
/* Whether text atom i matches a message with these texts (headers: its "Name: value" lines;
 * body: its text), NUL-terminated at their lengths. mutt matches a line at a time: ^ and $ are
 * line ends and no match spans two lines. */
bool tm_pattern_text_match(const struct tm_pattern *p, size_t i, const char *headers,
                           size_t headers_len, const char *body, size_t body_len);
/* Gives atom i the store ids of the messages it matches (malloc'd, any order, repeats allowed;
 * taken over, also on failure) and a stamp saying what they are valid for (the caller's: core
 * uses the mailbox and its sync generation). */
void tm_pattern_set_text_result(struct tm_pattern *p, size_t i, int64_t *ids, size_t n,
                                uint64_t stamp);
/* Whether every text atom has a result with this stamp (true when there is no text atom). */
bool tm_pattern_text_ready(const struct tm_pattern *p, uint64_t stamp);

#endif
