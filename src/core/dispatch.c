/* dispatch.c - calls into a backend's operations table: a NULL slot becomes TM_ENOTSUP with a
 * message saying what this mailbox cannot do, so no caller tests slots. */
#include "private.h"
#include "tmail/i18n.h"

enum tm_status backend_set_flags(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                                 unsigned add, unsigned clear, struct tm_error *err)
{
    if (!ops->set_flags)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot change flags"));
    return ops->set_flags(s, id, add, clear, err);
}

enum tm_status backend_fetch(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                             struct tm_buf *out, struct tm_error *err)
{
    if (!ops->fetch_message)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot fetch messages"));
    return ops->fetch_message(s, id, out, err);
}

enum tm_status backend_fetch_view(const struct tm_backend_ops *ops, struct tm_session *s,
                                  int64_t id, const struct tm_fetch_view_opts *opts,
                                  struct tm_buf *out, bool *partial, struct tm_error *err)
{
    *partial = false;
    if (!ops->fetch_view) /* local mail is whole anyway */
        return backend_fetch(ops, s, id, out, err);
    return ops->fetch_view(s, id, opts, out, partial, err);
}

enum tm_status backend_fetch_part(const struct tm_backend_ops *ops, struct tm_session *s,
                                  int64_t id, const char *section, tm_progress_fn progress,
                                  void *ctx, struct tm_error *err)
{
    if (!ops->fetch_part)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox has its messages whole"));
    return ops->fetch_part(s, id, section, progress, ctx, err);
}

enum tm_status backend_list(const struct tm_backend_ops *ops, struct tm_session *s,
                            tm_mailbox_cb cb, void *ctx, struct tm_error *err)
{
    if (!ops->list_mailboxes)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot list folders"));
    return ops->list_mailboxes(s, cb, ctx, err);
}

enum tm_status backend_copy(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                            const char *to, struct tm_error *err)
{
    if (!ops->copy)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot copy messages"));
    return ops->copy(s, id, to, err);
}

enum tm_status backend_move(const struct tm_backend_ops *ops, struct tm_session *s, int64_t id,
                            const char *to, struct tm_error *err)
{
    if (!ops->move)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot move messages"));
    return ops->move(s, id, to, err);
}

enum tm_status backend_set_flags_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                      const int64_t *ids, size_t n, unsigned add, unsigned clear,
                                      struct tm_error *err)
{
    if (ops->set_flags_many)
        return ops->set_flags_many(s, ids, n, add, clear, err);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = backend_set_flags(ops, s, ids[i], add, clear, err);
    return st;
}

enum tm_status backend_copy_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                 const int64_t *ids, size_t n, const char *to, struct tm_error *err)
{
    if (ops->copy_many)
        return ops->copy_many(s, ids, n, to, err);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = backend_copy(ops, s, ids[i], to, err);
    return st;
}

enum tm_status backend_move_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                 const int64_t *ids, size_t n, const char *to, struct tm_error *err)
{
    if (ops->move_many)
        return ops->move_many(s, ids, n, to, err);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = backend_move(ops, s, ids[i], to, err);
    return st;
}

enum tm_status backend_expunge(const struct tm_backend_ops *ops, struct tm_session *s,
                               const char *mailbox, int64_t mailbox_id, struct tm_error *err)
{
    if (!ops->expunge)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot expunge messages"));
    return ops->expunge(s, mailbox, mailbox_id, err);
}

enum tm_status backend_create(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *name, struct tm_error *err)
{
    if (!ops->create_mailbox)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot create folders"));
    return ops->create_mailbox(s, name, err);
}

enum tm_status backend_delete(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *name, struct tm_error *err)
{
    if (!ops->delete_mailbox)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot delete folders"));
    return ops->delete_mailbox(s, name, err);
}

enum tm_status backend_rename(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *from, const char *to, struct tm_error *err)
{
    if (!ops->rename_mailbox)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot rename folders"));
    return ops->rename_mailbox(s, from, to, err);
}

enum tm_status backend_subscribe(const struct tm_backend_ops *ops, struct tm_session *s,
                                 const char *name, bool subscribe, struct tm_error *err)
{
    if (!ops->subscribe)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot subscribe to folders"));
    return ops->subscribe(s, name, subscribe, err);
}

enum tm_status backend_status(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *name, int64_t mailbox_id, int64_t *total, int64_t *unseen,
                              struct tm_error *err)
{
    if (!ops->status)
        return tm_error_set(err, TM_ENOTSUP, _("this mailbox cannot count other folders"));
    return ops->status(s, name, mailbox_id, total, unseen, err);
}

enum tm_status backend_status_many(const struct tm_backend_ops *ops, struct tm_session *s,
                                   struct tm_status_query *q, size_t n, struct tm_error *err)
{
    if (ops->status_many)
        return ops->status_many(s, q, n, err);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < n; i++) {
        q[i].total = q[i].unseen = -1;
        q[i].st =
            st ? st
               : backend_status(ops, s, q[i].name, q[i].mailbox_id, &q[i].total, &q[i].unseen, err);
        if (q[i].st == TM_ENOTSUP || q[i].st == TM_ENET || q[i].st == TM_EAUTH)
            st = q[i].st; /* the others would fail the same way */
    }
    return st;
}

enum tm_status backend_append(const struct tm_backend_ops *ops, struct tm_session *s,
                              const char *mailbox, const char *msg, size_t len, unsigned flags,
                              struct tm_error *err)
{
    if (!ops->append)
        return tm_error_set(err, TM_ENOTSUP, _("this account cannot store messages in %s"),
                            mailbox);
    enum tm_status st = ops->append(s, mailbox, msg, len, flags, err);
    if (st == TM_ENOENT && ops->create_mailbox) { /* a local Sent or Drafts not made yet */
        struct tm_error why;
        tm_error_clear(&why);
        if (ops->create_mailbox(s, mailbox, &why) == TM_OK) {
            tm_error_clear(err);
            st = ops->append(s, mailbox, msg, len, flags, err);
        }
    }
    return st;
}
