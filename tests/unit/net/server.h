/* server.h - in-process test servers for the net tests: a listener on a loopback address served
 * by a thread, line helpers, and a test PKI (CA, leaf for localhost/127.0.0.1, another CA). */
#ifndef TM_TEST_NET_SERVER_H
#define TM_TEST_NET_SERVER_H

#include <pthread.h>
#include <stddef.h>

struct ssl_st;
struct ssl_ctx_st;
struct x509_st;
struct evp_pkey_st;

struct test_server;
/* Serves one accepted connection; the caller closes fd afterwards. */
typedef void (*server_fn)(struct test_server *srv, int fd);

struct test_server {
    int listen_fd;
    int port;
    pthread_t thread;
    server_fn serve;
    struct ssl_ctx_st *tls; /* for TLS servers; borrowed */
    char peer_addr[64];     /* numeric address of the accepted client */
    int result;             /* what the serving function wants to tell the test */
};

/* A listening socket on the numeric address addr, port chosen by the kernel; -1 on failure. */
int server_listen(const char *addr, int *port);
/* Listens on addr and serves one connection with serve in a thread; 0 on success. */
int server_start(struct test_server *srv, const char *addr, server_fn serve);
void server_join(struct test_server *srv);

void server_send(int fd, const char *text);
void server_send_bytes(int fd, const void *data, size_t len);
/* Reads one line without CRLF; 0 on success, -1 on EOF or timeout. */
int server_read_line(int fd, char *line, size_t size);
/* Reads until the client closes (at most 5 s). */
void server_drain(int fd);

struct test_pki {
    char ca_file[300];          /* PEM of the CA that signed the leaf */
    char other_ca_file[300];    /* PEM of an unrelated CA */
    char leaf_fingerprint[110]; /* "sha256:AB:CD:..." of the leaf */
    struct x509_st *leaf;
    struct evp_pkey_st *leaf_key;
    struct ssl_ctx_st *server_ctx; /* TLS server context with the leaf */
};

/* Makes the PKI with files in dir; 0 on success. */
int pki_make(struct test_pki *pki, const char *dir);
void pki_free(struct test_pki *pki);

#endif
