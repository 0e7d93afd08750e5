/* array.c - doubling growth for malloc'd arrays (see tmail/array.h). */
#include <stdint.h>
#include <stdlib.h>

#include "tmail/array.h"

enum tm_status tm_array_reserve_one(void **items, size_t n, size_t *cap, size_t elem_size,
                                    size_t first_cap)
{
    if (n < *cap)
        return TM_OK;
    size_t grown = *cap ? *cap * 2 : (first_cap ? first_cap : 8);
    if (grown < n + 1 || grown > SIZE_MAX / elem_size)
        return TM_ELIMIT;
    void *p = realloc(*items, grown * elem_size);
    if (!p)
        return TM_ENOMEM;
    *items = p;
    *cap = grown;
    return TM_OK;
}
