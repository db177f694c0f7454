/* Notify -> wake-up latency: a ping-pong between two processes over two
   arrays (the parent notifies A, the child waits on A and notifies B, the
   parent waits on B), against the same ping-pong over two pipes and over
   two eventfds, in one run.  Prints the round trip's median and p99 and
   the ratios; lines starting with ROW feed bench/tables.py.  Not a test:
   bench/ programs measure, tests check.

     bench_wake [ROUNDS]    (default 20000) */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "npshm.h"

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Percentiles of one contender's round trips, in microseconds. */
typedef struct {
  double median, p25, p75, p99;
} summary;

static void stats(const char *what, int64_t *t, int n, summary *s) {
  qsort(t, (size_t)n, sizeof *t, cmp);
  s->median = (double)t[n / 2] / 1e3;
  s->p25 = (double)t[n / 4] / 1e3;
  s->p75 = (double)t[(3 * n) / 4] / 1e3;
  s->p99 = (double)t[(int)(n * 0.99)] / 1e3;
  printf("%-22s median %7.2f us   p99 %7.2f us   (round trip, %d rounds)\n", what, s->median,
         s->p99, n);
}

/* A ROW line for bench/tables.py: npshm's median (or p99) against a peer's. */
static void row(const summary *n, const char *peer, const summary *p, const char *target) {
  printf("ROW\twake\tC notify -> wake-up round trip\t%.1f us\t%.1f-%.1f\t%s round trip"
         "\t%.1f us\t%.1f-%.1f\t%.2fx\t%s\n",
         n->median, n->p25, n->p75, peer, p->median, p->p25, p->p75, n->median / p->median,
         target);
  printf("ROW\twake\tC notify -> wake-up round trip, 99th percentile\t%.1f us\t-\t%s "
         "round trip\t%.1f us\t-\t%.2fx\t-\n",
         n->p99, peer, p->p99, n->p99 / p->p99);
}

static void die(const char *what) {
  fprintf(stderr, "bench_wake: %s: %s\n", what, npshm_last_message());
  exit(1);
}

static void bench_npshm(int rounds, int64_t *t, summary *s) {
  char a_name[64], b_name[64];
  snprintf(a_name, sizeof a_name, "npshm-bench-wake-a-%d", (int)getpid());
  snprintf(b_name, sizeof b_name, "npshm-bench-wake-b-%d", (int)getpid());
  const int64_t shape[1] = {1};
  npshm_array *a = npshm_create(a_name, "<i8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_array *b = npshm_create(b_name, "<i8", 1, shape, NPSHM_ORDER_C, NULL);
  if (!a || !b) die("create");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    npshm_array *ca = npshm_attach(a_name, NULL), *cb = npshm_attach(b_name, NULL);
    uint64_t seen = 0;
    for (int i = 0; i < rounds + 1; ++i) {
      if (npshm_wait_changed(ca, seen, 10.0, &seen) != NPSHM_OK) _exit(2);
      npshm_notify(cb, NULL);
    }
    _exit(0);
  }
  uint64_t seen = 0;
  for (int i = -1; i < rounds; ++i) { /* one warm-up round */
    const int64_t t0 = now_ns();
    npshm_notify(a, NULL);
    if (npshm_wait_changed(b, seen, 10.0, &seen) != NPSHM_OK) die("wait_changed");
    if (i >= 0) t[i] = now_ns() - t0;
  }
  waitpid(pid, NULL, 0);
  npshm_unlink(a);
  npshm_unlink(b);
  npshm_close(a);
  npshm_close(b);
  stats("npshm notify/wait", t, rounds, s);
}

/* The same over a pair of descriptors each way: pipes or eventfds. */
static void bench_fds(const char *what, int rounds, int64_t *t, int use_eventfd, summary *s) {
  int ping[2], pong[2];
  if (use_eventfd) {
    ping[0] = ping[1] = eventfd(0, 0);
    pong[0] = pong[1] = eventfd(0, 0);
  } else if (pipe(ping) != 0 || pipe(pong) != 0) {
    perror("pipe");
    exit(1);
  }
  uint64_t one = 1, got;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < rounds + 1; ++i) {
      if (read(ping[0], &got, 8) != 8) _exit(2);
      if (write(pong[1], &one, 8) != 8) _exit(3);
    }
    _exit(0);
  }
  for (int i = -1; i < rounds; ++i) {
    const int64_t t0 = now_ns();
    if (write(ping[1], &one, 8) != 8 || read(pong[0], &got, 8) != 8) exit(1);
    if (i >= 0) t[i] = now_ns() - t0;
  }
  waitpid(pid, NULL, 0);
  stats(what, t, rounds, s);
}

int main(int argc, char **argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  int64_t *t = malloc(sizeof *t * (size_t)rounds);
  if (!t || rounds < 100) return 1;
  summary n, p, e;
  bench_npshm(rounds, t, &n);
  bench_fds("pipe", rounds, t, 0, &p);
  bench_fds("eventfd", rounds, t, 1, &e);
  printf("ratio npshm/eventfd %.2f, npshm/pipe %.2f (medians)\n", n.median / e.median,
         n.median / p.median);
  row(&n, "eventfd", &e, "<= 1.5x");
  row(&n, "pipe", &p, "-");
  free(t);
  return 0;
}
