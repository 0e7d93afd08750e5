/* keys.c - keys from curses to tmailrc key codes, and the bound function to what each view
 * does. The bindings themselves (mutt's defaults and the user's) live in the configuration. */
#include <curses.h>
#include <stdio.h>

#include "private.h"
#include "tmail/config.h"
#include "tmail/i18n.h"

int ui_key_from_curses(int r, wint_t wch)
{
    static const struct {
        int curses;
        int32_t key;
    } special[] = {
        {KEY_UP, TM_KEY_UP},
        {KEY_DOWN, TM_KEY_DOWN},
        {KEY_LEFT, TM_KEY_LEFT},
        {KEY_RIGHT, TM_KEY_RIGHT},
        {KEY_PPAGE, TM_KEY_PAGEUP},
        {KEY_NPAGE, TM_KEY_PAGEDOWN},
        {KEY_HOME, TM_KEY_HOME},
        {KEY_END, TM_KEY_END},
        {KEY_IC, TM_KEY_INSERT},
        {KEY_DC, TM_KEY_DELETE},
        {KEY_BACKSPACE, TM_KEY_BACKSPACE},
        {KEY_BTAB, TM_KEY_BACKTAB},
        {KEY_ENTER, TM_KEY_KEYPAD_ENTER},
        {KEY_RESIZE, UI_KEY_RESIZE},
    };
    if (r != KEY_CODE_YES)
        return wch == 127 || wch == 8 ? TM_KEY_BACKSPACE : (int)wch;
    if ((int)wch >= KEY_F(0) && (int)wch <= KEY_F(63))
        return TM_KEY_F((int)wch - KEY_F(0));
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (special[i].curses == (int)wch)
            return special[i].key;
    return UI_KEY_UNKNOWN;
}

enum tm_keymap ui_keymap(enum ui_view view)
{
    switch (view) {
    case VIEW_INDEX:
        return TM_MAP_INDEX;
    case VIEW_ATTACH:
        return TM_MAP_ATTACH;
    case VIEW_BROWSER:
    case VIEW_FILES: /* mutt's file browser */
        return TM_MAP_BROWSER;
    case VIEW_COMPOSE:
        return TM_MAP_COMPOSE;
    case VIEW_OUTBOX: /* movement and q; r, D and s are its own keys */
        return TM_MAP_GENERIC;
    default:
        return TM_MAP_PAGER; /* the pager and the help screen, which is a pager in mutt */
    }
}

/* Movement in the lists of the index and the attachment menu. */
static enum ui_fn list_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_NEXT_ENTRY:
    case TM_OP_NEXT_UNDELETED: /* deleted messages are not skipped yet: the next message */
        return FN_NEXT_ENTRY;
    case TM_OP_PREVIOUS_ENTRY:
    case TM_OP_PREVIOUS_UNDELETED:
        return FN_PREV_ENTRY;
    case TM_OP_NEXT_PAGE:
        return FN_NEXT_PAGE;
    case TM_OP_PREVIOUS_PAGE:
        return FN_PREV_PAGE;
    case TM_OP_FIRST_ENTRY:
        return FN_FIRST_ENTRY;
    case TM_OP_LAST_ENTRY:
        return FN_LAST_ENTRY;
    default:
        return FN_NONE;
    }
}

/* Scrolling in the pager and the help screen. */
static enum ui_fn scroll_fn(enum tm_op op, bool help)
{
    switch (op) {
    case TM_OP_NEXT_LINE:
        return FN_NEXT_LINE;
    case TM_OP_PREVIOUS_LINE:
        return FN_PREV_LINE;
    case TM_OP_NEXT_PAGE:
    case TM_OP_HALF_DOWN:
        return FN_NEXT_PAGE;
    case TM_OP_PREVIOUS_PAGE:
    case TM_OP_HALF_UP:
        return FN_PREV_PAGE;
    case TM_OP_TOP:
    case TM_OP_FIRST_ENTRY:
        return FN_TOP;
    case TM_OP_BOTTOM:
    case TM_OP_LAST_ENTRY:
        return FN_BOTTOM;
    case TM_OP_NEXT_ENTRY:
    case TM_OP_NEXT_UNDELETED:
        return help ? FN_NEXT_LINE : FN_NEXT_MESSAGE;
    case TM_OP_PREVIOUS_ENTRY:
    case TM_OP_PREVIOUS_UNDELETED:
        return help ? FN_PREV_LINE : FN_PREV_MESSAGE;
    default:
        return FN_NONE;
    }
}

