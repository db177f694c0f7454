/* Processes racing to create one name, attachers racing a creator, threads
   using distinct handles, and per-thread error state. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

enum { RACERS = 8, BIG = 1 << 20 /* elements */ };

/* Each racer tries to create "race" filled with its own number; exit code 0
   if it won, 1 if it lost cleanly (EXISTS, then attached a complete array),
   other values on errors. */
static int racer(int id, int go_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) return 20;
  npshm_options *o = npshm_options_new();
  const double fill = id;
  npshm_options_set_fill(o, &fill, sizeof fill);
  const int64_t shape[1] = {BIG};
  npshm_array *a = npshm_create("race", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  int won = a != NULL;
  if (!a) {
    if (npshm_last_error() != NPSHM_E_EXISTS) return 21;
    a = npshm_attach("race", NULL);
    if (!a) return 22;
  }
  const double *d = npshm_data(a);
  double first = d[0];
  for (int i = 0; i < BIG; ++i)
    if (d[i] != first) return 23; /* never a partial fill */
  if (won && first != id) return 24;
  npshm_close(a);
  return won ? 0 : 1;
}

static void test_racing_creators(void **state) {
  (void)state;
  int go[2];
  assert_int_equal(pipe(go), 0);
  pid_t pids[RACERS];
  for (int i = 0; i < RACERS; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) {
      close(go[1]);
      _exit(racer(i + 1, go[0]));
    }
  }
  close(go[0]);
  char start[RACERS];
  memset(start, 'g', sizeof start);
  assert_int_equal(write(go[1], start, sizeof start), RACERS);
  close(go[1]);
  int winners = 0, losers = 0;
  for (int i = 0; i < RACERS; ++i) {
    int status;
    waitpid(pids[i], &status, 0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) ++winners;
    else if (WEXITSTATUS(status) == 1) ++losers;
    else fail_msg("racer %d exited with %d", i, WEXITSTATUS(status));
  }
  assert_int_equal(winners, 1);
  assert_int_equal(losers, RACERS - 1);
  assert_int_equal(count_entries(private_dir()), 1); /* no temp files left */
}

static int attacher(void *arg) {
  (void)arg;
  for (int tries = 0; tries < 200000; ++tries) {
    npshm_array *a = npshm_attach("slow", NULL);
    if (!a) {
      if (npshm_last_error() != NPSHM_E_NOT_FOUND) return 2;
      continue;
    }
    const double *d = npshm_data(a);
    size_t n = npshm_nbytes(a) / sizeof(double);
    int ok = n == 4 * BIG && d[0] == 7.0 && d[n - 1] == 7.0;
    npshm_close(a);
    return ok ? 0 : 3;
  }
  return 4;
}

static void test_attach_never_sees_partial(void **state) {
  (void)state;
  pid_t pid = fork();
  if (pid == 0) _exit(attacher(NULL));
  npshm_options *o = npshm_options_new();
  const double fill = 7.0;
  npshm_options_set_fill(o, &fill, sizeof fill);
  const int64_t shape[1] = {4 * BIG};
  npshm_array *a = create_or_fail("slow", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  int status;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  npshm_close(a);
}

struct thread_arg {
  int id;
  int failures;
};

static void *thread_worker(void *p) {
  struct thread_arg *arg = p;
  for (int round = 0; round < 50; ++round) {
    char name[64];
    snprintf(name, sizeof name, "thr-%d-%d", arg->id, round);
    const int64_t shape[2] = {8, 8};
    npshm_array *a = npshm_create(name, "<i4", 2, shape, NPSHM_ORDER_C, NULL);
    if (!a) {
      arg->failures++;
      continue;
    }
    ((int32_t *)npshm_data(a))[63] = arg->id;
    npshm_array *b = npshm_attach(name, NULL);
    if (!b || ((int32_t *)npshm_data(b))[63] != arg->id || npshm_shape(b)[1] != 8) arg->failures++;
    /* an error on this thread must not change another thread's error */
    if (npshm_attach("no-such-array", NULL) != NULL) arg->failures++;
    char expected[64];
    snprintf(expected, sizeof expected, "attach shm://no-such-array");
    if (!strstr(npshm_last_message(), expected) || npshm_last_error() != NPSHM_E_NOT_FOUND)
      arg->failures++;
    npshm_close(b);
    npshm_unlink(a);
    npshm_close(a);
  }
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  npshm_clear_error();
  pthread_t threads[4];
  struct thread_arg args[4];
  for (int i = 0; i < 4; ++i) {
    args[i].id = i;
    args[i].failures = 0;
    assert_int_equal(pthread_create(&threads[i], NULL, thread_worker, &args[i]), 0);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(threads[i], NULL);
    assert_int_equal(args[i].failures, 0);
  }
  assert_int_equal(npshm_last_error(), NPSHM_OK); /* this thread saw no error */
  assert_int_equal(count_entries(private_dir()), 0);
}

struct shared_reader {
  const npshm_array *a;
  long sum;
};

static void *read_accessors(void *p) {
  struct shared_reader *r = p;
  for (int i = 0; i < 10000; ++i)
    r->sum += npshm_ndim(r->a) + (long)npshm_shape(r->a)[0] + (long)strlen(npshm_dtype(r->a)) +
              (long)npshm_nbytes(r->a);
  return NULL;
}

static void test_concurrent_accessors(void **state) {
  (void)state;
  const int64_t shape[1] = {10};
  npshm_array *a = create_or_fail("acc", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  pthread_t t[3];
  struct shared_reader r[3];
  for (int i = 0; i < 3; ++i) {
    r[i].a = a;
    r[i].sum = 0;
    pthread_create(&t[i], NULL, read_accessors, &r[i]);
  }
  for (int i = 0; i < 3; ++i) {
    pthread_join(t[i], NULL);
    assert_int_equal(r[i].sum, 10000L * (1 + 10 + 3 + 80));
  }
  npshm_close(a);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_racing_creators),
      T(test_attach_never_sees_partial),
      T(test_threads),
      T(test_concurrent_accessors),
  };
  return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
