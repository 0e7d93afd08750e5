/* test_tcp.c - real sockets on 127.0.0.1 (and 127.0.0.2, ::1): connect, a line exchange, the io
 * timeout, the cancel flag, refused connections, the source address, SIGPIPE, wait. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "src/net/private.h"
#include "tm_test.h"

static struct tm_stream_opts local_opts(int port)
{
    return (struct tm_stream_opts){.host = "127.0.0.1", .port = port, .io_timeout_ms = 5000};
}

/* Greets, answers one line with "got: LINE", then waits for the client to close. */
static void greet_and_echo(struct test_server *srv, int fd)
{
    char line[512];
    server_send(fd, "* OK hello\r\n");
    if (server_read_line(fd, line, sizeof(line)) == 0) {
        char reply[600];
        snprintf(reply, sizeof(reply), "got: %s\r\n", line);
        server_send(fd, reply);
    }
    server_drain(fd);
    (void)srv;
}

TM_TEST(tcp_connects_and_exchanges_lines)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", greet_and_echo), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    TM_CHECK(!tm_stream_is_tls(s));
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* OK hello");
    TM_CHECK_INT(tm_stream_write(s, "a1 NOOP\r\n", 9, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "got: a1 NOOP");
    tm_stream_close(&s);
    server_join(&srv);
    TM_CHECK_STR(srv.peer_addr, "127.0.0.1");
    tm_buf_cleanup(&line);
}

TM_TEST(tcp_honours_the_source_address)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", greet_and_echo), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    o.bind_addr = "127.0.0.2";
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    tm_stream_close(&s);
    server_join(&srv);
    TM_CHECK_STR(srv.peer_addr, "127.0.0.2");
    tm_buf_cleanup(&line);
}

TM_TEST(tcp_local_address_is_the_source_address)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    char addr[64] = "x";
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", greet_and_echo), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    o.bind_addr = "127.0.0.2";
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_INT(tm_stream_local_address(s, addr, sizeof(addr)), TM_OK);
    tm_stream_close(&s);
    server_join(&srv);
    TM_CHECK_STR(addr, "127.0.0.2");
    tm_buf_cleanup(&line);
}

TM_TEST(tcp_refuses_a_source_address_that_is_not_an_ip)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_stream_opts o = local_opts(1);
    o.bind_addr = "localhost";
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_ECONFIG);
    TM_CHECK(s == NULL);
}

TM_TEST(tcp_connection_refused_names_host_and_port)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    int port = 0;
    int fd = server_listen("127.0.0.1", &port);
    TM_CHECK(fd >= 0);
    close(fd); /* nothing listens on port now */
    struct tm_stream_opts o = local_opts(port);
    char want[100];
    snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%d: Connection refused", port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_ENET);
    TM_CHECK_STR(err.message, want);
    TM_CHECK(s == NULL);
}

TM_TEST(tcp_bad_port_or_host_is_a_config_error)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_stream_opts o = local_opts(0);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_ECONFIG);
    o = local_opts(70000);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_ECONFIG);
    o.host = "";
    o.port = 143;
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_ECONFIG);
}

/* Accepts and stays silent until the client goes away. */
static void silent(struct test_server *srv, int fd)
{
    (void)srv;
    server_drain(fd);
}

TM_TEST(tcp_read_times_out_when_the_server_is_silent)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", silent), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    o.io_timeout_ms = 300;
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    int64_t start = net_now_ms();
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_ENET);
    int64_t took = net_now_ms() - start;
    TM_CHECK(strstr(err.message, "timed out") != NULL);
    TM_CHECK(took >= 280 && took < 1500);
    /* A new timeout applies to later reads. */
    tm_stream_set_io_timeout(s, 100);
    start = net_now_ms();
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_ENET);
    TM_CHECK(net_now_ms() - start < 280);
    tm_stream_close(&s);
    server_join(&srv);
    tm_buf_cleanup(&line);
}

struct canceller {
    volatile int flag;
    int delay_ms;
};

static void *cancel_later(void *arg)
{
    struct canceller *c = arg;
    usleep((useconds_t)c->delay_ms * 1000);
    c->flag = 1;
    return NULL;
}

TM_TEST(tcp_read_returns_canceled_soon_after_the_flag_is_set)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    struct canceller c = {.flag = 0, .delay_ms = 100};
    pthread_t th;
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", silent), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    o.io_timeout_ms = 20000;
    o.cancel = &c.flag;
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    int64_t start = net_now_ms();
    TM_CHECK(pthread_create(&th, NULL, cancel_later, &c) == 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_ECANCELED);
    int64_t took = net_now_ms() - start;
    pthread_join(th, NULL);
    TM_CHECK(took >= 90 && took < 800);
    tm_stream_close(&s);
    server_join(&srv);
    tm_buf_cleanup(&line);
}

