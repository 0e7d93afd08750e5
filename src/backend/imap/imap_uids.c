/* imap_uids.c - decoders for responses that carry message numbers and UID sets: VANISHED (RFC
 * 7162 3.2.10), SEARCH (RFC 3501 7.2.5), ESEARCH (RFC 4731, RFC 9051 7.3.4), COPYUID and APPENDUID
 * (RFC 4315). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_proto.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

#define UID_MAX UINT32_C(0xFFFFFFFF)

/* A set in a response: an ATOM such as "1:3,5" or a NUMBER; never "*". */
static enum tm_status set_from_value(const struct imap_value *v, const char *what,
                                     struct imap_seqset *set, struct tm_error *err)
{
    set->ranges = NULL;
    set->n = 0;
    if (v->type != IMAP_V_ATOM && v->type != IMAP_V_NUMBER)
        return tm_error_set(err, TM_EPARSE, _("IMAP %s: UID set expected"), what);
    return imap_seqset_parse(v->str, v->len, 0, IMAP_MAX_RESPONSE_RANGES, set, err);
}

static enum tm_status uid_value(const struct imap_value *v, const char *what, uint32_t *out,
                                struct tm_error *err)
{
    if (v->type != IMAP_V_NUMBER || v->num == 0 || v->num > UID_MAX)
        return tm_error_set(err, TM_EPARSE, _("IMAP %s: number from 1 to 4294967295 expected"),
                            what);
    *out = (uint32_t)v->num;
    return TM_OK;
}

static bool is_keyword(const struct imap_response *r, const char *keyword)
{
    return r->keyword && strcmp(r->keyword, keyword) == 0;
}

enum tm_status imap_vanished_decode(const struct imap_response *r, bool *earlier,
                                    struct imap_seqset *set, struct tm_error *err)
{
    size_t i = 0;
    set->ranges = NULL;
    set->n = 0;
    *earlier = false;
    if (!is_keyword(r, "VANISHED"))
        return tm_error_set(err, TM_EPARSE, _("not an IMAP VANISHED response"));
    if (r->n_args > 0 && r->args[0].type == IMAP_V_LIST) {
        if (!imap_list_has_atom(&r->args[0], "EARLIER"))
            return tm_error_set(err, TM_EPARSE, _("IMAP VANISHED: unknown modifier"));
        *earlier = true;
        i++;
    }
    if (r->n_args != i + 1)
        return tm_error_set(err, TM_EPARSE, _("IMAP VANISHED: one UID set expected"));
    return set_from_value(&r->args[i], "VANISHED", set, err);
}

enum tm_status imap_search_ids_decode(const struct imap_response *r, struct imap_search_result *out,
                                      struct tm_error *err)
{
    size_t n = r->n_args;
    enum tm_status st = TM_OK;
    memset(out, 0, sizeof(*out));
    if (!is_keyword(r, "SEARCH"))
        return tm_error_set(err, TM_EPARSE, _("not an IMAP SEARCH response"));
    if (n > 0 && r->args[n - 1].type == IMAP_V_LIST) {
        const struct imap_value *m = &r->args[--n];
        if (m->n != 2 || !imap_value_is_atom(&m->items[0], "MODSEQ") ||
            m->items[1].type != IMAP_V_NUMBER || m->items[1].num == 0)
            return tm_error_set(err, TM_EPARSE, _("IMAP SEARCH: bad (MODSEQ n)"));
        out->has_modseq = true;
        out->modseq = m->items[1].num;
    }
    if (n && !(out->ids = malloc(n * sizeof(*out->ids))))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < n && !st; i++)
        st = uid_value(&r->args[i], "SEARCH", &out->ids[i], err);
    out->n = n;
    if (st)
        imap_search_result_cleanup(out);
    return st;
}

void imap_search_result_cleanup(struct imap_search_result *s)
{
    free(s->ids);
    s->ids = NULL;
    s->n = 0;
}

/* Numbers in the server's order into ranges, consecutive ones merged. */
static enum tm_status set_from_ids(const uint32_t *ids, size_t n, struct imap_seqset *set,
                                   struct tm_error *err)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (set->n && ids[i] == (uint64_t)set->ranges[set->n - 1].hi + 1) {
            set->ranges[set->n - 1].hi = ids[i];
            continue;
        }
        if (TM_ARRAY_RESERVE(set->ranges, set->n, cap, 16) != TM_OK) {
            imap_seqset_cleanup(set);
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
        set->ranges[set->n++] = (struct imap_range){ids[i], ids[i]};
    }
    return TM_OK;
}

enum tm_status imap_search_decode(const struct imap_response *r, struct imap_seqset *set,
                                  struct tm_error *err)
{
    enum tm_status st;
    set->ranges = NULL;
    set->n = 0;
    if (is_keyword(r, "ESEARCH")) {
        struct imap_esearch e;
        if ((st = imap_esearch_decode(r, &e, err)) != TM_OK)
            return st;
        *set = e.all;
        return TM_OK;
    }
    struct imap_search_result ids;
    if ((st = imap_search_ids_decode(r, &ids, err)) != TM_OK)
        return st;
    st = set_from_ids(ids.ids, ids.n, set, err);
    imap_search_result_cleanup(&ids);
    return st;
}

