/* private.h - ui-internal declarations: the app state, views, key maps and drawing helpers. */
#ifndef TM_UI_PRIVATE_H
#define TM_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "tmail/buf.h"
#include "tmail/core.h"

#include "tmail/config.h"
#include "tmail/mailcap.h"

#include "tag_set.h"

/* Keys are tmailrc key codes (enum tm_key in tmail/config.h): Unicode code points for
 * characters, TM_KEY_* for the others; plus these two of the UI's own. */
#define UI_KEY_RESIZE  (-2)
#define UI_KEY_UNKNOWN (-3)
#define UI_KEY_CANCEL  (-4) /* a lone Esc at a prompt */
#define UI_KEY_CTRL(c) ((c)&0x1f)

enum ui_fn {
    FN_NONE,
    FN_QUIT,
    FN_EXIT,
    FN_NEXT_ENTRY,
    FN_PREV_ENTRY,
    FN_NEXT_PAGE,
    FN_PREV_PAGE,
    FN_FIRST_ENTRY,
    FN_LAST_ENTRY,
    FN_DISPLAY,
    FN_PIPE,
    FN_HELP,
    FN_REDRAW,
    FN_NEXT_LINE,
    FN_PREV_LINE,
    FN_TOP,
    FN_BOTTOM,
    FN_NEXT_MESSAGE,
    FN_PREV_MESSAGE,
    FN_FLAG,
    FN_TOGGLE_NEW,
    FN_SYNC,
    FN_VIEW_ATTACH,
    FN_SAVE,
    FN_COMMAND,
    FN_SETUP,
    FN_CHANGE_FOLDER,
    FN_BROWSE,
    FN_BROWSE_OUTBOX,
    FN_SAVE_MESSAGE,
    FN_COPY_MESSAGE,
    FN_DELETE,
    FN_UNDELETE,
    FN_CREATE_MAILBOX,
    FN_RENAME_MAILBOX,
    FN_DELETE_MAILBOX,
    FN_SUBSCRIBE,
    FN_UNSUBSCRIBE,
    FN_TOGGLE_SUBSCRIBED,
    FN_SEARCH,
    FN_SEARCH_REVERSE,
    FN_SEARCH_NEXT,
    FN_SEARCH_OPPOSITE,
    FN_LIMIT,
    /* tagging (index_tag.c) */
    FN_TAG,
    FN_TAG_THREAD,
    FN_TAG_SUBTHREAD,
    FN_TAG_PATTERN,
    FN_UNTAG_PATTERN,
    FN_TAG_PREFIX,
    /* set-flag, clear-flag (index_flags.c) */
    FN_SET_FLAG,
    FN_CLEAR_FLAG,
    /* mutt's index moves and thread functions (index_search.c, index_jump.c, index_sort.c,
     * index_thread_ops.c) */
    FN_NEXT_UNREAD,
    FN_PREV_UNREAD,
    FN_JUMP,
    FN_SORT,
    FN_SORT_REVERSE,
    FN_DELETE_THREAD,
    FN_DELETE_SUBTHREAD,
    FN_UNDELETE_THREAD,
    FN_UNDELETE_SUBTHREAD,
    FN_READ_THREAD,
    FN_READ_SUBTHREAD,
    FN_NEXT_THREAD,
    FN_PREV_THREAD,
    FN_NEXT_SUBTHREAD,
    FN_TOP_PAGE,
    FN_MIDDLE_PAGE,
    FN_BOTTOM_PAGE,
    FN_TOGGLE_WEED, /* h: all header fields in the pager, or the usual few */
    FN_SHOW_VERSION,
    FN_SHELL, /* !: a shell command, or an interactive shell */
    FN_PARENT,
    FN_TOGGLE_QUOTED, /* the pager's T and S */
    FN_SKIP_QUOTED,
    FN_SEARCH_TOGGLE, /* the pager's \ */
    FN_DELETE_PATTERN,
    FN_UNDELETE_PATTERN,
    /* starting a message (index, pager) */
    FN_MAIL,
    FN_REPLY,
    FN_GROUP_REPLY,
    FN_LIST_REPLY,
    FN_FORWARD,
    FN_RESEND,
    FN_RECALL,
    /* the compose screen */
    FN_EDIT_FROM,
    FN_EDIT_TO,
    FN_EDIT_CC,
    FN_EDIT_BCC,
    FN_EDIT_SUBJECT,
    FN_EDIT_REPLY_TO,
    FN_EDIT_MESSAGE,
    FN_EDIT_HEADERS,
    FN_ATTACH_FILE,
    FN_DETACH,
    FN_EDIT_DESCRIPTION,
    FN_EDIT_TYPE,
    FN_SEND,
    FN_POSTPONE,
    /* the outbox (keys of its own: r, D, s) */
    FN_OUTBOX_RETRY,
    FN_OUTBOX_REMOVE,
    FN_OUTBOX_DROP_REFUSED,
};

