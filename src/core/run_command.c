/* run_command.c - runs a shell command for core (mailcap viewers, password_cmd) with its output
 * captured, bounded in time and size, and its whole process group stopped when it overruns. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

int core_run_command(const char *command, int in_fd, bool quiet, struct tm_buf *out, int timeout_ms)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* its own group, so a timeout stops everything it started */
        int null = open("/dev/null", O_WRONLY);
        if (in_fd >= 0)
            dup2(in_fd, STDIN_FILENO);
        dup2(out ? fds[1] : null, STDOUT_FILENO);
        if (quiet)
            dup2(null, STDERR_FILENO);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool killed = false;
    char chunk[8192];
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = timeout_ms -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd p = {fds[0], POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) == 0) {
            kill(-pid, SIGKILL);
            killed = true;
            break;
        }
        ssize_t n = read(fds[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (out && tm_buf_append(out, chunk, (size_t)n) != TM_OK) {
            kill(-pid, SIGKILL);
            killed = true;
            break;
        }
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return killed || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}
