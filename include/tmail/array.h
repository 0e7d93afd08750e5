/* array.h - growing a malloc'd array by doubling, the one way every layer does it. */
#ifndef TMAIL_ARRAY_H
#define TMAIL_ARRAY_H

#include <stddef.h>

#include "tmail/status.h"

/* Makes room for one more element in *items (n used, *cap allocated, elements of elem_size
 * bytes), doubling from first_cap. *items and *cap change only on success; TM_ENOMEM (or
 * TM_ELIMIT on size overflow) leaves them as they were. */
enum tm_status tm_array_reserve_one(void **items, size_t n, size_t *cap, size_t elem_size,
                                    size_t first_cap);

/* Typed convenience: TM_ARRAY_RESERVE(arr, n, cap, 16) for `T *arr; size_t n, cap;`. When there
 * is room, the usual case, no call is made: loops of a big sync reserve for every element. */
#define TM_ARRAY_RESERVE(arr, n, cap, first)                                                       \
    ((size_t)(n) < (cap)                                                                           \
         ? TM_OK                                                                                   \
         : tm_array_reserve_one((void **)&(arr), (n), &(cap), sizeof(*(arr)), (first)))

#endif