/* The mailbox browser's own functions. */
static enum ui_fn browser_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_CREATE_MAILBOX:
        return FN_CREATE_MAILBOX;
    case TM_OP_RENAME_MAILBOX:
        return FN_RENAME_MAILBOX;
    case TM_OP_DELETE_MAILBOX:
        return FN_DELETE_MAILBOX;
    case TM_OP_SUBSCRIBE:
        return FN_SUBSCRIBE;
    case TM_OP_UNSUBSCRIBE:
        return FN_UNSUBSCRIBE;
    case TM_OP_TOGGLE_SUBSCRIBED:
        return FN_TOGGLE_SUBSCRIBED;
    case TM_OP_CHANGE_DIR:
        return FN_CHANGE_FOLDER;
    default:
        return list_fn(op);
    }
}

/* Functions on the open folder and its messages, in the index and the pager. */
static enum ui_fn folder_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_CHANGE_FOLDER:
        return FN_CHANGE_FOLDER;
    case TM_OP_BROWSE_MAILBOXES:
        return FN_BROWSE;
    case TM_OP_BROWSE_OUTBOX:
        return FN_BROWSE_OUTBOX;
    case TM_OP_SAVE_MESSAGE:
        return FN_SAVE_MESSAGE;
    case TM_OP_COPY_MESSAGE:
        return FN_COPY_MESSAGE;
    case TM_OP_DELETE_MESSAGE:
        return FN_DELETE;
    case TM_OP_UNDELETE_MESSAGE:
        return FN_UNDELETE;
    default:
        return FN_NONE;
    }
}

/* Tagging: t in the index and the pager (on the message shown), the others in the index. */
static enum ui_fn tag_fn(enum ui_view view, enum tm_op op)
{
    switch (op) {
    case TM_OP_TAG_MESSAGE:
    case TM_OP_TAG_ENTRY:
        return FN_TAG;
    case TM_OP_TAG_THREAD:
        return view == VIEW_INDEX ? FN_TAG_THREAD : FN_NONE;
    case TM_OP_TAG_SUBTHREAD:
        return view == VIEW_INDEX ? FN_TAG_SUBTHREAD : FN_NONE;
    case TM_OP_TAG_PATTERN:
        return view == VIEW_INDEX ? FN_TAG_PATTERN : FN_NONE;
    case TM_OP_UNTAG_PATTERN:
        return view == VIEW_INDEX ? FN_UNTAG_PATTERN : FN_NONE;
    case TM_OP_TAG_PREFIX:
        return view == VIEW_INDEX ? FN_TAG_PREFIX : FN_NONE;
    default:
        return FN_NONE;
    }
}

/* Moving to unread mail and the thread functions, in the index and the pager; jump and sort in
 * the index. */
static enum ui_fn message_fn(enum ui_view view, enum tm_op op)
{
    switch (op) {
    case TM_OP_NEXT_NEW: /* tmail does not tell old unread mail from new */
    case TM_OP_NEXT_UNREAD:
    case TM_OP_NEXT_NEW_THEN_UNREAD:
        return FN_NEXT_UNREAD;
    case TM_OP_PREVIOUS_NEW:
    case TM_OP_PREVIOUS_UNREAD:
    case TM_OP_PREVIOUS_NEW_THEN_UNREAD:
        return FN_PREV_UNREAD;
    case TM_OP_DELETE_THREAD:
        return FN_DELETE_THREAD;
    case TM_OP_DELETE_SUBTHREAD:
        return FN_DELETE_SUBTHREAD;
    case TM_OP_UNDELETE_THREAD:
        return FN_UNDELETE_THREAD;
    case TM_OP_UNDELETE_SUBTHREAD:
        return FN_UNDELETE_SUBTHREAD;
    case TM_OP_READ_THREAD:
        return FN_READ_THREAD;
    case TM_OP_READ_SUBTHREAD:
        return FN_READ_SUBTHREAD;
    case TM_OP_NEXT_THREAD:
        return FN_NEXT_THREAD;
    case TM_OP_PREVIOUS_THREAD:
        return FN_PREV_THREAD;
    case TM_OP_NEXT_SUBTHREAD:
        return FN_NEXT_SUBTHREAD;
    case TM_OP_PARENT_MESSAGE:
        return FN_PARENT;
    case TM_OP_DISPLAY_TOGGLE_WEED:
        return FN_TOGGLE_WEED;
    case TM_OP_SHOW_VERSION:
        return FN_SHOW_VERSION;
    case TM_OP_SHELL_ESCAPE:
        return FN_SHELL;
    case TM_OP_TOP_PAGE:
        return view == VIEW_INDEX ? FN_TOP_PAGE : FN_NONE;
    case TM_OP_MIDDLE_PAGE:
        return view == VIEW_INDEX ? FN_MIDDLE_PAGE : FN_NONE;
    case TM_OP_BOTTOM_PAGE:
        return view == VIEW_INDEX ? FN_BOTTOM_PAGE : FN_NONE;
    case TM_OP_JUMP:
        return view == VIEW_INDEX ? FN_JUMP : FN_NONE;
    case TM_OP_DELETE_PATTERN:
        return view == VIEW_INDEX ? FN_DELETE_PATTERN : FN_NONE;
    case TM_OP_UNDELETE_PATTERN:
        return view == VIEW_INDEX ? FN_UNDELETE_PATTERN : FN_NONE;
    case TM_OP_SORT_MAILBOX:
        return view == VIEW_INDEX ? FN_SORT : FN_NONE;
    case TM_OP_SORT_REVERSE:
        return view == VIEW_INDEX ? FN_SORT_REVERSE : FN_NONE;
    default:
        return FN_NONE;
    }
}