enum ui_view {
    VIEW_INDEX,
    VIEW_PAGER,
    VIEW_HELP,
    VIEW_ATTACH,
    VIEW_BROWSER,
    VIEW_COMPOSE, /* the message being written */
    VIEW_FILES,   /* choosing a file to attach */
    VIEW_OUTBOX,  /* messages waiting to be sent */
};

/* What Enter in the mailbox browser does. */
enum browse_purpose { BROWSE_OPEN, BROWSE_SAVE, BROWSE_COPY };

/* One line of the mailbox browser. */
struct browser_row {
    int64_t id;     /* 0 for a parent the account does not list */
    char *name;     /* owned; untrusted text */
    size_t leaf;    /* offset of the last hierarchy level in name */
    int depth;      /* hierarchy levels above it */
    char delimiter; /* 0 when flat */
    bool noselect;  /* a parent that cannot be opened */
    bool subscribed;
    int role;      /* enum tm_mailbox_role */
    int64_t total; /* server counts when known, else the cache's; -1: unknown */
    int64_t unread;
    bool outbox; /* the "Outbox" line at the top, not a mailbox */
};

/* colors.c */
struct app;
struct ui_colors;
void colors_init(struct app *app); /* after curses has started */
void colors_free(struct app *app);
/* The attribute for an object, or fallback when the configuration does not colour it. */
int colors_attr(const struct app *app, enum tm_color_object object, int fallback);
/* A header line's colour: the last matching `color header` rule, else hdrdefault. */
int colors_header_attr(const struct app *app, const char *line, int fallback);
/* An index line's colour: the last `color index` rule whose pattern matches row. */
int colors_index_attr(const struct app *app, const struct tm_message_row *row, int fallback);
/* Quote level 0.. (quoted, quoted1 ... quoted9). */
int colors_quote_attr(const struct app *app, int level, int fallback);

/* keys.c */
/* A key read by get_wch (r its return value) as a tmailrc key code. */
int ui_key_from_curses(int r, wint_t wch);
/* The key map of a view. */
enum tm_keymap ui_keymap(enum ui_view view);
/* What a bound function does in view; FN_NONE for functions tmail does not have yet. */
enum ui_fn ui_fn_for(enum ui_view view, enum tm_op op);

/* BODY_COMPOSE: the original of a reply, forward, resend or recall (compose.pending_kind);
 * BODY_COMPOSE_VIEW: the same where a big message's skeleton will do (a reply's quote, an
 * inline forward). BODY_VIEW, BODY_ATTACH and BODY_COMPOSE_VIEW ask with parts_request_view. */
enum body_purpose {
    BODY_NONE,
    BODY_VIEW,
    BODY_PIPE,
    BODY_PIPE_TAGGED, /* one of the tagged messages piped together (index_tag.c) */
    BODY_ATTACH,
    BODY_COMPOSE,
    BODY_COMPOSE_VIEW
};

struct tm_mime_tree;
struct tm_mime_part;

/* One visual line of the pager: a byte range of pager.text. */
struct pager_line {
    size_t off, len;
    size_t prefix_off, prefix_len; /* quote prefix repeated on a wrapped continuation, or 0 */
    int attr;                      /* pager_view.c's line kind, and quote level << 4 */
    size_t line_off;               /* start of the logical line it belongs to */
    bool continued;                /* a wrapped continuation (drawn after a + with markers) */
};

#define UI_PENDING_MAX 2048

struct tm_draft;

