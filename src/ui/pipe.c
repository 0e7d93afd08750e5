/* pipe.c - '|': runs a shell command typed by the user with the raw message on its standard
 * input (from an in-memory file, so a command that does not read cannot block tmail), lets its
 * output reach the terminal, then waits for a key, as mutt does. Message text never becomes
 * part of the command line. '!' runs a command typed by the user, or an interactive shell. */
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"

static int message_fd(const char *raw, size_t len)
{
    int fd = memfd_create("tmail-message", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, raw + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void wait_any_key(void)
{
    struct termios saved, raw;
    char c;
    fputs(_("Press any key to continue..."), stdout);
    fflush(stdout);
    if (tcgetattr(STDIN_FILENO, &saved) != 0) {
        return;
    }
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    while (read(STDIN_FILENO, &c, 1) < 0 && errno == EINTR)
        ;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

int pipe_spawn(const char *command, const char *arg, int in_fd)
{
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigemptyset(&ignore.sa_mask);
    /* ^C stops the command, not tmail. */
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        if (in_fd >= 0)
            dup2(in_fd, STDIN_FILENO);
        if (arg)
            execl("/bin/sh", "sh", "-c", command, "sh", arg, (char *)NULL);
        else
            execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    if (pid > 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    return status;
}

/* Leaves curses, runs command (sh -c, $1 = arg) on the terminal with in_fd as its input (-1:
 * the terminal's); when wait is set, says how it failed and waits for a key; comes back. */
static void run_on_terminal(struct app *app, const char *command, const char *arg, int in_fd,
                            bool wait)
{
    def_prog_mode();
    endwin();
    fflush(stdout);
    int status = pipe_spawn(command, arg, in_fd);
    if (wait) {
        if (status < 0)
            printf(_("Cannot run the command.\n"));
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            printf(_("Command exited with status %d.\n"), WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            printf(_("Command killed by signal %d.\n"), WTERMSIG(status));
        wait_any_key();
    }
    reset_prog_mode();
    clearok(curscr, TRUE);
    app->dirty = true;
}

void pipe_run(struct app *app, const char *command, const char *raw, size_t len)
{
    int fd = message_fd(raw, len);
    if (fd < 0) {
        app_set_message(app, "%s", _("Cannot prepare the message for the command."));
        return;
    }
    run_on_terminal(app, command, NULL, fd, true);
    close(fd);
}

void pipe_shell(struct app *app)
{
    char command[1024] = "";
    if (!prompt_line(app, _("Shell command: "), command, sizeof(command)))
        return;
    const char *shell = getenv("SHELL");
    if (command[0])
        run_on_terminal(app, command, NULL, -1, true);
    else /* as mutt: nothing typed is an interactive shell; leaving it comes straight back */
        run_on_terminal(app, "exec \"${1:-/bin/sh}\"", shell && shell[0] ? shell : NULL, -1, false);
}
