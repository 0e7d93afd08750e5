/* thread_subject.h - subjects reduced for JWZ grouping (thread_subject.c), and the hash round
 * both of thread.c's tables use (internal to core/). */
#ifndef TMAIL_CORE_THREAD_SUBJECT_H
#define TMAIL_CORE_THREAD_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One round of the id hash: the multiply carries low bits up, the shift brings them back down
 * (the table uses the low bits). */
static inline uint64_t thread_mix(uint64_t h)
{
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
}

/* A root's subject reduced for grouping. */
struct thread_subj {
    const char *base; /* borrowed: the subject without reply prefixes, list tags, outer blanks */
    size_t len;
    uint64_t hash; /* of base as thread_same_base sees it: equal bases, equal hashes */
    bool reply;    /* a Re:/Fwd:-like prefix was stripped */
    size_t msg;
};

/* Strips reply prefixes and [list-tags] repeatedly, and outer blanks, from subject (NULL: empty)
 * into out->base/len (borrowed from subject) and out->reply; hash and msg are left alone. */
void thread_base_subject(const char *subject, struct thread_subj *out);
/* Equal base subjects: equal but for ASCII case and the width of blank runs. */
bool thread_same_base(const struct thread_subj *x, const struct thread_subj *y);
/* A hash of what thread_same_base compares: equal bases, equal hashes. */
uint64_t thread_base_hash(const struct thread_subj *x);

#endif