/* The message being written (compose_*.c). */
struct compose_state {
    struct tm_draft *draft;   /* NULL when no message is being written */
    int kind;                 /* enum tm_draft_kind it started as */
    enum ui_view return_view; /* where sending, postponing or abandoning it goes back to */
    int64_t return_id;        /* the pager's message then */
    size_t cursor, top;       /* the attachment list: 0 is the text, then the attachments */
    int pending_kind;         /* BODY_COMPOSE: the enum tm_draft_kind to start from the original */
    bool preview;             /* the pager shows the built message: q comes back here */
};

/* One entry of the file browser. */
struct file_entry {
    char *name; /* owned; untrusted text (any bytes but '/') */
    bool dir;
    int64_t size;
    int64_t mtime;
};

/* The file browser (file_browser.c): picking a file to attach. */
struct files_state {
    char dir[4096]; /* the directory shown (absolute) */
    struct file_entry *items;
    size_t n, cap;
    size_t cursor, top;
    enum ui_view return_view;
};

/* One row of the outbox view: a copy of what tm_core_outbox_each gave. */
struct outbox_item {
    int64_t id;
    int state; /* enum tm_outbox_state */
    int attempts, maybe_sent;
    char *to, *subject, *last_reply; /* owned, may be NULL; untrusted text */
};

struct outbox_state {
    struct outbox_item *items;
    size_t n, cap;
    size_t cursor, top;
    enum ui_view return_view;
};

/* ;| in progress: the tagged messages' raw text is gathered one body request at a time. */
struct tag_pipe {
    int64_t *ids; /* owned; display order; NULL when no such pipe runs */
    size_t n, next;
    struct tm_buf out; /* the messages so far, each followed by a newline (mutt's pipe_sep) */
};

struct app {
    struct tm_core *core;
    struct tm_config *cfg;           /* settings, key bindings, colours (*cfg_slot) */
    struct tm_config **cfg_slot;     /* the caller's pointer, updated when :source replaces it */
    struct ui_colors *colors;        /* the colour rules as curses attributes */
    struct tm_mailcap mailcap;       /* mailcap entries for outside viewers */
    struct tm_mailcap_viewer viewer; /* what the pager's renderer calls */
    int32_t keyseq[TM_KEYSEQ_MAX];   /* keys of a binding typed so far (e.g. <Esc> of <Esc>x) */
    int keyseq_len;
    int32_t last_key; /* the key that ran the last function (jump starts its number with it) */
    int32_t pending[UI_PENDING_MAX]; /* keys of a macro still to be replayed */
    size_t pending_head, pending_len;
    enum ui_view view, help_return;
    bool quit;
    bool dirty;         /* redraw needed */
    char message[640];  /* the bottom line */
    char progress[160]; /* sync progress for the status bar */
    bool syncing;

    /* index */
    int64_t count;
    int64_t unread;
    int64_t cursor, top;
    int64_t cursor_id;  /* message under the cursor, to keep it across re-reads */
    bool cursor_placed; /* the start position (first unread, else last) has been chosen */
    bool user_moved;    /* the user moved before that could happen: leave the cursor alone */

    /* tagging (index_tag.c) */
    struct tag_set tags; /* tagged messages of the open mailbox */
    bool tags_stale;     /* messages may have left the mailbox: check the tags before drawing */
    bool tag_prefix;     /* ; was typed: the next function applies to the tagged messages */
    struct tag_pipe tag_pipe;

    /* pending body request */
    enum body_purpose body_purpose;
    int64_t body_id;
    char pipe_command[1024];

    /* pager */
    int64_t pager_id;
    struct tm_buf pager_text; /* terminal-safe UTF-8 of the rendered message */
    struct pager_line *lines;
    size_t n_lines, cap_lines;
    int pager_width; /* width the lines were wrapped for */
    size_t pager_top;
    bool pager_loading;
    size_t wrap_line_off; /* logical line being wrapped (rewrap's scratch) */

    bool pager_part;        /* the pager shows one attachment: q goes back to the attachment list */
    bool pager_all_headers; /* h: the pager shows every header field, not only the usual few */
    bool pager_hide_quotes; /* T: the pager leaves quoted lines out */

    /* the raw message shown in the pager or the attachment list */
    struct tm_buf raw;
    int64_t raw_id;

    /* attachments (attach_view.c) */
    struct tm_mime_tree *tree;
    const struct tm_mime_part **parts; /* depth-first, the whole message first */
    size_t n_parts;
    size_t attach_cursor, attach_top;
    enum ui_view attach_return;

