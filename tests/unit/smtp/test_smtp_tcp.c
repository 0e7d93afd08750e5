/* test_smtp_tcp.c - a whole session over a real socket on 127.0.0.1 against a small in-process
 * server: connect, the EHLO name made from the host or the local address, a pipelined send, and
 * QUIT on close. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_fixture.h"
#include "tm_test.h"

struct server {
    const char *greeting; /* the first reply, with its CRLF */
    int listen_fd, port;
    pthread_t thread;
    char log[8192]; /* every line received, each followed by '\n' */
    size_t used;
};

static void say(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

/* Reads one line without its CRLF into line; false at the end of input. */
static bool hear(int fd, char *line, size_t size)
{
    size_t n = 0;
    char c;
    while (recv(fd, &c, 1, 0) == 1) {
        if (c == '\n') {
            if (n > 0 && line[n - 1] == '\r')
                n--;
            line[n] = 0;
            return true;
        }
        if (n + 1 < size)
            line[n++] = c;
    }
    return false;
}

static void *serve(void *arg)
{
    struct server *srv = arg;
    int fd = accept(srv->listen_fd, NULL, NULL);
    char line[1024];
    bool in_data = false;
    if (fd < 0)
        return NULL;
    say(fd, srv->greeting);
    while (hear(fd, line, sizeof(line))) {
        srv->used +=
            (size_t)snprintf(srv->log + srv->used, sizeof(srv->log) - srv->used, "%s\n", line);
        if (in_data) {
            if (strcmp(line, ".") == 0) {
                in_data = false;
                say(fd, "250 2.0.0 Ok: queued as TCP1\r\n");
            }
        } else if (strncmp(line, "EHLO ", 5) == 0) {
            say(fd, "250-smtp.test\r\n250-PIPELINING\r\n250 SIZE 100000\r\n");
        } else if (strcmp(line, "DATA") == 0) {
            in_data = true;
            say(fd, "354 go ahead\r\n");
        } else if (strcmp(line, "QUIT") == 0) {
            say(fd, "221 2.0.0 Bye\r\n");
            break;
        } else {
            say(fd, "250 2.1.0 Ok\r\n");
        }
    }
    close(fd);
    return NULL;
}

static int server_start(struct server *srv, const char *greeting)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    memset(srv, 0, sizeof(*srv));
    srv->greeting = greeting;
    srv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv->listen_fd < 0 || bind(srv->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(srv->listen_fd, 1) != 0 ||
        getsockname(srv->listen_fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    srv->port = ntohs(a.sin_port);
    return pthread_create(&srv->thread, NULL, serve, srv) == 0 ? 0 : -1;
}

static void server_join(struct server *srv)
{
    pthread_join(srv->thread, NULL);
    close(srv->listen_fd);
}

TM_TEST(smtp_tcp_session_sends_and_quits)
{
    struct server srv;
    struct tm_smtp *s = NULL;
    struct tm_error err;
    struct tm_smtp_rcpt_status rs[2];
    struct tm_smtp_result res = {.rcpts = rs};
    static const char *const rcpts[] = {"bob@example.org", "carol@example.org"};
    static const char msg[] = "Subject: hi\n\n.dot\n";
    struct tm_smtp_envelope env = {"alice@example.org", rcpts, 2, msg, sizeof(msg) - 1, NULL, NULL};
    TM_CHECK_INT(server_start(&srv, "220 smtp.test ESMTP\r\n"), 0);
    struct tm_smtp_opts o = {.host = "127.0.0.1", .port = srv.port, .io_timeout_ms = 5000};
    tm_error_clear(&err);
    TM_CHECK_INT(tm_smtp_open(&o, &s, &err), TM_OK);
    TM_CHECK_INT(tm_smtp_send(s, &env, &res, &err), TM_OK);
    TM_CHECK_INT(res.outcome, TM_SMTP_SENT);
    TM_CHECK_STR(res.reply, "250 2.0.0 Ok: queued as TCP1");
    tm_smtp_close(&s);
    server_join(&srv);
    /* The EHLO name is the host's name when it has a dot, else the local address. */
    char name[300] = "";
    TM_CHECK(sscanf(srv.log, "EHLO %299s\n", name) == 1);
    TM_CHECK(strcmp(name, "[127.0.0.1]") == 0 || (strchr(name, '.') && name[0] != '['));
    const char *rest = strchr(srv.log, '\n');
    TM_CHECK(rest != NULL);
    TM_CHECK_STR(rest + 1, "MAIL FROM:<alice@example.org> SIZE=22\n"
                           "RCPT TO:<bob@example.org>\n"
                           "RCPT TO:<carol@example.org>\n"
                           "DATA\n"
                           "Subject: hi\n"
                           "\n"
                           "..dot\n"
                           ".\n"
                           "QUIT\n");
}

TM_TEST(smtp_tcp_connection_refused_is_a_network_error)
{
    struct server srv;
    struct tm_smtp *s = NULL;
    struct tm_error err;
    TM_CHECK_INT(server_start(&srv, "220 smtp.test ESMTP\r\n"), 0);
    int port = srv.port;
    /* Connect once so the thread ends, then nothing listens on port. */
    struct tm_smtp_opts o = {.host = "127.0.0.1", .port = port, .io_timeout_ms = 5000};
    TM_CHECK_INT(tm_smtp_open(&o, &s, &err), TM_OK);
    tm_smtp_close(&s);
    server_join(&srv);
    TM_CHECK_INT(tm_smtp_open(&o, &s, &err), TM_ENET);
    TM_CHECK(s == NULL);
    TM_CHECK(strstr(err.message, "127.0.0.1") != NULL);
}

TM_TEST(smtp_tcp_failed_open_drops_the_connection_without_quit)
{
    struct server srv;
    struct tm_smtp *s = NULL;
    struct tm_error err;
    TM_CHECK_INT(server_start(&srv, "554 5.7.1 no service for you\r\n"), 0);
    struct tm_smtp_opts o = {
        .host = "127.0.0.1", .port = srv.port, .io_timeout_ms = 5000, .helo_name = "c.example"};
    TM_CHECK_INT(tm_smtp_open(&o, &s, &err), TM_ENET);
    TM_CHECK(s == NULL);
    TM_CHECK_STR(err.server_reply, "554 5.7.1 no service for you");
    server_join(&srv);
    TM_CHECK_STR(srv.log, ""); /* not even QUIT */
}
