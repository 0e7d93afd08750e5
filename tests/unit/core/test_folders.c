/* test_folders.c - the controller's folders on a real Maildir++ tree: the listing with counts
 * after the first sync, switching the open mailbox at once, saving and copying between folders,
 * deleted messages to the trash or expunged, creating a folder, and what a backend cannot do. */
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tm_test.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/flags.h"

static const char *path_in(const char *dir, const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    if (snprintf(p, 1024, "%s/%s", dir, name) >= 1024)
        p[0] = 0;
    return p;
}

static bool make_maildir(const char *dir)
{
    char sub[1100];
    if (mkdir(dir, 0700) != 0)
        return false;
    static const char *const subs[] = {"cur", "new", "tmp"};
    for (int i = 0; i < 3; i++) {
        if (snprintf(sub, sizeof(sub), "%s/%s", dir, subs[i]) >= (int)sizeof(sub) ||
            mkdir(sub, 0700) != 0)
            return false;
    }
    return true;
}

/* A message file dir/sub/name with a subject. */
static bool put_message(const char *dir, const char *sub, const char *name, const char *subject)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f,
            "From: A <a@example.test>\nTo: b@example.test\nSubject: %s\n"
            "Date: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@example.test>\n\nbody\n",
            subject, subject);
    return fclose(f) == 0;
}

static int count_files(const char *dir)
{
    int n = 0;
    for (int i = 0; i < 2; i++) {
        char sub[1100];
        if (snprintf(sub, sizeof(sub), "%s/%s", dir, i ? "new" : "cur") >= (int)sizeof(sub))
            return -1;
        DIR *d = opendir(sub);
        for (struct dirent *e; d && (e = readdir(d)) != NULL;)
            n += e->d_name[0] != '.';
        if (d)
            closedir(d);
    }
    return n;
}

/* root/.name into out. */
static const char *folder(char *out, size_t size, const char *root, const char *name)
{
    snprintf(out, size, "%s/.%s", root, name);
    return out;
}

/* INBOX: 2 (1 unread); Projects: 3 (2 unread); Archive.2024: 1; Sent: empty. */
static bool make_tree(const char *root)
{
    char p[1100], a[1100], s[1100];
    folder(p, sizeof(p), root, "Projects");
    folder(a, sizeof(a), root, "Archive.2024");
    folder(s, sizeof(s), root, "Sent");
    return make_maildir(root) && put_message(root, "cur", "1.a:2,S", "inbox-read") &&
           put_message(root, "new", "2.b", "inbox-new") && make_maildir(p) &&
           put_message(p, "cur", "3.c:2,S", "p1") && put_message(p, "cur", "4.d:2,", "p2") &&
           put_message(p, "new", "5.e", "p3") && make_maildir(a) &&
           put_message(a, "cur", "6.f:2,S", "a1") && make_maildir(s);
}

/* How many messages root/.name holds. */
static int count_in(const char *root, const char *name)
{
    char dir[1100];
    return count_files(folder(dir, sizeof(dir), root, name));
}

/* Waits up to 10 s for an event of type (others are dropped). */
static bool wait_event(struct tm_core *core, enum tm_event_type type, struct tm_event *ev)
{
    for (int i = 0; i < 200; i++) {
        while (tm_core_next_event(core, ev)) {
            if (ev->type == type)
                return true;
            tm_event_cleanup(ev);
        }
        struct pollfd p = {tm_core_event_fd(core), POLLIN, 0};
        poll(&p, 1, 50);
    }
    return false;
}

/* Opens root with account settings a (may be NULL), syncs INBOX and waits for the listing. */
static struct tm_core *open_tree(const char *dir, const char *root, const struct tm_account *a)
{
    struct tm_error err;
    struct tm_core *core = NULL;
    struct tm_event ev;
    struct tm_core_options opt = {.store_path = path_in(dir, "cache.sqlite"),
                                  .folder_path = root,
                                  .account = a,
                                  .account_name = "local",
                                  .sort = TM_SORT_DATE};
    if (tm_core_new(&opt, &core, &err) || tm_core_sync(core, &err) ||
        !wait_event(core, TM_EV_SYNC_DONE, &ev) || ev.status ||
        !wait_event(core, TM_EV_MAILBOXES, &ev) || ev.status) {
        tm_core_free(&core);
        return NULL;
    }
    return core;
}

struct seen {
    char names[8][64];
    struct tm_mailbox_listing rows[8];
    int n;
};

static int on_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", mb->name);
        s->rows[s->n] = *mb;
        s->rows[s->n].name = s->names[s->n];
        s->rows[s->n].delimiter = NULL;
        s->rows[s->n].special_use = NULL;
        s->n++;
    }
    return 0;
}

static const struct tm_mailbox_listing *find(const struct seen *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return &s->rows[i];
    return NULL;
}