    /* help */
    size_t help_top;
    size_t help_total; /* lines of the help text, as last drawn */

    /* folders (folder_cmds.c, browser_view.c) */
    int64_t deleted;           /* messages of the open mailbox marked deleted */
    char last_mailbox[512];    /* the last mailbox saved or copied to: the next prompt's default */
    char search_text[512];     /* the last index search, the next prompt's default */
    struct tm_pattern *search; /* its compiled pattern (owned), NULL before the first */
    bool search_reverse;       /* the last search went backwards */
    bool quit_wait;            /* quitting after queueing an expunge: let it finish first */
    struct browser_row *mailboxes;
    size_t n_mailboxes, cap_mailboxes;
    size_t browser_cursor, browser_top;
    bool subscribed_only;
    enum browse_purpose browse_purpose;
    int64_t browse_message_id; /* BROWSE_SAVE / BROWSE_COPY: the message, or UI_TAGGED */
    enum ui_view browser_return;

    /* writing mail (compose_*.c, editor.c, file_browser.c, outbox_view.c) */
    struct compose_state compose;
    struct files_state files;
    struct outbox_state outbox;
    int64_t unsent; /* messages of the account waiting in the outbox */
};

/* draw.c */
/* A size as mutt's %c and %l show it: "350", "1.2K", "12K", "1.1M". */
void ui_format_size(int64_t bytes, char *out, size_t size);
/* A count with thousands grouped, "12,345", for counts read at a glance; negative counts as 0. */
void ui_format_count(int64_t n, char *out, size_t size);
/* Where things go on the screen, after the help and status_on_top settings. */
struct ui_layout {
    int help_y;   /* the help line, or -1 when `set help = no` */
    int body_y;   /* first row of the index, pager or list */
    int body_h;   /* rows for it (at least 1) */
    int status_y; /* the status bar */
};
struct ui_layout ui_layout(const struct app *app);
/* The help line (top of the body), when the help setting wants one. */
void draw_help_bar(const struct app *app, const char *text);
/* Draws UTF-8 text (already terminal-safe) at row y, column x, clipped and padded to width. */
void draw_text(int y, int x, int width, const char *text, int attr);
/* Makes untrusted text terminal-safe (single line) and draws it like draw_text. */
void draw_untrusted(int y, int x, int width, const char *text, int attr);
/* Writes untrusted text made terminal-safe (single line) to out, cut at size. */
void draw_safe_copy(const char *text, char *out, size_t size);
/* A bar (status or help line) in the status colour. */
void draw_bar(const struct app *app, int y, const char *left, const char *right);
void draw_message_line(struct app *app);
void draw_status_bar(struct app *app, const char *what);

/* index_view.c */
void index_draw(struct app *app);
void index_handle(struct app *app, enum ui_fn fn);
void index_reload(struct app *app);
/* The cheap part of index_reload for a running scan: the count, not the unread count or the
 * cursor's message position (each a pass over the folder). */
void index_reload_count(struct app *app);
/* Puts the cursor on the first unread message, else the last one, as mutt does on open. */
void index_place_cursor(struct app *app);
int index_page_rows(const struct app *app);

/* pager_view.c */
void pager_draw(struct app *app);
void pager_handle(struct app *app, enum ui_fn fn);
void pager_open(struct app *app, int64_t message_id);
void pager_show(struct app *app, int64_t message_id, const char *raw, size_t len);
/* When the pager shows message_id from its skeleton: shows it again from raw (the whole message,
 * or the skeleton after a download), at the same place, so "not downloaded" is no longer said of
 * what is here now. Nothing otherwise. */
void pager_show_again(struct app *app, int64_t message_id, const char *raw, size_t len);
void pager_cleanup(struct app *app);

/* attach_view.c */
/* Opens the attachment list of the raw message in app->raw (message app->raw_id). */
void attach_open(struct app *app, enum ui_view return_to);
void attach_draw(struct app *app);
void attach_handle(struct app *app, enum ui_fn fn);
void attach_cleanup(struct app *app);
/* A TM_EV_PART_PROGRESS or TM_EV_PART_DONE: the list follows the download it waits for and, at
 * its end, does what was asked (show, save, pipe the part). */