/* Starting a message, in the index and the pager. */
static enum ui_fn send_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_MAIL:
        return FN_MAIL;
    case TM_OP_REPLY:
        return FN_REPLY;
    case TM_OP_GROUP_REPLY:
        return FN_GROUP_REPLY;
    case TM_OP_LIST_REPLY:
        return FN_LIST_REPLY;
    case TM_OP_FORWARD_MESSAGE:
        return FN_FORWARD;
    case TM_OP_EDIT: /* e: as <Esc>e, a new message from this one (not an edit in place) */
    case TM_OP_RESEND_MESSAGE:
        return FN_RESEND;
    case TM_OP_RECALL_MESSAGE:
        return FN_RECALL;
    default:
        return FN_NONE;
    }
}

/* The compose screen's own functions. */
static enum ui_fn compose_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_EDIT_FROM:
        return FN_EDIT_FROM;
    case TM_OP_EDIT_TO:
        return FN_EDIT_TO;
    case TM_OP_EDIT_CC:
        return FN_EDIT_CC;
    case TM_OP_EDIT_BCC:
        return FN_EDIT_BCC;
    case TM_OP_EDIT_SUBJECT:
        return FN_EDIT_SUBJECT;
    case TM_OP_EDIT_REPLY_TO:
        return FN_EDIT_REPLY_TO;
    case TM_OP_EDIT_MESSAGE:
        return FN_EDIT_MESSAGE;
    case TM_OP_EDIT_HEADERS:
        return FN_EDIT_HEADERS;
    case TM_OP_ATTACH_FILE:
        return FN_ATTACH_FILE;
    case TM_OP_DETACH_FILE:
        return FN_DETACH;
    case TM_OP_EDIT_DESCRIPTION:
        return FN_EDIT_DESCRIPTION;
    case TM_OP_EDIT_TYPE:
        return FN_EDIT_TYPE;
    case TM_OP_SEND_MESSAGE:
        return FN_SEND;
    case TM_OP_POSTPONE_MESSAGE:
        return FN_POSTPONE;
    default:
        return FN_NONE;
    }
}

/* Everything the compose screen does: its own functions, Enter (the preview), q, help. */
static enum ui_fn compose_view_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_HELP:
        return FN_HELP;
    case TM_OP_ENTER_COMMAND:
        return FN_COMMAND;
    case TM_OP_REFRESH:
    case TM_OP_REDRAW_SCREEN:
        return FN_REDRAW;
    case TM_OP_EXIT:
    case TM_OP_QUIT:
        return FN_EXIT;
    case TM_OP_SELECT_ENTRY:
    case TM_OP_VIEW_ATTACH:
        return FN_DISPLAY;
    default:
        return compose_fn(op) != FN_NONE ? compose_fn(op) : list_fn(op);
    }
}

/* The file browser: movement, Enter, c (change-dir) and q. */
static enum ui_fn files_fn(enum tm_op op)
{
    switch (op) {
    case TM_OP_CHANGE_DIR:
        return FN_CHANGE_FOLDER;
    case TM_OP_SELECT_ENTRY:
    case TM_OP_DESCEND_DIRECTORY:
        return FN_DISPLAY;
    case TM_OP_EXIT:
    case TM_OP_QUIT:
        return FN_EXIT;
    case TM_OP_HELP:
        return FN_HELP;
    case TM_OP_REFRESH:
    case TM_OP_REDRAW_SCREEN:
        return FN_REDRAW;
    default:
        return list_fn(op);
    }
}