TM_TEST(folders_listing_has_every_folder_with_counts)
{
    const char *dir = tm_test_tmpdir(), *root = path_in(dir, "mail");
    struct tm_error err;
    struct seen s = {0};
    TM_CHECK(make_tree(root));
    struct tm_core *core = open_tree(dir, root, NULL);
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_mailboxes(core, on_mailbox, &s, &err) == TM_OK);
    TM_CHECK_INT(s.n, 4);
    TM_CHECK_STR(s.names[0], "Archive.2024"); /* name order */
    TM_CHECK_STR(s.names[1], "INBOX");
    const struct tm_mailbox_listing *inbox = find(&s, "INBOX"), *p = find(&s, "Projects");
    TM_CHECK(inbox && p && find(&s, "Sent"));
    TM_CHECK_INT(inbox->total, 2); /* the open one: from the cache */
    TM_CHECK_INT(inbox->unread, 1);
    TM_CHECK_INT(p->total, 0); /* never synced: the cache has none, STATUS knows */
    TM_CHECK_INT(p->server_total, 3);
    TM_CHECK_INT(p->server_unseen, 2);
    TM_CHECK_INT(find(&s, "Archive.2024")->server_total, 1);
    char sent[64];
    TM_CHECK(tm_core_role_mailbox(core, TM_ROLE_SENT, sent, sizeof(sent), &err) == TM_OK);
    TM_CHECK_STR(sent, "Sent");
    TM_CHECK(tm_core_role_mailbox(core, TM_ROLE_TRASH, sent, sizeof(sent), &err) == TM_ENOENT);
    TM_CHECK(tm_core_mailbox_exists(core, "Projects"));
    TM_CHECK(!tm_core_mailbox_exists(core, "Nope"));
    tm_core_free(&core);
}

TM_TEST(folders_open_switches_at_once_and_syncs_behind)
{
    const char *dir = tm_test_tmpdir(), *root = path_in(dir, "mail");
    struct tm_error err;
    struct tm_event ev;
    int64_t count = -1;
    TM_CHECK(make_tree(root));
    struct tm_core *core = open_tree(dir, root, NULL);
    TM_CHECK(core != NULL);
    int64_t inbox = tm_core_mailbox_id(core);
    TM_CHECK(tm_core_open_mailbox(core, "Nope", &err) == TM_ENOENT); /* not listed */
    TM_CHECK(tm_core_open_mailbox(core, "Projects", &err) == TM_OK);
    int64_t projects = tm_core_mailbox_id(core);
    TM_CHECK(projects != inbox);
    TM_CHECK_STR(tm_core_mailbox_name(core), "Projects");
    const char *label = tm_core_folder_label(core);
    TM_CHECK(strlen(label) > 10 && strcmp(label + strlen(label) - 10, "/.Projects") == 0);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    TM_CHECK_INT(ev.mailbox_id, projects);
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK(tm_core_count(core, &count, &err) == TM_OK);
    TM_CHECK_INT(count, 3);
    TM_CHECK(tm_core_count_unread(core, &count, &err) == TM_OK);
    TM_CHECK_INT(count, 2);
    /* back: INBOX's cache is there at once */
    TM_CHECK(tm_core_open_mailbox(core, "INBOX", &err) == TM_OK);
    TM_CHECK_INT(tm_core_mailbox_id(core), inbox);
    TM_CHECK(tm_core_count(core, &count, &err) == TM_OK);
    TM_CHECK_INT(count, 2);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    TM_CHECK_INT(ev.mailbox_id, inbox);
    tm_core_free(&core);
}

/* The id of the first message of the open mailbox. */
static int64_t first_message(struct tm_core *core)
{
    struct tm_message_row row;
    struct tm_error err;
    int n = 0;
    memset(&row, 0, sizeof(row));
    if (tm_core_window(core, 0, 1, &row, &n, &err) || n != 1)
        return 0;
    int64_t id = row.id;
    tm_message_row_cleanup(&row);
    return id;
}