/* One search-return-data pair of ESEARCH. */
static enum tm_status esearch_item(struct imap_esearch *e, const char *name,
                                   const struct imap_value *v, struct tm_error *err)
{
    enum tm_status st = TM_OK;
    if (strcasecmp(name, "MIN") == 0) {
        st = uid_value(v, "ESEARCH MIN", &e->min, err);
        e->has_min = !st;
    } else if (strcasecmp(name, "MAX") == 0) {
        st = uid_value(v, "ESEARCH MAX", &e->max, err);
        e->has_max = !st;
    } else if (strcasecmp(name, "COUNT") == 0) {
        if (v->type != IMAP_V_NUMBER || v->num > UID_MAX)
            return tm_error_set(err, TM_EPARSE, _("IMAP ESEARCH COUNT: number expected"));
        e->count = v->num;
        e->has_count = true;
    } else if (strcasecmp(name, "MODSEQ") == 0) {
        if (v->type != IMAP_V_NUMBER || v->num == 0)
            return tm_error_set(err, TM_EPARSE, _("IMAP ESEARCH MODSEQ: number expected"));
        e->modseq = v->num;
        e->has_modseq = true;
    } else if (strcasecmp(name, "ALL") == 0) {
        imap_seqset_cleanup(&e->all);
        st = set_from_value(v, "ESEARCH ALL", &e->all, err);
        e->has_all = !st;
    }
    return st;
}

enum tm_status imap_esearch_decode(const struct imap_response *r, struct imap_esearch *out,
                                   struct tm_error *err)
{
    size_t i = 0;
    enum tm_status st = TM_OK;
    memset(out, 0, sizeof(*out));
    if (!is_keyword(r, "ESEARCH"))
        return tm_error_set(err, TM_EPARSE, _("not an IMAP ESEARCH response"));
    if (r->n_args > 0 && r->args[0].type == IMAP_V_LIST) {
        const struct imap_value *c = &r->args[0];
        if (c->n != 2 || !imap_value_is_atom(&c->items[0], "TAG") ||
            (c->items[1].type != IMAP_V_STRING && c->items[1].type != IMAP_V_ATOM))
            return tm_error_set(err, TM_EPARSE, _("IMAP ESEARCH: bad (TAG \"...\")"));
        out->tag = c->items[1].str;
        i++;
    }
    if (i < r->n_args && imap_value_is_atom(&r->args[i], "UID")) {
        out->uid = true;
        i++;
    }
    if ((r->n_args - i) % 2 != 0)
        return tm_error_set(err, TM_EPARSE, _("IMAP ESEARCH: name-value pairs expected"));
    for (; i < r->n_args && !st; i += 2) {
        if (r->args[i].type != IMAP_V_ATOM)
            st = tm_error_set(err, TM_EPARSE, _("IMAP ESEARCH: return item name expected"));
        else
            st = esearch_item(out, r->args[i].str, &r->args[i + 1], err);
    }
    if (st)
        imap_esearch_cleanup(out);
    return st;
}

void imap_esearch_cleanup(struct imap_esearch *e)
{
    imap_seqset_cleanup(&e->all);
}

static bool has_code(const struct imap_response *r, const char *code)
{
    return r->code && strcmp(r->code, code) == 0;
}

enum tm_status imap_copyuid_decode(const struct imap_response *r, uint32_t *uidvalidity,
                                   struct imap_seqset *src_set, struct imap_seqset *dst_set,
                                   struct tm_error *err)
{
    enum tm_status st;
    src_set->ranges = dst_set->ranges = NULL;
    src_set->n = dst_set->n = 0;
    if (!has_code(r, "COPYUID"))
        return tm_error_set(err, TM_ENOENT, _("no COPYUID response code"));
    if (r->n_code_args != 3)
        return tm_error_set(err, TM_EPARSE, _("IMAP COPYUID: three arguments expected"));
    if ((st = uid_value(&r->code_args[0], "COPYUID", uidvalidity, err)) != TM_OK ||
        (st = set_from_value(&r->code_args[1], "COPYUID", src_set, err)) != TM_OK)
        return st;
    if ((st = set_from_value(&r->code_args[2], "COPYUID", dst_set, err)) != TM_OK)
        goto fail;
    if (imap_seqset_count(src_set) != imap_seqset_count(dst_set)) {
        st = tm_error_set(err, TM_EPARSE,
                          _("IMAP COPYUID: source and destination sets differ "
                            "in size"));
        goto fail;
    }
    return TM_OK;
fail:
    imap_seqset_cleanup(src_set);
    imap_seqset_cleanup(dst_set);
    return st;
}

enum tm_status imap_appenduid_decode(const struct imap_response *r, uint32_t *uidvalidity,
                                     uint32_t *uid, struct tm_error *err)
{
    enum tm_status st;
    if (!has_code(r, "APPENDUID"))
        return tm_error_set(err, TM_ENOENT, _("no APPENDUID response code"));
    if (r->n_code_args != 2)
        return tm_error_set(err, TM_EPARSE, _("IMAP APPENDUID: two arguments expected"));
    if ((st = uid_value(&r->code_args[0], "APPENDUID", uidvalidity, err)) != TM_OK)
        return st;
    if (r->code_args[1].type == IMAP_V_ATOM)
        return tm_error_set(err, TM_EPARSE, _("IMAP APPENDUID: several UIDs (MULTIAPPEND)"));
    return uid_value(&r->code_args[1], "APPENDUID", uid, err);
}
