/*
 * PUB→SUB throughput in the style of libzmq's perf/local_thr and remote_thr, which have no
 * PUB/SUB counterpart. Compiled by bench/peers/c.js against the vendored static libzmq.
 *
 *   pubsub_thr sub <bind-to> <message-size> <message-count>
 *   pubsub_thr pub <connect-to> <message-size> <message-count>
 *
 * Both sides run with HWM 0 (unbounded). Harness protocol (see bench/harness/procs.js): the
 * subscriber prints {"event":"ready"} once bound and {"event":"subscribed"} at the first
 * probe (an empty message) it sees; the publisher probes until "go" arrives on stdin, sends
 * the data, then sends empty end markers until stdin is closed. The subscriber times from
 * its first data message to the end marker and reports how many messages arrived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what) {
  printf("{\"event\":\"error\",\"message\":\"%s: %s\"}\n", what, zmq_strerror(zmq_errno()));
  fflush(stdout);
  exit(1);
}

/* Waits up to timeout_ms for input on stdin; returns 1 when "go" or end of input arrived. */
static int control(int timeout_ms, const char *word) {
  static char text[256];
  static size_t used = 0;
  zmq_pollitem_t item = {NULL, 0, ZMQ_POLLIN, 0};
  if (zmq_poll(&item, 1, timeout_ms) <= 0) return 0;
  if (used >= sizeof text - 1) used = 0;
  ssize_t n = read(0, text + used, sizeof text - 1 - used);
  if (n <= 0) return 1; /* end of input */
  used += (size_t)n;
  text[used] = '\0';
  return word != NULL && strstr(text, word) != NULL;
}

static int run_sub(void *s, const char *bind_to, size_t size, long count) {
  int zero = 0;
  if (zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero) != 0) fail("zmq_setsockopt");
  if (zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) != 0) fail("zmq_setsockopt");
  if (zmq_bind(s, bind_to) != 0) fail("zmq_bind");
  printf("{\"event\":\"ready\"}\n");
  fflush(stdout);

  zmq_msg_t msg;
  zmq_msg_init(&msg);
  long received = 0;
  int subscribed = 0;
  double start = 0;
  for (;;) {
    if (zmq_msg_recv(&msg, s, 0) < 0) fail("zmq_msg_recv");
    size_t n = zmq_msg_size(&msg);
    if (n == 0) {
      if (received > 0) break;
      if (!subscribed) {
        printf("{\"event\":\"subscribed\"}\n");
        fflush(stdout);
        subscribed = 1;
      }
      continue;
    }
    if (n != size) {
      printf("{\"event\":\"error\",\"message\":\"message of incorrect size received\"}\n");
      return 1;
    }
    if (received++ == 0) start = now_s();
  }
  double elapsed = now_s() - start;
  zmq_msg_close(&msg);
  printf("{\"event\":\"result\",\"messages\":%ld,\"seconds\":%.9f,\"drops\":%ld}\n", received, elapsed,
         count - received);
  fflush(stdout);
  return 0;
}

static int run_pub(void *s, const char *connect_to, size_t size, long count) {
  int zero = 0;
  if (zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero) != 0) fail("zmq_setsockopt");
  if (zmq_connect(s, connect_to) != 0) fail("zmq_connect");
  do {
    if (zmq_send(s, "", 0, 0) < 0) fail("zmq_send");
  } while (!control(5, "go\n"));

  zmq_msg_t msg;
  for (long i = 0; i < count; i++) { /* as remote_thr: a fresh message each time */
    if (zmq_msg_init_size(&msg, size) != 0) fail("zmq_msg_init_size");
    if (zmq_msg_send(&msg, s, 0) < 0) fail("zmq_msg_send");
  }
  do {
    if (zmq_send(s, "", 0, 0) < 0) fail("zmq_send");
  } while (!control(10, NULL));
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero); /* the subscriber is gone */
  return 0;
}

int main(int argc, char *argv[]) {
  if (argc != 5 || (strcmp(argv[1], "pub") != 0 && strcmp(argv[1], "sub") != 0)) {
    fprintf(stderr, "usage: pubsub_thr pub|sub <endpoint> <message-size> <message-count>\n");
    return 2;
  }
  int publisher = strcmp(argv[1], "pub") == 0;
  size_t size = (size_t)atol(argv[3]);
  long count = atol(argv[4]);
  void *ctx = zmq_ctx_new();
  void *s = zmq_socket(ctx, publisher ? ZMQ_PUB : ZMQ_SUB);
  if (s == NULL) fail("zmq_socket");
  int rc = publisher ? run_pub(s, argv[2], size, count) : run_sub(s, argv[2], size, count);
  zmq_close(s);
  zmq_ctx_term(ctx);
  return rc;
}