void attach_part_event(struct app *app, const struct tm_event *ev);
/* Ctrl-G: stops the attachment downloads that run (the bytes held stay cached); false when
 * none runs. */
bool attach_stop_download(struct app *app);
/* parts_view.c: keeps a copy of a whole raw message for the pager, the attachment list and
 * compose. */
void app_keep_raw(struct app *app, int64_t message_id, const char *raw, size_t len);
/* Shows already terminal-unsafe UTF-8 text (it is made safe here) in the pager as one part. */
void pager_show_text(struct app *app, const char *text, size_t len);
/* pager_search.c: / <Esc>/ n and search-opposite in the pager. Asks for the pattern when fn is
 * a new search; true with *line, the visual line that matches next (the message line says when
 * it wrapped), false with the message line saying why not. */
bool pager_search(struct app *app, enum ui_fn fn, size_t *line);
/* \: matches shown in reverse video, or not. */
void pager_search_toggle(struct app *app);
/* Draws the matches of visual line i, drawn at row y from column x0, in reverse video. */
void pager_search_highlight(const struct app *app, int y, int x0, size_t i);
/* Frees the last search's pattern (at exit). */
void pager_search_cleanup(void);

/* app.c: (re)reads the mailcap files the configuration names */
void app_load_mailcap(struct app *app);

/* command.c: ':' - a configuration command typed at the bottom line */
void command_run(struct app *app);

/* setup.c: S - write a starter ~/.tmailrc for one account */
void setup_run(struct app *app);

/* help_view.c */
void help_draw(struct app *app);
void help_handle(struct app *app, enum ui_fn fn);

/* Moves the index cursor to display position to (kept inside the folder, with mutt's notes). */
void index_move_cursor(struct app *app, int64_t to);
/* The store id of the message at display position pos into *id; false (*id 0) when none. */
bool index_id_at(struct app *app, int64_t pos, int64_t *id);
/* index_search.c: /, <Esc>/, n and search-opposite in the index. */
void index_search(struct app *app, enum ui_fn fn);
/* l: asks for a pattern and shows only the messages it matches ("all" or ~A: all again). */
void index_limit(struct app *app);
/* The tag a body search started by the index carries (tm_core_search_start) to say what
 * happens when it ends: a find backwards, or tagging / untagging / deleting / undeleting what
 * matched (index_tag.c). */
#define UI_SEARCH_REVERSE  1
#define UI_SEARCH_TAG      2
#define UI_SEARCH_UNTAG    4
#define UI_SEARCH_DELETE   8
#define UI_SEARCH_UNDELETE 16
#define UI_SEARCH_ACTIONS  (UI_SEARCH_TAG | UI_SEARCH_UNTAG | UI_SEARCH_DELETE | UI_SEARCH_UNDELETE)
/* The message under the index cursor into *id; false (message set) when there is none. */
bool index_current_id(struct app *app, int64_t *id);

/* index_tag.c: mutt's tagging */
/* message_id of folder_save_prompt and folder_transfer that means the tagged messages. */
#define UI_TAGGED 0
/* t: toggles the current message's tag and moves to the next one. */
void index_tag_toggle(struct app *app);
/* <Esc>t, tag-subthread: tags the thread or subthread (untags it when the current message is
 * tagged) and moves past it. */
void index_tag_thread(struct app *app, bool subthread);
/* The store ids of the thread (or subthread) of the message under the cursor, *id being that
 * message, into *ids (malloc'd, the caller frees); false (message set) when there is none or
 * the index is not threaded. */
bool index_current_thread(struct app *app, bool subthread, int64_t *id, int64_t **ids, size_t *n);
/* Moves the cursor past the last of ids[0..n) the index shows (mutt's resolve for a thread). */
void index_move_past(struct app *app, const int64_t *ids, size_t n);

/* index_thread_ops.c: ^D <Esc>d ^U <Esc>u ^R <Esc>r on the thread or subthread under the cursor,
 * then past it. */