/* What op means in view; FN_NONE for a function tmail does not have yet. */
enum ui_fn ui_fn_for(enum ui_view view, enum tm_op op)
{
    if (view == VIEW_FILES)
        return files_fn(op);
    if ((view == VIEW_INDEX || view == VIEW_PAGER) && send_fn(op) != FN_NONE)
        return send_fn(op);
    if (view == VIEW_COMPOSE)
        return compose_view_fn(op);
    if (view == VIEW_BROWSER && op != TM_OP_HELP && op != TM_OP_QUIT && op != TM_OP_EXIT &&
        op != TM_OP_SELECT_ENTRY && op != TM_OP_ENTER_COMMAND && op != TM_OP_REFRESH &&
        op != TM_OP_REDRAW_SCREEN)
        return browser_fn(op);
    if ((view == VIEW_INDEX || view == VIEW_PAGER) && folder_fn(op) != FN_NONE)
        return folder_fn(op);
    if ((view == VIEW_INDEX || view == VIEW_PAGER) && tag_fn(view, op) != FN_NONE)
        return tag_fn(view, op);
    if ((view == VIEW_INDEX || view == VIEW_PAGER) && message_fn(view, op) != FN_NONE)
        return message_fn(view, op);
    switch (op) {
    case TM_OP_HELP:
        return FN_HELP;
    case TM_OP_ENTER_COMMAND:
        return FN_COMMAND;
    case TM_OP_SETUP_ACCOUNT:
        return view == VIEW_INDEX ? FN_SETUP : FN_NONE;
    case TM_OP_REFRESH:
    case TM_OP_REDRAW_SCREEN:
        return FN_REDRAW;
    case TM_OP_QUIT:
        return view == VIEW_INDEX ? FN_QUIT : FN_EXIT;
    case TM_OP_EXIT: /* x: leave without expunging deleted messages, as mutt */
        return FN_EXIT;
    case TM_OP_DISPLAY_MESSAGE:
    case TM_OP_SELECT_ENTRY:
    case TM_OP_VIEW_ATTACH:
        return view == VIEW_PAGER ? FN_NEXT_LINE : FN_DISPLAY;
    case TM_OP_PIPE_MESSAGE:
    case TM_OP_PIPE_ENTRY:
        return FN_PIPE;
    case TM_OP_FLAG_MESSAGE:
        return FN_FLAG;
    case TM_OP_TOGGLE_NEW:
        return FN_TOGGLE_NEW;
    case TM_OP_SET_FLAG:
    case TM_OP_CLEAR_FLAG:
        if (view != VIEW_INDEX && view != VIEW_PAGER)
            return FN_NONE;
        return op == TM_OP_SET_FLAG ? FN_SET_FLAG : FN_CLEAR_FLAG;
    case TM_OP_SYNC_MAILBOX:
        return FN_SYNC;
    case TM_OP_VIEW_ATTACHMENTS:
        return FN_VIEW_ATTACH;
    case TM_OP_SAVE_ENTRY:
        return FN_SAVE;
    case TM_OP_SEARCH:
        return view == VIEW_INDEX || view == VIEW_PAGER ? FN_SEARCH : FN_NONE;
    case TM_OP_LIMIT:
        return view == VIEW_INDEX ? FN_LIMIT : FN_NONE;
    case TM_OP_SEARCH_REVERSE:
        return view == VIEW_INDEX || view == VIEW_PAGER ? FN_SEARCH_REVERSE : FN_NONE;
    case TM_OP_SEARCH_NEXT:
        return view == VIEW_INDEX || view == VIEW_PAGER ? FN_SEARCH_NEXT : FN_NONE;
    case TM_OP_SEARCH_OPPOSITE:
        return view == VIEW_INDEX || view == VIEW_PAGER ? FN_SEARCH_OPPOSITE : FN_NONE;
    case TM_OP_SEARCH_TOGGLE:
        return view == VIEW_PAGER ? FN_SEARCH_TOGGLE : FN_NONE;
    case TM_OP_TOGGLE_QUOTED:
        return view == VIEW_PAGER ? FN_TOGGLE_QUOTED : FN_NONE;
    case TM_OP_SKIP_QUOTED:
        return view == VIEW_PAGER ? FN_SKIP_QUOTED : FN_NONE;
    default:
        break;
    }
    if (view == VIEW_INDEX || view == VIEW_ATTACH || view == VIEW_OUTBOX)
        return list_fn(op);
    return scroll_fn(op, view == VIEW_HELP);
}
