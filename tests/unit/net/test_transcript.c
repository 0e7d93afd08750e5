/* test_transcript.c - the scripted stream: exchanges that match, mismatches reported with the
 * script line, STARTTLS (T:) and its refusal of injected bytes, close (X:), stall (W:), wait. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/net/private.h"
#include "tm_test.h"

static enum tm_status read_one(struct tm_stream *s, struct tm_buf *line, struct tm_error *err)
{
    tm_buf_reset(line);
    return tm_stream_read_line(s, line, 1000, err);
}

static enum tm_status send_str(struct tm_stream *s, const char *text, struct tm_error *err)
{
    return tm_stream_write(s, text, strlen(text), err);
}

TM_TEST(transcript_plays_an_exchange_with_split_and_merged_writes)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK IMAP4rev1 ready\n"
                                        "C: a1 CAPABILITY\n"
                                        "S: * CAPABILITY IMAP4rev1\n"
                                        "S: a1 OK done\n"
                                        "\n"
                                        "C: a2 NOOP\n"
                                        "C: a3 NOOP\n"
                                        "S: a2 OK\n"
                                        "S: a3 OK\n",
                                        &s, &err),
                 TM_OK);
    TM_CHECK(!tm_stream_is_tls(s));
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_STR(line.data, "* OK IMAP4rev1 ready");
    TM_CHECK_INT(send_str(s, "a1 CAP", &err), TM_OK);
    TM_CHECK_INT(send_str(s, "ABILITY\r", &err), TM_OK);
    TM_CHECK_INT(send_str(s, "\n", &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_STR(line.data, "* CAPABILITY IMAP4rev1");
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_STR(line.data, "a1 OK done");
    TM_CHECK_INT(send_str(s, "a2 NOOP\r\na3 NOOP\r\n", &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_STR(line.data, "a3 OK");
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_mismatch_names_the_script_line_and_both_texts)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\nC: a1 SELECT INBOX\nS: a1 OK\n", &s, &err),
                 TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(send_str(s, "a1 SEL", &err), TM_OK);
    TM_CHECK_INT(send_str(s, "ECT Sent\r\n", &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "line 2") != NULL);
    TM_CHECK(strstr(err.message, "C: a1 SELECT INBOX") != NULL);
    TM_CHECK(strstr(err.message, "a1 SELECT Sent\\r\\n") != NULL);
    /* The failure sticks, and finish repeats it. */
    TM_CHECK_INT(read_one(s, &line, &err), TM_EPROTO);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "line 2") != NULL);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_read_while_the_client_should_send_fails)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\nC: a1 NOOP\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "line 2 \"C: a1 NOOP\"") != NULL);
    TM_CHECK(strstr(err.message, "reads") != NULL);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_write_while_the_server_should_speak_fails)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\n", &s, &err), TM_OK);
    TM_CHECK_INT(send_str(s, "a1 NOOP\r\n", &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "line 1 \"S: * OK\"") != NULL);
    TM_CHECK(strstr(err.message, "a1 NOOP") != NULL);
    tm_stream_close(&s);
}

TM_TEST(transcript_past_the_end_of_the_script_fails)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("C: a1 LOGOUT\n", &s, &err), TM_OK);
    TM_CHECK_INT(send_str(s, "a1 LOGOUT\r\nextra", &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "end of the script") != NULL);
    TM_CHECK(strstr(err.message, "extra") != NULL);
    tm_stream_close(&s);
    TM_CHECK_INT(tm_stream_scripted_new("S: * BYE\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "script has ended") != NULL);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_finish_reports_what_is_left)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\nC: a1 NOOP\nS: a1 OK\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "line 2 \"C: a1 NOOP\"") != NULL);
    TM_CHECK(strstr(err.message, "2 of 3 left") != NULL);
    tm_stream_close(&s);
    /* Server lines made readable but never read are left over too. */
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\nS: * BYE\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "* BYE\\r\\n") != NULL);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_consecutive_server_lines_are_buffered_together)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * 1 EXISTS\nS: * 1 RECENT\nC: a\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_buffered(s), strlen("* 1 RECENT\r\n"));
    tm_stream_close(&s);
    tm_buf_cleanup(&line);
}

TM_TEST(transcript_pause_delays_the_next_read_and_splits_the_buffered_lines)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    struct timespec t0, t1;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * 1 EXISTS\nP: 120\nS: * 2 EXISTS\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK(!tm_stream_input_ready(s)); /* the next line comes after the pause */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tm_buf_reset(&line);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    TM_CHECK_STR(line.data, "* 2 EXISTS");
    TM_CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 120);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    tm_stream_close(&s);
    TM_CHECK_INT(tm_stream_scripted_new("P: soon\n", &s, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "line 1") != NULL);
    TM_CHECK_INT(tm_stream_scripted_new("P: 60001\n", &s, &err), TM_EPARSE);
    tm_buf_cleanup(&line);
}