TM_TEST(folders_save_and_copy_between_folders)
{
    const char *dir = tm_test_tmpdir(), *root = path_in(dir, "mail");
    struct tm_error err;
    struct tm_event ev;
    int64_t count = -1;
    TM_CHECK(make_tree(root));
    struct tm_core *core = open_tree(dir, root, NULL);
    TM_CHECK(core != NULL);
    int64_t id = first_message(core);
    TM_CHECK(id > 0);
    TM_CHECK(tm_core_move(core, id, "INBOX", &err) == TM_ENOTSUP); /* where it is already */
    TM_CHECK(tm_core_copy(core, id, "Archive.2024", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    TM_CHECK_STR(ev.text, "Copied to Archive.2024.");
    TM_CHECK_INT(count_in(root, "Archive.2024"), 2);
    TM_CHECK_INT(count_files(root), 2);
    TM_CHECK(tm_core_move(core, id, "Projects", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    TM_CHECK_STR(ev.text, "Saved to Projects.");
    TM_CHECK_INT(ev.mailbox_id, tm_core_mailbox_id(core));
    TM_CHECK_INT(count_in(root, "Projects"), 4);
    TM_CHECK_INT(count_files(root), 1);
    TM_CHECK(tm_core_count(core, &count, &err) == TM_OK);
    TM_CHECK_INT(count, 1);
    TM_CHECK(tm_core_move(core, first_message(core), "Nope", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_ERROR, &ev)); /* no such folder: the message stays */
    TM_CHECK_INT(count_files(root), 1);
    tm_core_free(&core);
}

/* Marks the first message deleted and waits for the change. */
static bool delete_first(struct tm_core *core)
{
    struct tm_error err;
    struct tm_event ev;
    int64_t id = first_message(core);
    return id > 0 && tm_core_set_flags(core, id, TM_FLAG_DELETED, 0, &err) == TM_OK &&
           wait_event(core, TM_EV_CHANGED, &ev) && ev.status == TM_OK;
}

TM_TEST(folders_deleted_messages_go_to_trash_or_are_purged)
{
    const char *dir = tm_test_tmpdir(), *root = path_in(dir, "mail");
    struct tm_error err;
    struct tm_event ev;
    int64_t n = -1;
    struct tm_account account;
    memset(&account, 0, sizeof(account));
    account.trash = "=Trash";
    TM_CHECK(make_tree(root));
    char trash[1100];
    TM_CHECK(make_maildir(folder(trash, sizeof(trash), root, "Trash")));
    struct tm_core *core = open_tree(dir, root, &account);
    TM_CHECK(core != NULL);
    TM_CHECK_STR(tm_core_trash(core), "Trash");
    TM_CHECK(delete_first(core));
    TM_CHECK(tm_core_count_deleted(core, &n, &err) == TM_OK);
    TM_CHECK_INT(n, 1);
    TM_CHECK(tm_core_expunge(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK(strstr(ev.text, "Trash") != NULL);
    TM_CHECK_INT(count_files(root), 1);
    TM_CHECK_INT(count_in(root, "Trash"), 1);
    /* in the trash, undeleted: emptying the trash purges for good */
    TM_CHECK(tm_core_open_mailbox(core, "Trash", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_SYNC_DONE, &ev));
    TM_CHECK(tm_core_count_deleted(core, &n, &err) == TM_OK);
    TM_CHECK_INT(n, 0);
    TM_CHECK(delete_first(core));
    TM_CHECK(tm_core_expunge(core, &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_CHANGED, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK_INT(count_in(root, "Trash"), 0);
    TM_CHECK(tm_core_count(core, &n, &err) == TM_OK);
    TM_CHECK_INT(n, 0);
    tm_core_free(&core);
}

TM_TEST(folders_create_lists_the_new_folder_and_missing_slots_say_cannot)
{
    const char *dir = tm_test_tmpdir(), *root = path_in(dir, "mail");
    struct tm_error err;
    struct tm_event ev;
    TM_CHECK(make_tree(root));
    struct tm_core *core = open_tree(dir, root, NULL);
    TM_CHECK(core != NULL);
    TM_CHECK(tm_core_create_mailbox(core, "Lists", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_MAILBOXES, &ev));
    TM_CHECK_INT(ev.status, TM_OK);
    TM_CHECK_STR(ev.text, "Created Lists.");
    TM_CHECK(tm_core_mailbox_exists(core, "Lists"));
    struct stat sb;
    char lists[1100];
    TM_CHECK(stat(path_in(folder(lists, sizeof(lists), root, "Lists"), "cur"), &sb) == 0);
    TM_CHECK(tm_core_create_mailbox(core, "../escape", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_ERROR, &ev)); /* never a path outside the Maildir */
    TM_CHECK(tm_core_rename_mailbox(core, "INBOX", "X", &err) == TM_ENOTSUP); /* open */
    TM_CHECK(tm_core_rename_mailbox(core, "Lists", "Groups", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_ERROR, &ev));
    TM_CHECK(strstr(ev.text, "cannot rename") != NULL);
    TM_CHECK(tm_core_delete_mailbox(core, "INBOX", &err) == TM_ENOTSUP);
    TM_CHECK(tm_core_delete_mailbox(core, "Lists", &err) == TM_OK);
    TM_CHECK(wait_event(core, TM_EV_ERROR, &ev));
    TM_CHECK(strstr(ev.text, "cannot delete") != NULL);
    TM_CHECK(tm_core_wait_idle(core, 5000));
    tm_core_free(&core);
}