void index_thread_flags(struct app *app, enum ui_fn fn);
/* ^N, ^P, <Esc>n: to the next thread, the previous thread's first message, the next subthread. */
void index_thread_move(struct app *app, enum ui_fn fn);
/* P: to the message the one under the cursor replies to. */
void index_parent(struct app *app);
static inline bool ui_fn_thread_flags(enum ui_fn fn)
{
    return fn >= FN_DELETE_THREAD && fn <= FN_READ_SUBTHREAD;
}
/* index_jump.c: jump (a digit starts the number) */
void index_jump(struct app *app);
/* index_sort.c: o and O ask for a sort with one key and reorder the folder. */
void index_sort_prompt(struct app *app, bool reverse);
/* index_search.c: Tab and <Esc><Tab>: the next (previous) unread message, wrapping around;
 * false (message set) when there is none. */
bool index_next_unread(struct app *app, bool reverse);
/* T, ^T, D, U: asks for a pattern and tags, untags, marks deleted (untagging) or undeletes the
 * messages the index shows that it matches (action: one of UI_SEARCH_ACTIONS); ~b ~B ~h first
 * run the worker's body search. */
void index_tag_pattern(struct app *app, int action);
/* Does action (one of UI_SEARCH_ACTIONS) on the messages the index shows that p (with its
 * body-search results) matches. */
void index_tag_matching(struct app *app, const struct tm_pattern *p, int action);
/* ;: the next function applies to the tagged messages ("No tagged messages." when none). */
void index_tag_prefix(struct app *app);
/* A function typed after ;: d u F N w W t s C | on the tagged messages the index shows, movement
 * and the like as without ;. */
void index_tag_apply(struct app *app, enum ui_fn fn);
/* s / C after ;: moves or copies the tagged messages the index shows to mailbox name. */
void index_tag_transfer(struct app *app, const char *name, bool move);
/* A body for ;| arrived (raw[0..len) of message_id): gathered, and piped after the last. */
void index_tag_pipe_body(struct app *app, int64_t message_id, const char *raw, size_t len);
/* ;| stops (its body request failed; the message says why). */
void index_tag_pipe_stop(struct app *app);
/* Drops the tags of messages no longer in the open mailbox, when tags_stale says so. */
void index_tag_refresh(struct app *app);
/* Another mailbox opened: no tags, no ; pending, no ;| gathering. */
void index_tag_clear(struct app *app);
void index_tag_cleanup(struct app *app);

/* index_flags.c: mutt's set-flag (w) and clear-flag (W) */
/* One answer to the flag prompt: the enum tm_flag bit to turn on or off, or (bit 0) the tag. */
struct flag_change {
    unsigned bit;
    bool on;
};
/* Asks "Set flag?" (set) or "Clear flag?" for one of D N O r * !; false when cancelled (Esc,
 * ^G) or when the key is not one of them (the message line then says so). */
bool flag_prompt(struct app *app, bool set, struct flag_change *out);
/* w / W on the message under the index cursor, then on to the next one (mutt's resolve). */
void index_flag_current(struct app *app, bool set);

/* prompt.c: reads a line on the bottom row, starting from out's content (a suggestion the user
 * edits; "" for none); false if cancelled (Esc, ^G). The prompt must be terminal-safe text. */
bool prompt_line(struct app *app, const char *prompt, char *out, size_t size);
/* Frees the lines kept for Up / Down at the prompts (at exit). */
void prompt_history_free(void);
/* prompt_line for a pattern (/, l, T, D, ...): Up and Down go through the lines typed at all of
 * them, as mutt's one pattern history. */
bool prompt_pattern(struct app *app, const char *prompt, char *out, size_t size);
/* Tab completion for prompt_line_complete: extends text (of size bytes) in place, or writes the
 * candidates it could not choose between to choices (untrusted text: drawn sanitized). */
typedef void (*prompt_complete_fn)(void *ctx, char *text, size_t size, char *choices,
                                   size_t choices_size);
bool prompt_line_complete(struct app *app, const char *prompt, char *out, size_t size,
                          prompt_complete_fn complete, void *ctx);
enum prompt_result { PROMPT_CANCEL, PROMPT_OK, PROMPT_LIST };
/* prompt_line_complete that, when list is set, returns PROMPT_LIST for a '?' typed first or on
 * an empty line (mutt's "'?' for list"). */
enum prompt_result prompt_line_list(struct app *app, const char *prompt, char *out, size_t size,
                                    prompt_complete_fn complete, void *ctx, bool list);
