/* test_tls.c - TLS against an in-process server with a PKI made at run time: trust through a CA
 * file, unknown CA, host name mismatch, pins, STARTTLS on a real socket and its injection check,
 * close_notify, old protocol versions, and wait over TLS. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "src/net/private.h"
#include "tm_test.h"

/* Made again by each test; the last one stays reachable until exit (no leak report). */
static struct test_pki pki;

static int setup_pki(void)
{
    pki_free(&pki);
    return pki_make(&pki, tm_test_tmpdir());
}

static struct tm_stream_opts tls_opts(int port)
{
    return (struct tm_stream_opts){.host = "localhost",
                                   .port = port,
                                   .io_timeout_ms = 5000,
                                   .connect_timeout_ms = 5000,
                                   .implicit_tls = true,
                                   .tls = {.ca_file = pki.ca_file}};
}

static SSL *tls_accept(struct test_server *srv, int fd)
{
    SSL *ssl = SSL_new(srv->tls);
    if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1)
        return ssl;
    SSL_free(ssl);
    ERR_clear_error();
    return NULL;
}

/* Waits until the client is done (its close or an error), then frees ssl. */
static void tls_end(SSL *ssl)
{
    char c;
    SSL_read(ssl, &c, 1);
    SSL_free(ssl);
    ERR_clear_error();
}

static void tls_send(SSL *ssl, const char *text)
{
    SSL_write(ssl, text, (int)strlen(text));
}

static int tls_read_line(SSL *ssl, char *line, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c;
        if (SSL_read(ssl, &c, 1) != 1)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < size)
            line[n++] = c;
    }
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = 0;
    return 0;
}

/* After a handshake: greets, echoes one line, then records in result whether the client ended
 * with close_notify (1) or without (2). */
static void tls_echo(struct test_server *srv, int fd)
{
    char line[256], reply[300];
    SSL *ssl = tls_accept(srv, fd);
    if (!ssl)
        return;
    tls_send(ssl, "* OK tls\r\n");
    if (tls_read_line(ssl, line, sizeof(line)) == 0) {
        snprintf(reply, sizeof(reply), "echo: %s\r\n", line);
        tls_send(ssl, reply);
        char c;
        int r = SSL_read(ssl, &c, 1);
        srv->result = r <= 0 && SSL_get_error(ssl, r) == SSL_ERROR_ZERO_RETURN ? 1 : 2;
    }
    SSL_free(ssl);
    ERR_clear_error();
}

static enum tm_status start_tls_server(struct test_server *srv, server_fn serve)
{
    if (setup_pki() != 0 || server_start(srv, "127.0.0.1", serve) != 0)
        return TM_EIO;
    srv->tls = pki.server_ctx;
    return TM_OK;
}

/* Connects with o, expects success, and runs the echo exchange. */
static void expect_echo(struct test_server *srv, struct tm_stream_opts *o)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    o->port = srv->port;
    TM_CHECK_INT(tm_stream_connect(o, &s, &err), TM_OK);
    TM_CHECK(tm_stream_is_tls(s));
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* OK tls");
    TM_CHECK_INT(tm_stream_write(s, "a1 NOOP\r\n", 9, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "echo: a1 NOOP");
    tm_stream_close(&s);
    server_join(srv);
    TM_CHECK_INT(srv->result, 1); /* close_notify came */
    tm_buf_cleanup(&line);
}

TM_TEST(tls_with_the_ca_file_succeeds_and_closes_with_close_notify)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    expect_echo(&srv, &o);
}

TM_TEST(tls_to_an_ip_literal_checks_the_ip_address)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    o.host = "127.0.0.1";
    expect_echo(&srv, &o);
}

/* Connects with o and expects failure with status st and a message containing text. */
static void expect_failure(struct test_server *srv, struct tm_stream_opts *o, enum tm_status st,
                           const char *text)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    o->port = srv->port;
    TM_CHECK_INT(tm_stream_connect(o, &s, &err), st);
    TM_CHECK(s == NULL);
    if (!strstr(err.message, text))
        TM_CHECK_STR(err.message, text);
    server_join(srv);
}

