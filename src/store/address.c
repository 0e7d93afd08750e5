/* address.c - completing a recipient from the senders of cached messages. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/buf.h"
#include "tmail/i18n.h"
#include "tmail/keyset.h"
#include "tmail/str.h"

/* A completion prefix is what a person typed: longer ones match nothing anyway. */
#define ADDRESS_PREFIX_MAX 1024
/* Longer addresses are not offered (RFC 5321 allows 254 octets in a path). */
#define ADDRESS_MAX 1024

/* One distinct address (without regard to case) and what its latest messages said. */
struct sender {
    char *addr;        /* as its latest message wrote it */
    char *name;        /* the latest non-empty display name, or NULL */
    int64_t date;      /* of the latest message */
    int64_t name_date; /* of the message name comes from */
};

struct senders {
    struct tm_keyset index; /* lower-case address -> position in items (the entry's id) */
    struct sender *items;
    size_t count, cap;
};

static void senders_cleanup(struct senders *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].addr);
        free(s->items[i].name);
    }
    free(s->items);
    tm_keyset_cleanup(&s->index);
}

/* prefix as a LIKE pattern: its own %, _ and \ escaped, then '%'. LIKE compares ASCII letters
 * without regard to case, which is the completion's rule. */
static enum tm_status like_pattern(const char *prefix, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    for (const char *p = prefix; *p && st == TM_OK; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            st = tm_buf_append_char(out, '\\');
        if (st == TM_OK)
            st = tm_buf_append_char(out, *p);
    }
    return st ? st : tm_buf_append_char(out, '%');
}

/* Replaces *dst by a copy of src when it differs; false when out of memory. */
static bool set_text(char **dst, const char *src)
{
    if (*dst && strcmp(*dst, src) == 0)
        return true;
    char *copy = strdup(src);
    if (!copy)
        return false;
    free(*dst);
    *dst = copy;
    return true;
}

/* Folds one message (from name <addr> at date) into its sender; later messages win, and of
 * equal dates the later row. */
static enum tm_status senders_add(struct senders *s, const char *addr, size_t len, const char *name,
                                  int64_t date)
{
    char key[ADDRESS_MAX];
    for (size_t i = 0; i < len; i++)
        key[i] = (char)tolower((unsigned char)addr[i]);
    struct tm_keyset_entry *e = tm_keyset_find(&s->index, key, len);
    struct sender *d;
    if (e) {
        d = &s->items[e->id];
    } else {
        if (TM_ARRAY_RESERVE(s->items, s->count, s->cap, 64) ||
            tm_keyset_add(&s->index, key, len, NULL, (int64_t)s->count, 0, 0))
            return TM_ENOMEM;
        d = &s->items[s->count++];
        *d = (struct sender){.date = date, .name_date = date};
    }
    bool ok = true;
    if (!d->addr || date >= d->date) {
        d->date = date;
        ok = set_text(&d->addr, addr);
    }
    if (ok && name && *name && (!d->name || date >= d->name_date)) {
        d->name_date = date;
        ok = set_text(&d->name, name);
    }
    return ok ? TM_OK : TM_ENOMEM;
}

/* One pass over the matching messages. SQL's GROUP BY would sort all of them first, and could
 * not pick the latest name and the latest spelling of the address in one go; a hash of the
 * distinct addresses does both at about the cost of reading the rows (see
 * bench_store_address). */
static enum tm_status senders_collect(struct tm_store *st, const char *pattern, struct senders *out,
                                      struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_ADDRESS_COMPLETE,
                                 "SELECT from_addr, from_name, date FROM messages "
                                 "WHERE from_addr <> '' AND (from_addr LIKE ?1 ESCAPE '\\' OR "
                                 "from_name LIKE ?1 ESCAPE '\\')",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
    enum tm_status rc = TM_OK;
    int r;
    while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *addr = (const char *)sqlite3_column_text(s, 0);
        size_t len = (size_t)sqlite3_column_bytes(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);
        if (!addr || len >= ADDRESS_MAX || memchr(addr, 0, len))
            continue; /* junk no one would complete to */
        if (senders_add(out, addr, len, name, sqlite3_column_int64(s, 2)))
            rc = tm_error_set(err, TM_ENOMEM, _("out of memory completing an address"));
    }
    if (!rc && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read addresses"));
    store_release(s);
    return rc;
}

/* Most recent first; of equal dates, by address, so that the order does not depend on rows. */
static int sender_cmp(const void *a, const void *b)
{
    const struct sender *x = a, *y = b;
    if (x->date != y->date)
        return x->date > y->date ? -1 : 1;
    return strcmp(x->addr, y->addr);
}

enum tm_status tm_store_address_complete(struct tm_store *st, const char *prefix, int limit,
                                         tm_store_address_cb cb, void *ctx, struct tm_error *err)
{
    if (limit <= 0)
        return TM_OK;
    struct tm_buf pattern;
    struct senders found = {0};
    tm_buf_init(&pattern, 2 * ADDRESS_PREFIX_MAX + 2);
    enum tm_status rc = like_pattern(prefix ? prefix : "", &pattern);
    if (rc == TM_ELIMIT) /* no address or name is that long: nothing matches */
        rc = TM_OK;
    else if (rc)
        rc = tm_error_set(err, rc, _("out of memory completing an address"));
    else
        rc = senders_collect(st, pattern.data, &found, err);
    /* the statement is released: callbacks may use the store */
    if (!rc && found.count > 0)
        qsort(found.items, found.count, sizeof(*found.items), sender_cmp);
    for (size_t i = 0; !rc && i < found.count && i < (size_t)limit; i++) {
        if (cb(ctx, found.items[i].name, found.items[i].addr))
            break;
    }
    senders_cleanup(&found);
    tm_buf_cleanup(&pattern);
    return rc;
}