/* Asks a yes/no question on the bottom row; Enter means yes, Esc means no. */
bool prompt_yes_no(struct app *app, const char *question);
/* Reads a password on the bottom row without showing it; out is wiped by the caller after use. */
bool prompt_secret(struct app *app, const char *prompt, char *out, size_t size);
/* A quad-option question (enum tm_quad): yes and no answer without asking; ask-yes / ask-no say
 * what Enter means. Returns 1 for yes, 0 for no, -1 when cancelled (Esc, ^G). */
int prompt_quad(struct app *app, const char *question, int quad);
/* Shows prompt (terminal-safe text) on the bottom row and returns the next key, or
 * UI_KEY_CANCEL for Esc and ^G. */
int prompt_key(struct app *app, const char *prompt);

/* folder_cmds.c: changing folders, saving and copying messages, deleted messages */
/* c: prompts for a mailbox (Tab completes, '?' lists) and opens it. */
void folder_change_prompt(struct app *app);
/* s / C: prompts for the mailbox to move (save) or copy message_id (or UI_TAGGED) to. */
void folder_save_prompt(struct app *app, int64_t message_id, bool move);
/* Moves or copies message_id (or UI_TAGGED) to name, offering to create a mailbox that does not
 * exist. */
void folder_transfer(struct app *app, int64_t message_id, const char *name, bool move);
/* Opens mailbox name (after folder_leave) in the index. */
void folder_open(struct app *app, const char *name);
enum leave_result { LEAVE_ABORT, LEAVE_KEPT, LEAVE_EXPUNGED };
/* Before leaving the open mailbox or on $: deleted messages go to the trash or are expunged,
 * as the delete setting says (asking first for ask-yes / ask-no). */
enum leave_result folder_leave(struct app *app);
/* Tab completion over the account's mailbox names (ctx: the app). */
void folder_complete(void *ctx, char *text, size_t size, char *choices, size_t choices_size);
/* A mailbox name as typed: mutt's =name and +name mean name, ! the inbox. */
void folder_normalize(const char *typed, char *out, size_t size);

/* browser_view.c: the mailbox browser */
void browser_open(struct app *app, enum browse_purpose purpose, int64_t message_id);
void browser_reload(struct app *app);
void browser_draw(struct app *app);
void browser_handle(struct app *app, enum ui_fn fn);
void browser_cleanup(struct app *app);

/* pipe.c: runs command with raw on its standard input, shows its output, waits for a key. */
void pipe_run(struct app *app, const char *command, const char *raw, size_t len);
/* !: asks for a shell command and runs it on the terminal (then waits for a key); nothing typed
 * starts $SHELL (or /bin/sh) until it exits. */
void pipe_shell(struct app *app);
/* Runs /bin/sh -c command, with arg as its $1 when not NULL (so a path is never pasted into the
 * command line) and in_fd as standard input when >= 0, the terminal's otherwise. ^C stops the
 * command, not tmail. The caller has suspended curses. Returns the wait status, or -1 when the
 * command could not be started. */
int pipe_spawn(const char *command, const char *arg, int in_fd);

/* compose_start.c: starting a message from the index or the pager */
/* m: To and Subject prompts (after offering a postponed message, as recall says), the editor,
 * then the compose screen. */
void compose_new(struct app *app);
/* r, g, L, f, e / <Esc>e (FN_REPLY ... FN_RESEND) on message_id: its raw text is loaded first
 * unless app->raw holds it (a BODY_COMPOSE request, or BODY_COMPOSE_VIEW where a big message's
 * skeleton will do: a reply, an inline forward). */
void compose_from_message(struct app *app, enum ui_fn fn, int64_t message_id);
/* R: recalls message_id when the drafts mailbox is open, else opens the drafts mailbox. */
void compose_recall(struct app *app, int64_t message_id);
/* The original of a BODY_COMPOSE or BODY_COMPOSE_VIEW request (purpose) arrived. */
void compose_original_arrived(struct app *app, enum body_purpose purpose, int64_t message_id,
                              const char *raw, size_t len);
/* tmail mailto:URL: a new message filled from the URL (RFC 6068). */
void compose_mailto(struct app *app, const char *url);
/* Drops the message being written and goes back where composing started. */
void compose_leave(struct app *app);
/* Replaces *field by a copy of value; false (message set) when out of memory. */
bool compose_set_string(struct app *app, char **field, const char *value);
/* The aliases of the configuration (never NULL). */
struct tm_alias_set;
const struct tm_alias_set *compose_aliases(const struct app *app);

