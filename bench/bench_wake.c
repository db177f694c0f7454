/* Notify -> wake-up latency: a ping-pong between two processes over two
   arrays (the parent notifies A, the child waits on A and notifies B, the
   parent waits on B), against the same ping-pong over two pipes and over
   two eventfds.  The three run side by side, each with a child of its own,
   and the parent alternates them round by round (the order rotating), so
   that a noisy machine slows all three alike.  Prints the round trip's
   median and p99 and the ratios of the medians; lines starting with ROW
   feed bench/tables.py.  Not a test: bench/ programs measure, tests check.

     bench_wake [ROUNDS]    (default 20000 of each) */
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

static summary stats(const char *what, int64_t *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp);
  summary s = {(double)t[n / 2] / 1e3, (double)t[n / 4] / 1e3, (double)t[(3 * n) / 4] / 1e3,
               (double)t[(int)(n * 0.99)] / 1e3};
  printf("%-22s median %7.2f us   p99 %7.2f us   (round trip, %d rounds)\n", what, s.median, s.p99, n);
  return s;
}

/* ROW lines for bench/tables.py: npshm's median (and p99) against a peer's. */
static void row(const summary *n, const char *peer, const summary *p, const char *target) {
  printf("ROW\twake\tC notify -> wake-up round trip\t%.1f us\t%.1f-%.1f\t%s round trip"
         "\t%.1f us\t%.1f-%.1f\t%.2fx\t%s\n",
         n->median, n->p25, n->p75, peer, p->median, p->p25, p->p75, n->median / p->median, target);
  printf("ROW\twake\tC notify -> wake-up round trip, 99th percentile\t%.1f us\t-\t%s "
         "round trip\t%.1f us\t-\t%.2fx\t-\n",
         n->p99, peer, p->p99, n->p99 / p->p99);
}

static void die(const char *what) {
  fprintf(stderr, "bench_wake: %s: %s\n", what, npshm_last_message());
  exit(1);
}

enum { NPSHM, PIPE, EVENTFD, KINDS };
static const char *const kind_name[KINDS] = {"npshm notify/wait", "pipe", "eventfd"};

/* One ping-pong: the parent's ends, and the child answering them. */
typedef struct {
  int kind;
  npshm_array *ping, *pong; /* NPSHM: the parent's handles */
  uint64_t seen;            /* NPSHM: the version of pong last seen */
  int ping_fd, pong_fd;     /* PIPE, EVENTFD: the parent's ends */
  pid_t child;
} pingpong;

static void start(pingpong *p, int kind, int rounds) {
  memset(p, 0, sizeof *p);
  p->kind = kind;
  char ping_name[64], pong_name[64];
  int ping[2] = {-1, -1}, pong[2] = {-1, -1};
  if (kind == NPSHM) {
    const int64_t shape[1] = {1};
    snprintf(ping_name, sizeof ping_name, "npshm-bench-wake-a-%d", (int)getpid());
    snprintf(pong_name, sizeof pong_name, "npshm-bench-wake-b-%d", (int)getpid());
    p->ping = npshm_create(ping_name, "<i8", 1, shape, NPSHM_ORDER_C, NULL);
    p->pong = npshm_create(pong_name, "<i8", 1, shape, NPSHM_ORDER_C, NULL);
    if (!p->ping || !p->pong) die("create");
  } else if (kind == EVENTFD) {
    ping[0] = ping[1] = eventfd(0, 0);
    pong[0] = pong[1] = eventfd(0, 0);
    if (ping[0] < 0 || pong[0] < 0) die("eventfd");
  } else if (pipe(ping) != 0 || pipe(pong) != 0) {
    die("pipe");
  }
  fflush(stdout);
  p->child = fork();
  if (p->child < 0) die("fork");
  if (p->child == 0) {
    uint64_t one = 1, got;
    if (kind == NPSHM) {
      npshm_array *a = npshm_attach(ping_name, NULL), *b = npshm_attach(pong_name, NULL);
      if (!a || !b) _exit(2);
      uint64_t seen = 0;
      for (int i = 0; i < rounds + 1; ++i) {
        if (npshm_wait_changed(a, seen, 60.0, &seen) != NPSHM_OK) _exit(2);
        if (npshm_notify(b, NULL) != NPSHM_OK) _exit(3);
      }
    } else {
      for (int i = 0; i < rounds + 1; ++i) {
        if (read(ping[0], &got, 8) != 8) _exit(2);
        if (write(pong[1], &one, 8) != 8) _exit(3);
      }
    }
    _exit(0);
  }
  p->ping_fd = ping[1];
  p->pong_fd = pong[0];
}

/* One round trip, in nanoseconds. */
static int64_t round_trip(pingpong *p) {
  uint64_t one = 1, got;
  const int64_t t0 = now_ns();
  if (p->kind == NPSHM) {
    if (npshm_notify(p->ping, NULL) != NPSHM_OK) die("notify");
    if (npshm_wait_changed(p->pong, p->seen, 60.0, &p->seen) != NPSHM_OK) die("wait_changed");
  } else if (write(p->ping_fd, &one, 8) != 8 || read(p->pong_fd, &got, 8) != 8) {
    die("round trip");
  }
  return now_ns() - t0;
}

static void finish(pingpong *p) {
  int status = 0;
  waitpid(p->child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("child");
  if (p->kind == NPSHM) {
    npshm_unlink(p->ping);
    npshm_unlink(p->pong);
    npshm_close(p->ping);
    npshm_close(p->pong);
  }
}

int main(int argc, char **argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  if (rounds < 100) return 1;
  int64_t *t[KINDS];
  pingpong p[KINDS];
  for (int k = 0; k < KINDS; ++k) {
    t[k] = malloc(sizeof *t[k] * (size_t)rounds);
    if (!t[k]) return 1;
    start(&p[k], k, rounds);
  }
  for (int i = -1; i < rounds; ++i) /* one warm-up round */
    for (int j = 0; j < KINDS; ++j) {
      const int k = (i + 1 + j) % KINDS;
      const int64_t took = round_trip(&p[k]);
      if (i >= 0) t[k][i] = took;
    }
  summary s[KINDS];
  for (int k = 0; k < KINDS; ++k) {
    finish(&p[k]);
    s[k] = stats(kind_name[k], t[k], rounds);
    free(t[k]);
  }
  printf("ratio npshm/eventfd %.2f, npshm/pipe %.2f (medians)\n", s[NPSHM].median / s[EVENTFD].median,
         s[NPSHM].median / s[PIPE].median);
  row(&s[NPSHM], "eventfd", &s[EVENTFD], "<= 1.5x");
  row(&s[NPSHM], "pipe", &s[PIPE], "-");
  return 0;
}
