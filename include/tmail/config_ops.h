/* config_ops.h - every function a key can be bound to, named as in mutt, with the key maps where
 * it is valid and a one-line description for the help screen. One X-macro list, so the enum, the
 * names and the validation never disagree. Maps: G generic, I index, P pager, C compose, A attach,
 * B browser, E editor line. A function of the generic map is valid in every map but the editor. */
#ifndef TMAIL_CONFIG_OPS_H
#define TMAIL_CONFIG_OPS_H

/* clang-format off */
#define TM_OPS(X) \
    X(BOTTOM_PAGE, "bottom-page", G, "move to the bottom of the page") \
    X(CURRENT_BOTTOM, "current-bottom", G, "move the entry to the bottom of the screen") \
    X(CURRENT_MIDDLE, "current-middle", G, "move the entry to the middle of the screen") \
    X(CURRENT_TOP, "current-top", G, "move the entry to the top of the screen") \
    X(ENTER_COMMAND, "enter-command", G | I | P, "enter a configuration command") \
    X(EXIT, "exit", G | I | P | C | A | B, "leave this menu") \
    X(FIRST_ENTRY, "first-entry", G, "move to the first entry") \
    X(HALF_DOWN, "half-down", G | P, "scroll down half a page") \
    X(HALF_UP, "half-up", G | P, "scroll up half a page") \
    X(HELP, "help", G, "show the key bindings") \
    X(JUMP, "jump", G, "jump to an entry number") \
    X(LAST_ENTRY, "last-entry", G, "move to the last entry") \
    X(MIDDLE_PAGE, "middle-page", G, "move to the middle of the page") \
    X(NEXT_ENTRY, "next-entry", G | P, "move to the next entry") \
    X(NEXT_LINE, "next-line", G | P, "scroll down one line") \
    X(NEXT_PAGE, "next-page", G | P, "move to the next page") \
    X(PREVIOUS_ENTRY, "previous-entry", G | P, "move to the previous entry") \
    X(PREVIOUS_LINE, "previous-line", G | P, "scroll up one line") \
    X(PREVIOUS_PAGE, "previous-page", G | P, "move to the previous page") \
    X(REFRESH, "refresh", G, "clear and redraw the screen") \
    X(REDRAW_SCREEN, "redraw-screen", G | I | P, "clear and redraw the screen") \
    X(SEARCH, "search", G | P, "search for a regular expression") \
    X(SEARCH_NEXT, "search-next", G | P, "search for the next match") \
    X(SEARCH_OPPOSITE, "search-opposite", G | P, "search for the next match backwards") \
    X(SEARCH_REVERSE, "search-reverse", G | P, "search backwards for a regular expression") \
    X(SELECT_ENTRY, "select-entry", G, "select the current entry") \
    X(SHELL_ESCAPE, "shell-escape", G | P, "run a shell command") \
    X(TAG_ENTRY, "tag-entry", G, "tag the current entry") \
    X(TAG_PREFIX, "tag-prefix", G, "apply the next function to tagged entries") \
    X(TOP_PAGE, "top-page", G, "move to the top of the page") \
    X(WHAT_KEY, "what-key", G, "show the key code of a key press") \
    X(BOUNCE_MESSAGE, "bounce-message", I | P | A, "remail a message to another user") \
    X(BROWSE_MAILBOXES, "browse-mailboxes", I | P, "list the mailboxes of the account") \
    X(BROWSE_OUTBOX, "browse-outbox", I | P, "list the messages waiting to be sent") \
    X(CHANGE_FOLDER, "change-folder", I | P, "open a different folder") \
    X(CHANGE_FOLDER_READONLY, "change-folder-readonly", I | P, "open a folder read-only") \
    X(CLEAR_FLAG, "clear-flag", I | P, "clear a status flag from a message") \
    X(COLLAPSE_ALL, "collapse-all", I, "collapse or open all threads") \
    X(COLLAPSE_THREAD, "collapse-thread", I, "collapse or open the current thread") \
    X(COPY_MESSAGE, "copy-message", I | P, "copy a message to a folder") \
    X(CREATE_ALIAS, "create-alias", I | P, "create an alias from the sender") \
    X(DECODE_COPY, "decode-copy", I | P, "decode a message and copy it to a folder") \
    X(DECODE_SAVE, "decode-save", I | P, "decode a message and save it to a folder") \
    X(DELETE_MESSAGE, "delete-message", I | P, "delete the current message") \
    X(DELETE_PATTERN, "delete-pattern", I, "delete messages matching a pattern") \
    X(DELETE_SUBTHREAD, "delete-subthread", I | P, "delete all messages in the subthread") \
    X(DELETE_THREAD, "delete-thread", I | P, "delete all messages in the thread") \
    X(DISPLAY_ADDRESS, "display-address", I | P, "show the full address of the sender") \
    X(DISPLAY_MESSAGE, "display-message", I, "show the message") \
    X(DISPLAY_TOGGLE_WEED, "display-toggle-weed", I | P | A, "show the message with all headers") \
    X(EDIT, "edit", I | P, "edit the raw message") \
    X(FETCH_MAIL, "fetch-mail", I, "fetch mail from the POP server") \
    X(FLAG_MESSAGE, "flag-message", I | P, "toggle the important flag") \
    X(FORWARD_MESSAGE, "forward-message", I | P | A, "forward a message with comments") \
    X(GROUP_REPLY, "group-reply", I | P | A, "reply to all recipients") \
    X(LIMIT, "limit", I, "show only messages matching a pattern") \
    X(LIST_REPLY, "list-reply", I | P | A, "reply to the mailing list") \
    X(MAIL, "mail", I | P, "compose a new message") \
    X(MARK_MESSAGE, "mark-message", I, "create a hot-key macro for the message") \
    X(NEXT_NEW, "next-new", I | P, "jump to the next new message") \
    X(NEXT_NEW_THEN_UNREAD, "next-new-then-unread", I | P, "jump to the next new or unread message") \
    X(NEXT_SUBTHREAD, "next-subthread", I | P, "jump to the next subthread") \
    X(NEXT_THREAD, "next-thread", I | P, "jump to the next thread") \
    X(NEXT_UNDELETED, "next-undeleted", I | P, "move to the next undeleted message") \
    X(NEXT_UNREAD, "next-unread", I | P, "jump to the next unread message") \
    X(PARENT_MESSAGE, "parent-message", I | P, "jump to the parent message in the thread") \
    X(PIPE_MESSAGE, "pipe-message", I | P, "pipe a message to a shell command") \
    X(PREVIOUS_NEW, "previous-new", I | P, "jump to the previous new message") \
    X(PREVIOUS_NEW_THEN_UNREAD, "previous-new-then-unread", I | P, \
      "jump to the previous new or unread message") \
    X(PREVIOUS_SUBTHREAD, "previous-subthread", I | P, "jump to the previous subthread") \
    X(PREVIOUS_THREAD, "previous-thread", I | P, "jump to the previous thread") \
    X(PREVIOUS_UNDELETED, "previous-undeleted", I | P, "move to the previous undeleted message") \
    X(PREVIOUS_UNREAD, "previous-unread", I | P, "jump to the previous unread message") \
    X(PRINT_MESSAGE, "print-message", I | P, "print the current message") \
    X(PURGE_MESSAGE, "purge-message", I | P, "delete the message, bypassing the trash") \
    X(QUERY, "query", I, "query an external program for addresses") \
    X(QUIT, "quit", I | P, "save changes and quit") \
    X(READ_SUBTHREAD, "read-subthread", I | P, "mark the subthread as read") \
    X(READ_THREAD, "read-thread", I | P, "mark the thread as read") \
    X(RECALL_MESSAGE, "recall-message", I | P, "recall a postponed message") \
    X(REPLY, "reply", I | P | A, "reply to a message") \
    X(RESEND_MESSAGE, "resend-message", I | P | A, "use the message as a template for a new one") \
    X(SAVE_MESSAGE, "save-message", I | P, "save a message to a folder") \
    X(SET_FLAG, "set-flag", I | P, "set a status flag on a message") \
    X(SHOW_LIMIT, "show-limit", I, "show the active limit pattern") \
    X(SETUP_ACCOUNT, "setup-account", I, "write a starter ~/.tmailrc for one account") \
    X(SHOW_VERSION, "show-version", I | P, "show the tmail version") \
    X(SORT_MAILBOX, "sort-mailbox", I, "sort messages") \
    X(SORT_REVERSE, "sort-reverse", I | B, "sort in reverse order") \
    X(SYNC_MAILBOX, "sync-mailbox", I | P, "save changes to the folder") \
    X(TAG_MESSAGE, "tag-message", I | P, "tag the current message") \
    X(TAG_PATTERN, "tag-pattern", I, "tag messages matching a pattern") \
    X(TAG_SUBTHREAD, "tag-subthread", I, "tag the current subthread") \
    X(TAG_THREAD, "tag-thread", I, "tag the current thread") \
    X(TOGGLE_NEW, "toggle-new", I | P, "toggle the new flag of a message") \
    X(TOGGLE_WRITE, "toggle-write", I, "toggle whether the folder is written back") \
    X(UNDELETE_MESSAGE, "undelete-message", I | P, "undelete the current message") \
    X(UNDELETE_PATTERN, "undelete-pattern", I, "undelete messages matching a pattern") \
    X(UNDELETE_SUBTHREAD, "undelete-subthread", I | P, "undelete the subthread") \
    X(UNDELETE_THREAD, "undelete-thread", I | P, "undelete the thread") \
    X(UNTAG_PATTERN, "untag-pattern", I, "untag messages matching a pattern") \
    X(VIEW_ATTACHMENTS, "view-attachments", I | P, "show the MIME attachments") \
    X(BOTTOM, "bottom", P, "jump to the bottom of the message") \
    X(SEARCH_TOGGLE, "search-toggle", P, "toggle search match highlighting") \
    X(SKIP_QUOTED, "skip-quoted", P, "skip past quoted text") \
    X(TOGGLE_QUOTED, "toggle-quoted", P, "show or hide quoted text") \
    X(TOP, "top", P, "jump to the top of the message") \
    X(ATTACH_FILE, "attach-file", C, "attach a file") \
    X(ATTACH_MESSAGE, "attach-message", C, "attach messages") \
    X(DETACH_FILE, "detach-file", C, "remove the attachment") \
    X(EDIT_BCC, "edit-bcc", C, "edit the Bcc list") \
    X(EDIT_CC, "edit-cc", C, "edit the Cc list") \
    X(EDIT_DESCRIPTION, "edit-description", C, "edit the attachment description") \
    X(EDIT_ENCODING, "edit-encoding", C, "edit the attachment transfer encoding") \
    X(EDIT_FCC, "edit-fcc", C, "enter a file to save a copy to") \
    X(EDIT_FILE, "edit-file", C, "edit the attached file") \
    X(EDIT_FROM, "edit-from", C, "edit the From field") \
    X(EDIT_HEADERS, "edit-headers", C, "edit the message with headers") \
    X(EDIT_MESSAGE, "edit-message", C, "edit the message") \
    X(EDIT_MIME, "edit-mime", C, "edit the attachment using its mailcap entry") \
    X(EDIT_REPLY_TO, "edit-reply-to", C, "edit the Reply-To field") \
    X(EDIT_SUBJECT, "edit-subject", C, "edit the subject") \
    X(EDIT_TO, "edit-to", C, "edit the To list") \
    X(EDIT_TYPE, "edit-type", C | A, "edit the attachment content type") \
    X(FILTER_ENTRY, "filter-entry", C, "filter the attachment through a shell command") \
    X(GET_ATTACHMENT, "get-attachment", C, "get a temporary copy of an attachment") \
    X(ISPELL, "ispell", C, "run ispell on the message") \
    X(NEW_MIME, "new-mime", C, "compose a new attachment using mailcap") \
    X(POSTPONE_MESSAGE, "postpone-message", C, "save the message to send later") \
    X(RENAME_FILE, "rename-file", C, "rename the attached file") \
    X(SEND_MESSAGE, "send-message", C, "send the message") \
    X(TOGGLE_DISPOSITION, "toggle-disposition", C, "toggle between inline and attachment") \
    X(TOGGLE_RECODE, "toggle-recode", C, "toggle recoding of the attachment") \
    X(TOGGLE_UNLINK, "toggle-unlink", C, "toggle deleting the file after sending") \
    X(UPDATE_ENCODING, "update-encoding", C, "update the attachment encoding") \
    X(WRITE_FCC, "write-fcc", C, "write the message to a folder") \
    X(PIPE_ENTRY, "pipe-entry", C | A, "pipe the attachment to a shell command") \
    X(PRINT_ENTRY, "print-entry", C | A, "print the attachment") \
    X(VIEW_ATTACH, "view-attach", C | A, "view the attachment, using mailcap if needed") \
    X(COLLAPSE_PARTS, "collapse-parts", A, "collapse or open the current part") \
    X(DELETE_ENTRY, "delete-entry", A, "delete the attachment") \
    X(SAVE_ENTRY, "save-entry", A, "save the attachment to a file") \
    X(UNDELETE_ENTRY, "undelete-entry", A, "undelete the attachment") \
    X(VIEW_MAILCAP, "view-mailcap", A, "view the attachment with mailcap") \
    X(VIEW_TEXT, "view-text", A, "view the attachment as text") \
    X(CHANGE_DIR, "change-dir", B, "change directories") \
    X(CHECK_NEW, "check-new", B, "check folders for new mail") \
    X(CREATE_MAILBOX, "create-mailbox", B, "create a new mailbox") \
    X(DELETE_MAILBOX, "delete-mailbox", B, "delete the current mailbox") \
    X(DESCEND_DIRECTORY, "descend-directory", B, "enter the directory") \
    X(DISPLAY_FILENAME, "display-filename", B, "show the current file name") \
    X(ENTER_MASK, "enter-mask", B, "enter a file mask") \
    X(RENAME_MAILBOX, "rename-mailbox", B, "rename the current mailbox") \
    X(SELECT_NEW, "select-new", B, "select a new file in this directory") \
    X(SORT, "sort", B, "sort the entries") \
    X(SUBSCRIBE, "subscribe", B, "subscribe to the current mailbox") \
    X(TOGGLE_MAILBOXES, "toggle-mailboxes", B, "toggle between mailboxes and all files") \
    X(TOGGLE_SUBSCRIBED, "toggle-subscribed", B, "toggle showing all or subscribed mailboxes") \
    X(UNSUBSCRIBE, "unsubscribe", B, "unsubscribe from the current mailbox") \
    X(BACKSPACE, "backspace", E, "delete the character before the cursor") \
    X(BACKWARD_CHAR, "backward-char", E, "move the cursor one character left") \
    X(BACKWARD_WORD, "backward-word", E, "move the cursor to the start of the word") \
    X(BOL, "bol", E, "jump to the start of the line") \
    X(CAPITALIZE_WORD, "capitalize-word", E, "capitalize the word") \
    X(COMPLETE, "complete", E, "complete a file name or alias") \
    X(COMPLETE_QUERY, "complete-query", E, "complete an address with a query") \
    X(DELETE_CHAR, "delete-char", E, "delete the character under the cursor") \
    X(DOWNCASE_WORD, "downcase-word", E, "convert the word to lower case") \
    X(EOL, "eol", E, "jump to the end of the line") \
    X(FORWARD_CHAR, "forward-char", E, "move the cursor one character right") \
    X(FORWARD_WORD, "forward-word", E, "move the cursor to the end of the word") \
    X(HISTORY_DOWN, "history-down", E, "scroll down the history list") \
    X(HISTORY_UP, "history-up", E, "scroll up the history list") \
    X(KILL_EOL, "kill-eol", E, "delete to the end of the line") \
    X(KILL_EOW, "kill-eow", E, "delete to the end of the word") \
    X(KILL_LINE, "kill-line", E, "delete the whole line") \
    X(KILL_WORD, "kill-word", E, "delete the word before the cursor") \
    X(QUOTE_CHAR, "quote-char", E, "insert the next key literally") \
    X(TRANSPOSE_CHARS, "transpose-chars", E, "swap the characters around the cursor") \
    X(UPCASE_WORD, "upcase-word", E, "convert the word to upper case")
/* clang-format on */

#define TM_OP_ENUM_(id, name, maps, desc) TM_OP_##id,
enum tm_op {
    TM_OP_NONE = -1, /* unbound: `bind MAP KEY noop` removes a default binding */
    TM_OPS(TM_OP_ENUM_) TM_OP_COUNT
};
#undef TM_OP_ENUM_

#endif