/* compose_view.c: the compose screen */
void compose_draw(struct app *app);
void compose_handle(struct app *app, enum ui_fn fn);
/* Number of lines of the attachment list: the text, then each attachment. */
size_t compose_entries(const struct app *app);

/* compose_edit.c: what the compose screen's keys do */
/* t, c, b, s, r, <Esc>f: edits one header field at the bottom line. */
void compose_edit_field(struct app *app, enum ui_fn fn);
/* a: asks for a file (Tab completes, '?' or nothing opens the file browser, a glob pattern
 * attaches every match). */
void compose_attach_prompt(struct app *app);
/* Attaches one file (message set); true when it was attached. */
bool compose_attach_path(struct app *app, const char *path);
void compose_detach(struct app *app);
void compose_edit_description(struct app *app);
void compose_edit_type(struct app *app);
/* Enter on the text: the built message in the pager; on an attachment: its text. */
void compose_preview(struct app *app);
/* compose_send.c: y, P and q */
void compose_send(struct app *app);
void compose_postpone(struct app *app);
void compose_quit(struct app *app);

/* editor.c: the person's editor on a draft */
enum editor_result {
    EDITOR_OK,      /* read back (changed or not) */
    EDITOR_FAILED,  /* could not be written, run or read: message set, draft unchanged */
    EDITOR_DROPPED, /* read back failed and the person did not want to edit again */
};
/* Writes d to a 0600 file in a private temporary directory (with the header block when
 * with_headers), runs the editor on it with curses suspended, reads it back into d, and
 * removes the file and the directory. A file that cannot be read back (a bad header line) is
 * shown with the reason and offered to the editor again. */
enum editor_result editor_edit_draft(struct app *app, struct tm_draft *d, bool with_headers);

/* address_complete.c: recipient prompts */
/* Asks for an address list (out: the current value, edited in place): Tab completes the last
 * comma-separated item from the aliases and the addresses of cached mail (several matches: a
 * list to choose from); aliases are expanded on Enter. false when cancelled. */
bool address_prompt(struct app *app, const char *prompt, char *out, size_t size);
/* A modal list on the body rows: returns the index chosen with Enter, or -1 (q, Esc, ^G).
 * items are untrusted text (drawn sanitized). */
long choose_from_list(struct app *app, const char *title, char *const *items, size_t n);

/* file_browser.c: choosing files to attach */
/* Tab completion of a file name (ctx: unused); ~/ is the home directory. */
void file_complete(void *ctx, char *text, size_t size, char *choices, size_t choices_size);
/* ~/x as $HOME/x into out. */
void file_expand_home(const char *path, char *out, size_t size);
/* Opens the browser on dir (NULL: the last one shown, else the current directory). */
void files_open(struct app *app, const char *dir);
void files_draw(struct app *app);
void files_handle(struct app *app, enum ui_fn fn);
void files_cleanup(struct app *app);

/* outbox_view.c: messages waiting to be sent */
void outbox_open(struct app *app);
void outbox_reload(struct app *app);
void outbox_draw(struct app *app);
void outbox_handle(struct app *app, enum ui_fn fn);
/* The outbox view's own keys (r, D, s): the function, or FN_NONE. */
enum ui_fn outbox_key_fn(int key);
void outbox_cleanup(struct app *app);
/* Re-reads the unsent count for the status line. */
void outbox_count(struct app *app);
/* Rows of the outbox (unsent, or sent with their copy still to store). */
int64_t outbox_rows(struct app *app);
/* Before quitting with unsent mail: asks whether to quit anyway (default no). */
bool outbox_confirm_quit(struct app *app);

/* app.c */
/* Draws the current view now (after a modal list painted over it). */
void app_draw(struct app *app);
void app_set_message(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_request_body(struct app *app, int64_t message_id, enum body_purpose purpose);
/* Takes the next key (a macro's replayed keys first) as a tmailrc key code; 0 when none. */
int app_read_key(int *key);
/* The same, waiting for a key (modal prompts and lists); the screen stays non-blocking after. */
int app_wait_key(int *key);
/* Puts a key back so that the next app_read_key returns it first. */
void app_unread_key(int key);

#endif