TM_TEST(transcript_starttls_marks_the_stream_as_tls)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\n"
                                        "C: a1 STARTTLS\n"
                                        "S: a1 OK begin\n"
                                        "T:\n"
                                        "C: a2 CAPABILITY\n",
                                        &s, &err),
                 TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(send_str(s, "a1 STARTTLS\r\n", &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_OK);
    TM_CHECK(tm_stream_is_tls(s));
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_ETLS); /* not twice */
    TM_CHECK_INT(send_str(s, "a2 CAPABILITY\r\n", &err), TM_OK);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_starttls_where_the_script_does_not_expect_it_fails)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_stream_scripted_new("C: a1 NOOP\nT:\n", &s, &err), TM_OK);
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_EPROTO);
    TM_CHECK(strstr(err.message, "line 1") != NULL);
    TM_CHECK(strstr(err.message, "starts TLS") != NULL);
    TM_CHECK(!tm_stream_is_tls(s));
    tm_stream_close(&s);
}

TM_TEST(starttls_refuses_buffered_injection)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: a OK begin\nS: * OK injected\nT:\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_STR(line.data, "a OK begin");
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_ETLS);
    TM_CHECK(strstr(err.message, "injection") != NULL);
    TM_CHECK(!tm_stream_is_tls(s));
    /* The injected bytes are gone and the stream stays unusable. */
    TM_CHECK_INT(tm_stream_buffered(s), 0);
    TM_CHECK_INT(read_one(s, &line, &err), TM_ETLS);
    TM_CHECK_INT(send_str(s, "x\r\n", &err), TM_ETLS);
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_ETLS);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(starttls_refuses_injection_still_inside_the_layer)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: a OK begin\nS: * OK injected\nT:\n", &s, &err), TM_OK);
    net_scripted_set_chunk(s, 12); /* exactly "a OK begin\r\n": the rest waits in the layer */
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_buffered(s), 0);
    TM_CHECK_INT(tm_stream_starttls(s, &err), TM_ETLS);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_close_makes_reads_fail_with_enet)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: * BYE\nX:\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_ENET);
    TM_CHECK_INT(read_one(s, &line, &err), TM_ENET);
    TM_CHECK_INT(send_str(s, "a LOGOUT\r\n", &err), TM_ENET);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_stall_times_out_at_once)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("W:\nS: late\n", &s, &err), TM_OK);
    TM_CHECK_INT(read_one(s, &line, &err), TM_ENET);
    TM_CHECK(strstr(err.message, "timed out") != NULL);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_STR(line.data, "late");
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_wait_reports_data_timeout_and_wake)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    enum tm_wait w;
    int pipe_fd[2];
    TM_CHECK(pipe(pipe_fd) == 0);
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_scripted_new("S: + idling\nW:\nC: DONE\nS: * 3 EXISTS\n", &s, &err),
                 TM_OK);
    TM_CHECK_INT(tm_stream_wait(s, 1000, pipe_fd[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_DATA);
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_wait(s, 1000, pipe_fd[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_TIMEOUT); /* the W: line */
    TM_CHECK_INT(tm_stream_wait(s, 1000, -1, &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_TIMEOUT); /* the script waits for the client */
    TM_CHECK(write(pipe_fd[1], "x", 1) == 1);
    TM_CHECK_INT(tm_stream_wait(s, 1000, pipe_fd[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_WOKEN);
    TM_CHECK_INT(send_str(s, "DONE\r\n", &err), TM_OK);
    TM_CHECK_INT(tm_stream_wait(s, 1000, pipe_fd[0], &w, &err), TM_OK);
    TM_CHECK_INT(w, TM_WAIT_DATA); /* data wins over a pending wake */
    TM_CHECK_INT(read_one(s, &line, &err), TM_OK);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    close(pipe_fd[0]);
    close(pipe_fd[1]);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(transcript_with_an_unknown_directive_is_refused)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK\nQ: what\n", &s, &err), TM_EPARSE);
    TM_CHECK(s == NULL);
    TM_CHECK(strstr(err.message, "line 2") != NULL);
    TM_CHECK_INT(tm_stream_scripted_new("T: now\n", &s, &err), TM_EPARSE);
    TM_CHECK(s == NULL);
}

TM_TEST(transcript_local_address_is_loopback)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    char addr[64] = "x", tiny[4] = "x";
    TM_CHECK_INT(tm_stream_scripted_new("S: 220 ready\n", &s, &err), TM_OK);
    TM_CHECK_INT(tm_stream_local_address(s, addr, sizeof(addr)), TM_OK);
    TM_CHECK_STR(addr, "127.0.0.1");
    TM_CHECK_INT(tm_stream_local_address(s, tiny, sizeof(tiny)), TM_ELIMIT);
    TM_CHECK_STR(tiny, "");
    tm_stream_close(&s);
}