/* Closes at once, so the client's writes meet a reset connection. */
static void close_at_once(struct test_server *srv, int fd)
{
    (void)srv;
    (void)fd;
}

TM_TEST(tcp_write_to_a_closed_peer_fails_without_sigpipe)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    static char block[65536];
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", close_at_once), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    server_join(&srv);
    enum tm_status st = TM_OK;
    for (int i = 0; i < 200 && st == TM_OK; i++)
        st = tm_stream_write(s, block, sizeof(block), &err);
    TM_CHECK_INT(st, TM_ENET); /* still alive: no SIGPIPE */
    tm_stream_close(&s);
}

/* Sends 1 MiB, then reads 4 MiB slowly and replies with its length. */
static void bulk(struct test_server *srv, int fd)
{
    size_t n = 1024 * 1024, got = 0;
    char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(i % 251);
    server_send_bytes(fd, buf, n);
    usleep(200 * 1000); /* the client's writes fill the socket buffers meanwhile */
    for (;;) {
        ssize_t r = recv(fd, buf, n, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == 4 * n)
            break;
    }
    char reply[64];
    snprintf(reply, sizeof(reply), "%zu\r\n", got);
    server_send(fd, reply);
    server_drain(fd);
    free(buf);
    (void)srv;
}

TM_TEST(tcp_moves_megabytes_both_ways)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    size_t n = 1024 * 1024;
    char *buf = malloc(4 * n);
    TM_CHECK(buf != NULL);
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", bulk), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    TM_CHECK_INT(tm_stream_read_exact(s, buf, n, &err), TM_OK);
    for (size_t i = 0; i < n; i++)
        if (buf[i] != (char)(i % 251))
            TM_CHECK_INT(i, -1);
    memset(buf, 'x', 4 * n);
    TM_CHECK_INT(tm_stream_write(s, buf, 4 * n, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "4194304");
    tm_stream_close(&s);
    server_join(&srv);
    tm_buf_cleanup(&line);
    free(buf);
}

/* Waits 300 ms, then sends one line. */
static void late_line(struct test_server *srv, int fd)
{
    (void)srv;
    usleep(300 * 1000);
    server_send(fd, "* 1 EXISTS\r\n");
    server_drain(fd);
}

TM_TEST(tcp_wait_reports_timeout_wake_and_data)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    enum tm_wait w;
    int p[2];
    TM_CHECK(pipe(p) == 0);
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", late_line), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    TM_CHECK_INT(tm_stream_wait(s, 50, p[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_TIMEOUT);
    TM_CHECK(write(p[1], "x", 1) == 1);
    TM_CHECK_INT(tm_stream_wait(s, 5000, p[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_WOKEN);
    char c;
    TM_CHECK(read(p[0], &c, 1) == 1);
    TM_CHECK_INT(tm_stream_wait(s, -1, p[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_DATA);
    TM_CHECK(tm_stream_buffered(s) > 0);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* 1 EXISTS");
    tm_stream_close(&s);
    server_join(&srv);
    close(p[0]);
    close(p[1]);
    tm_buf_cleanup(&line);
}

TM_TEST(tcp_wait_reports_a_closed_connection)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    enum tm_wait w;
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", close_at_once), 0);
    struct tm_stream_opts o = local_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    TM_CHECK_INT(tm_stream_wait(s, 5000, -1, &w, &err), TM_ENET);
    TM_CHECK(strstr(err.message, "closed") != NULL);
    tm_stream_close(&s);
    server_join(&srv);
}

TM_TEST(tcp_connects_to_an_ipv6_literal)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    if (server_start(&srv, "::1", greet_and_echo) != 0) {
        printf("# skipped: no IPv6 loopback\n");
        return;
    }
    struct tm_stream_opts o = local_opts(srv.port);
    o.host = "::1";
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK(strncmp(s->peer, "[::1]:", 6) == 0);
    char addr[64] = "x";
    TM_CHECK_INT(tm_stream_local_address(s, addr, sizeof(addr)), TM_OK);
    TM_CHECK_STR(addr, "::1");
    tm_stream_close(&s);
    server_join(&srv);
    TM_CHECK_STR(srv.peer_addr, "::1");
    tm_buf_cleanup(&line);
}