TM_TEST(tls_with_another_ca_fails_verification)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    o.tls.ca_file = pki.other_ca_file;
    char want[200];
    snprintf(want, sizeof(want),
             "TLS handshake with localhost:%d failed: certificate verify failed (unable to get "
             "local issuer certificate)",
             srv.port);
    expect_failure(&srv, &o, TM_ETLS, want);
}

TM_TEST(tls_with_the_system_store_does_not_trust_the_test_ca)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    o.tls.ca_file = NULL;
    expect_failure(&srv, &o, TM_ETLS, "certificate verify failed");
}

TM_TEST(tls_fails_on_a_host_name_mismatch)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    o.tls.server_name = "other.example";
    expect_failure(&srv, &o, TM_ETLS, "not valid for other.example");
}

TM_TEST(tls_fails_on_an_ip_address_mismatch)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    o.host = "127.0.0.1";
    o.tls.server_name = "127.0.0.9";
    expect_failure(&srv, &o, TM_ETLS, "not valid for 127.0.0.9");
}

TM_TEST(tls_missing_ca_file_is_a_config_error)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    o.tls.ca_file = "/nonexistent/ca.pem";
    expect_failure(&srv, &o, TM_ECONFIG,
                   "cannot load CA file /nonexistent/ca.pem: No such file or directory");
}

/* The pin in another spelling: lower case, without colons. */
static void plain_pin(char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = pki.leaf_fingerprint; *p && o + 1 < size; p++)
        if (*p != ':' || o < 7)
            out[o++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
    out[o] = 0;
}

TM_TEST(tls_matching_pin_is_enough_without_the_ca)
{
    struct test_server srv;
    char pin[110];
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    plain_pin(pin, sizeof(pin));
    TM_CHECK_INT(strlen(pin), 7 + 64);
    struct tm_stream_opts o = tls_opts(0);
    o.tls.ca_file = pki.other_ca_file;
    o.tls.fingerprint = pin;
    o.tls.server_name = "other.example";
    expect_echo(&srv, &o);
}

TM_TEST(tls_pin_mismatch_reports_the_presented_fingerprint)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    struct tm_stream_opts o = tls_opts(0);
    /* Even with a trusted chain, a different pin fails. */
    o.tls.fingerprint = "SHA256:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
                        "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff";
    char want[300];
    snprintf(want, sizeof(want),
             "certificate of localhost does not match tls_fingerprint: server presented %s",
             pki.leaf_fingerprint);
    expect_failure(&srv, &o, TM_ETLS, want);
}

TM_TEST(tls_malformed_pin_is_a_config_error)
{
    static const char *const bad[] = {"sha1:00", "sha256:0011", "00112233", "sha256:zz"};
    for (size_t i = 0; i < 4; i++) {
        struct tm_stream *s = NULL;
        struct tm_error err;
        struct tm_stream_opts o = tls_opts(1);
        o.tls.fingerprint = bad[i];
        TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_ECONFIG);
        TM_CHECK(strstr(err.message, "tls_fingerprint") != NULL);
    }
}

TM_TEST(tls_refuses_servers_below_tls_1_2)
{
    struct test_server srv;
    TM_CHECK_INT(start_tls_server(&srv, tls_echo), TM_OK);
    SSL_CTX *old = SSL_CTX_new(TLS_server_method());
    TM_CHECK(old != NULL);
    SSL_CTX_set_security_level(old, 0);
    SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION);
    SSL_CTX_use_certificate(old, pki.leaf);
    SSL_CTX_use_PrivateKey(old, pki.leaf_key);
    srv.tls = old;
    struct tm_stream_opts o = tls_opts(0);
    expect_failure(&srv, &o, TM_ETLS, "TLS handshake with localhost");
    SSL_CTX_free(old);
}

