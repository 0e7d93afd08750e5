/* event_queue.c - events from workers to the UI: a locked list plus a self-pipe to wake poll(). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"

struct event_node {
    struct tm_event ev;
    struct event_node *next;
};

struct event_queue {
    pthread_mutex_t lock;
    struct event_node *head, *tail;
    int pipe_fd[2];
};

void tm_event_cleanup(struct tm_event *ev)
{
    tm_buf_cleanup(&ev->body);
}

enum tm_status event_queue_new(struct event_queue **out, struct tm_error *err)
{
    struct event_queue *q = calloc(1, sizeof(*q));
    if (!q)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (pipe2(q->pipe_fd, O_CLOEXEC | O_NONBLOCK) != 0) {
        int e = errno;
        free(q);
        return tm_error_errno(err, TM_EIO, e, _("cannot create the event pipe"));
    }
    pthread_mutex_init(&q->lock, NULL);
    *out = q;
    return TM_OK;
}

void event_queue_free(struct event_queue **pp)
{
    struct event_queue *q = *pp;
    if (!q)
        return;
    struct tm_event ev;
    while (event_queue_pop(q, &ev))
        tm_event_cleanup(&ev);
    close(q->pipe_fd[0]);
    close(q->pipe_fd[1]);
    pthread_mutex_destroy(&q->lock);
    free(q);
    *pp = NULL;
}

int event_queue_fd(struct event_queue *q)
{
    return q->pipe_fd[0];
}

void event_queue_push(struct event_queue *q, struct tm_event *ev)
{
    struct event_node *node = malloc(sizeof(*node));
    if (!node) {
        /* Dropping an event only delays a redraw; the UI re-reads on the next one. */
        tm_event_cleanup(ev);
        return;
    }
    node->ev = *ev;
    node->next = NULL;
    memset(ev, 0, sizeof(*ev));
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = node;
    else
        q->head = node;
    q->tail = node;
    char byte = 1;
    /* A full pipe is already readable, which is all the wake-up needs. */
    if (write(q->pipe_fd[1], &byte, 1) < 0 && errno != EAGAIN)
        (void)0;
    pthread_mutex_unlock(&q->lock);
}

bool event_queue_pop(struct event_queue *q, struct tm_event *ev)
{
    pthread_mutex_lock(&q->lock);
    struct event_node *node = q->head;
    if (node) {
        q->head = node->next;
        if (!q->head)
            q->tail = NULL;
    }
    if (!q->head) {
        char sink[256];
        while (read(q->pipe_fd[0], sink, sizeof(sink)) > 0)
            ;
    }
    pthread_mutex_unlock(&q->lock);
    if (!node)
        return false;
    *ev = node->ev;
    free(node);
    return true;
}