/* Plain greeting and STARTTLS; then, over TLS, answers one command. With result preset to 1 it
 * injects a line after its STARTTLS reply. */
static void starttls_server(struct test_server *srv, int fd)
{
    char line[256];
    server_send(fd, "* OK plain\r\n");
    if (server_read_line(fd, line, sizeof(line)) != 0 || strcmp(line, "a1 STARTTLS") != 0)
        return;
    server_send(fd, srv->result == 1 ? "a1 OK begin\r\n* OK injected\r\n" : "a1 OK begin\r\n");
    SSL *ssl = tls_accept(srv, fd);
    if (!ssl)
        return;
    if (tls_read_line(ssl, line, sizeof(line)) == 0 && strcmp(line, "a2 NOOP") == 0)
        tls_send(ssl, "a2 OK over tls\r\n");
    tls_end(ssl);
}

TM_TEST(tls_starttls_over_a_real_socket)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(start_tls_server(&srv, starttls_server), TM_OK);
    struct tm_stream_opts o = tls_opts(srv.port);
    o.implicit_tls = false;
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    TM_CHECK(!tm_stream_is_tls(s));
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* OK plain");
    TM_CHECK_INT(tm_stream_write(s, "a1 STARTTLS\r\n", 13, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "a1 OK begin");
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_OK);
    TM_CHECK(tm_stream_is_tls(s));
    TM_CHECK_INT(tm_stream_write(s, "a2 NOOP\r\n", 9, &err), TM_OK);
    tm_buf_reset(&line);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "a2 OK over tls");
    tm_stream_close(&s);
    server_join(&srv);
    tm_buf_cleanup(&line);
}

TM_TEST(tls_starttls_refuses_injection_over_a_real_socket)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(start_tls_server(&srv, starttls_server), TM_OK);
    srv.result = 1;
    struct tm_stream_opts o = tls_opts(srv.port);
    o.implicit_tls = false;
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_INT(tm_stream_write(s, "a1 STARTTLS\r\n", 13, &err), TM_OK);
    tm_buf_reset(&line);
    /* Both lines arrive in one segment; poll until they are both buffered. */
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    for (int i = 0; i < 50 && tm_stream_buffered(s) == 0; i++) {
        enum tm_wait w;
        TM_CHECK_INT(tm_stream_wait(s, 100, -1, &w, &err), TM_OK);
    }
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_ETLS);
    TM_CHECK(strstr(err.message, "injection") != NULL);
    TM_CHECK_INT(tm_stream_write(s, "a2 NOOP\r\n", 9, &err), TM_ETLS);
    tm_stream_close(&s);
    server_join(&srv);
    tm_buf_cleanup(&line);
}

/* After the handshake waits 400 ms, then sends one untagged line. */
static void tls_late_line(struct test_server *srv, int fd)
{
    SSL *ssl = tls_accept(srv, fd);
    if (!ssl)
        return;
    usleep(400 * 1000);
    tls_send(ssl, "* 4 EXISTS\r\n");
    tls_end(ssl);
}

TM_TEST(tls_wait_returns_timeout_woken_and_data)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    enum tm_wait w;
    int p[2];
    TM_CHECK(pipe(p) == 0);
    TM_CHECK_INT(start_tls_server(&srv, tls_late_line), TM_OK);
    struct tm_stream_opts o = tls_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    /* TLS 1.3 session tickets arrive now: readable, but no data. */
    TM_CHECK_INT(tm_stream_wait(s, 150, p[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_TIMEOUT);
    TM_CHECK(write(p[1], "x", 1) == 1);
    TM_CHECK_INT(tm_stream_wait(s, 5000, p[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_WOKEN);
    char c;
    TM_CHECK(read(p[0], &c, 1) == 1);
    TM_CHECK_INT(tm_stream_wait(s, 5000, p[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_DATA);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* 4 EXISTS");
    tm_stream_close(&s);
    server_join(&srv);
    close(p[0]);
    close(p[1]);
    tm_buf_cleanup(&line);
}

/* After the handshake sends three lines as three TLS records in one TCP segment (corked), so
 * that one read-ahead recv takes all three and OpenSSL holds two undecrypted. */
static void tls_three_records(struct test_server *srv, int fd)
{
    SSL *ssl = tls_accept(srv, fd);
    if (!ssl)
        return;
    usleep(100 * 1000);
    int on = 1, off = 0;
    setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
    tls_send(ssl, "* 1 EXISTS\r\n");
    tls_send(ssl, "* 2 EXISTS\r\n");
    tls_send(ssl, "* 3 EXISTS\r\n");
    setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
    tls_end(ssl);
}

/* Records read ahead are input a wait must see: the socket holds nothing more, yet the next
 * lines are there (polling the socket would time out). */
TM_TEST(tls_wait_sees_records_read_ahead)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    enum tm_wait w;
    TM_CHECK_INT(start_tls_server(&srv, tls_three_records), TM_OK);
    struct tm_stream_opts o = tls_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_wait(s, 5000, -1, &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_DATA);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* 1 EXISTS");
    for (int i = 2; i <= 3; i++) {
        char want[16];
        snprintf(want, sizeof(want), "* %d EXISTS", i);
        TM_CHECK(tm_stream_input_ready(s));
        TM_CHECK_INT(tm_stream_wait(s, 200, -1, &w, &err), TM_OK);
        TM_CHECK_INT(w, TM_WAIT_DATA);
        tm_buf_reset(&line);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
        TM_CHECK_STR(line.data, want);
    }
    TM_CHECK(!tm_stream_input_ready(s));
    TM_CHECK_INT(tm_stream_write(s, "x", 1, &err), TM_OK);
    tm_stream_close(&s);
    server_join(&srv);
    tm_buf_cleanup(&line);
}

/* Handshakes, sends a line, and closes the socket without close_notify. */
static void tls_abrupt_close(struct test_server *srv, int fd)
{
    SSL *ssl = tls_accept(srv, fd);
    if (!ssl)
        return;
    tls_send(ssl, "* BYE\r\n");
    SSL_free(ssl);
}

TM_TEST(tls_server_closing_without_close_notify_is_end_of_input)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    TM_CHECK_INT(start_tls_server(&srv, tls_abrupt_close), TM_OK);
    struct tm_stream_opts o = tls_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_STR(line.data, "* BYE");
    server_join(&srv);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_ENET);
    TM_CHECK(strstr(err.message, "closed") != NULL);
    tm_stream_close(&s);
    tm_buf_cleanup(&line);
}

TM_TEST(tls_write_to_a_closed_peer_fails_without_sigpipe)
{
    struct test_server srv;
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    static char block[16384];
    TM_CHECK_INT(start_tls_server(&srv, tls_abrupt_close), TM_OK);
    struct tm_stream_opts o = tls_opts(srv.port);
    TM_CHECK_INT(tm_stream_connect(&o, &s, &err), TM_OK);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    server_join(&srv);
    enum tm_status st = TM_OK;
    for (int i = 0; i < 500 && st == TM_OK; i++)
        st = tm_stream_write(s, block, sizeof(block), &err);
    TM_CHECK_INT(st, TM_ENET); /* the process is still alive: no SIGPIPE */
    tm_stream_close(&s);
    tm_buf_cleanup(&line);
}

TM_TEST(tls_handshake_with_a_plain_server_fails_cleanly)
{
    struct test_server srv;
    TM_CHECK_INT(setup_pki(), 0);
    TM_CHECK_INT(server_start(&srv, "127.0.0.1", starttls_server), 0);
    struct tm_stream_opts o = tls_opts(0);
    expect_failure(&srv, &o, TM_ETLS, "does the server speak TLS on this port?");
}
