/* Lifetime policies, crashes of holders (SIGKILL), fork, and gc. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static npshm_array *create_with_lifetime(const char *name, int lifetime) {
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_lifetime(o, lifetime), NPSHM_OK);
  const int64_t shape[1] = {16};
  npshm_array *a = create_or_fail(name, "<i8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  return a;
}

/* A child that attaches name and then waits to be killed.  Returns its pid
   once it holds the array. */
static pid_t spawn_holder(const char *name) {
  int pipefd[2];
  assert_int_equal(pipe(pipefd), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
    close(pipefd[0]);
    npshm_array *a = npshm_attach(name, NULL);
    char ok = a ? 'y' : 'n';
    if (write(pipefd[1], &ok, 1) != 1) _exit(2);
    for (;;) pause();
  }
  close(pipefd[1]);
  char ok = 0;
  assert_int_equal(read(pipefd[0], &ok, 1), 1);
  close(pipefd[0]);
  assert_int_equal(ok, 'y');
  return pid;
}

static void kill_and_reap(pid_t pid) {
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
}

static void test_persistent_survives_close(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("keep", NPSHM_LIFETIME_PERSISTENT);
  npshm_close(a);
  npshm_array *b = npshm_attach("keep", NULL);
  assert_non_null(b);
  assert_int_equal(npshm_lifetime(b), NPSHM_LIFETIME_PERSISTENT);
  npshm_close(b);
  assert_int_equal(npshm_exists("keep", NULL), 1);
}

static void test_owner_close_unlinks(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("own", NPSHM_LIFETIME_OWNER);
  npshm_array *b = npshm_attach("own", NULL);
  assert_non_null(b);
  assert_int_equal(npshm_lifetime(b), NPSHM_LIFETIME_OWNER);
  npshm_close(b); /* not the owner: no unlink */
  assert_int_equal(npshm_exists("own", NULL), 1);
  b = npshm_attach("own", NULL);
  ((int64_t *)npshm_data(a))[3] = 33;
  npshm_close(a); /* owner: unlinks, b keeps its mapping */
  assert_int_equal(npshm_exists("own", NULL), 0);
  assert_int_equal(((int64_t *)npshm_data(b))[3], 33);
  npshm_close(b);
  assert_int_equal(count_entries(private_dir()), 0);
}

static void test_last_close_unlinks(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("last", NPSHM_LIFETIME_LAST);
  npshm_array *b = npshm_attach("last", NULL);
  npshm_array *c = npshm_attach("last", NULL);
  assert_non_null(b);
  assert_non_null(c);
  npshm_close(a);
  assert_int_equal(npshm_exists("last", NULL), 1);
  npshm_close(c);
  assert_int_equal(npshm_exists("last", NULL), 1);
  npshm_close(b);
  assert_int_equal(npshm_exists("last", NULL), 0);
  assert_int_equal(count_entries(private_dir()), 0);
}

static void test_last_after_sigkill_of_others(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("lastkill", NPSHM_LIFETIME_LAST);
  pid_t p1 = spawn_holder("lastkill");
  pid_t p2 = spawn_holder("lastkill");
  /* /proc/locks is read in pieces: while other processes take and drop
     locks the count can be off for a moment, so look a few times */
  npshm_info *info = NULL;
  for (int attempt = 0; attempt < 50; ++attempt) {
    npshm_info_free(info);
    info = npshm_stat("lastkill", NULL);
    assert_non_null(info);
    if (npshm_info_holders(info) == 3) break;
    usleep(10000);
  }
  assert_int_equal(npshm_info_holders(info), 3);
  int64_t pids[8];
  size_t mappings = 0;
  assert_int_equal(npshm_info_processes(info, pids, 8, &mappings), 3);
  /* each child maps it twice: its own attach and the parent's, inherited */
  assert_int_equal(mappings, 5);
  assert_int_equal(pids[0] == p1 || pids[1] == p1 || pids[2] == p1, 1);
  npshm_info_free(info);
  kill_and_reap(p1);
  kill_and_reap(p2);
  npshm_close(a); /* the dead holders' locks are gone: this is the last */
  assert_int_equal(npshm_exists("lastkill", NULL), 0);
}

static void test_last_with_live_reader_keeps(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("lastlive", NPSHM_LIFETIME_LAST);
  pid_t p = spawn_holder("lastlive");
  npshm_close(a);
  assert_int_equal(npshm_exists("lastlive", NULL), 1);
  /* gc must not take it either: a live process holds it */
  npshm_list *removed = npshm_gc(NULL, 0);
  assert_non_null(removed);
  assert_int_equal(npshm_list_size(removed), 0);
  npshm_list_free(removed);
  kill_and_reap(p);
  removed = npshm_gc(NULL, 0);
  assert_int_equal(npshm_list_size(removed), 1);
  assert_string_equal(npshm_info_name(npshm_list_get(removed, 0)), "shm://lastlive");
  npshm_list_free(removed);
  assert_int_equal(npshm_exists("lastlive", NULL), 0);
}

static int create_and_die(void *arg) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, *(int *)arg);
  const int64_t shape[1] = {8};
  char name[32];
  snprintf(name, sizeof name, "dead-%d", *(int *)arg);
  if (!npshm_create(name, "<f4", 1, shape, NPSHM_ORDER_C, o)) return 1;
  raise(SIGKILL);
  return 2;
}

static void test_gc_after_creator_killed(void **state) {
  (void)state;
  for (int lifetime = 0; lifetime <= NPSHM_LIFETIME_LAST; ++lifetime)
    assert_int_equal(run_in_child(create_and_die, &lifetime), 128 + SIGKILL);
  /* a foreign file and an invalid file are never touched */
  write_file(private_path("foreign.txt"), "hello", 5);
  assert_int_equal(count_entries(private_dir()), 4);

  npshm_list *would = npshm_gc(NULL, 1); /* dry run */
  assert_int_equal(npshm_list_size(would), 2);
  assert_string_equal(npshm_info_name(npshm_list_get(would, 0)), "shm://dead-1");
  assert_string_equal(npshm_info_name(npshm_list_get(would, 1)), "shm://dead-2");
  assert_int_equal(npshm_info_lifetime(npshm_list_get(would, 0)), NPSHM_LIFETIME_OWNER);
  npshm_list_free(would);
  assert_int_equal(count_entries(private_dir()), 4);

  npshm_list *removed = npshm_gc(NULL, 0);
  assert_int_equal(npshm_list_size(removed), 2);
  npshm_list_free(removed);
  assert_int_equal(npshm_exists("dead-0", NULL), 1); /* persistent stays */
  assert_int_equal(npshm_exists("dead-1", NULL), 0);
  assert_int_equal(npshm_exists("dead-2", NULL), 0);
  assert_int_equal(access(private_path("foreign.txt"), F_OK), 0);
}

static void test_gc_never_sweeps_temp_names(void **state) {
  (void)state;
  /* Creates use O_TMPFILE here, so a ".npshm-tmp-*" file is never one of
     ours: gc must leave it alone, however old, unlocked and hidden. */
  char old[512];
  snprintf(old, sizeof old, "%s", private_path(".npshm-tmp-1-0"));
  write_file(old, "\x93NUMPY", 6);
  struct timespec past[2] = {{1000000000, 0}, {1000000000, 0}};
  assert_int_equal(utimensat(AT_FDCWD, old, past, 0), 0);
  write_file(private_path(".other-hidden"), "x", 1);

  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_gc_min_age(o, -1), NPSHM_E_INVALID);
  assert_int_equal(npshm_options_set_gc_min_age(o, 0), NPSHM_OK);
  sleep(1); /* ctime: at least a second old, more than min age 0 */
  npshm_list *removed = npshm_gc(o, 0);
  assert_int_equal(npshm_list_size(removed), 0);
  npshm_list_free(removed);
  npshm_options_free(o);
  assert_int_equal(access(old, F_OK), 0);
  assert_int_equal(access(private_path(".other-hidden"), F_OK), 0);
}

static int close_inherited_child(void *arg) {
  npshm_array *a = arg;
  npshm_close(a); /* inherited through fork: must not apply the policy */
  return 0;
}

static void test_fork_child_does_not_apply_policy(void **state) {
  (void)state;
  npshm_array *owner = create_with_lifetime("forkown", NPSHM_LIFETIME_OWNER);
  assert_int_equal(run_in_child(close_inherited_child, owner), 0);
  assert_int_equal(npshm_exists("forkown", NULL), 1);
  npshm_close(owner);
  assert_int_equal(npshm_exists("forkown", NULL), 0);
}

static void test_attach_after_remove_is_not_found(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("gone", NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(npshm_remove("gone", NULL), NPSHM_OK);
  assert_null(npshm_attach("gone", NULL));
  assert_last_error(NPSHM_E_NOT_FOUND, "shm://gone", NULL);
  /* the name is free at once */
  npshm_array *b = create_with_lifetime("gone", NPSHM_LIFETIME_PERSISTENT);
  npshm_close(b);
  npshm_close(a);
  assert_int_equal(npshm_exists("gone", NULL), 1);
}

struct closer {
  npshm_array *handle;
  pthread_barrier_t *barrier;
};

static void *close_at_once(void *p) {
  struct closer *c = p;
  pthread_barrier_wait(c->barrier);
  npshm_close(c->handle);
  return NULL;
}

static void test_last_concurrent_closes_remove(void **state) {
  (void)state;
  /* Two last holders closing at the same moment: one of them must remove. */
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, 2);
  for (int round = 0; round < 2000; ++round) {
    npshm_array *a = create_with_lifetime("racing-close", NPSHM_LIFETIME_LAST);
    npshm_array *b = npshm_attach("racing-close", NULL);
    assert_non_null(b);
    struct closer ca = {a, &barrier}, cb = {b, &barrier};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, close_at_once, &ca);
    pthread_create(&tb, NULL, close_at_once, &cb);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    if (npshm_exists("racing-close", NULL) != 0) fail_msg("round %d: LAST array left behind", round);
  }
  pthread_barrier_destroy(&barrier);
}

static void test_last_mismatched_attach_lets_go(void **state) {
  (void)state;
  npshm_array *a = create_with_lifetime("mism", NPSHM_LIFETIME_LAST);
  npshm_options *o = npshm_options_new();
  npshm_options_set_expected_dtype(o, "<f8");
  /* the attach finds the wrong dtype before it takes the lock */
  npshm_close(a);
  assert_int_equal(npshm_exists("mism", NULL), 0);
  a = create_with_lifetime("mism", NPSHM_LIFETIME_LAST);
  npshm_array *b = npshm_attach("mism", NULL);
  npshm_close(a);
  assert_null(npshm_attach("mism", o));
  assert_last_error(NPSHM_E_MISMATCH, "shm://mism", "<i8");
  assert_int_equal(npshm_exists("mism", NULL), 1); /* b still holds it */
  npshm_close(b);
  assert_int_equal(npshm_exists("mism", NULL), 0);
  npshm_options_free(o);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_persistent_survives_close),
      T(test_owner_close_unlinks),
      T(test_last_close_unlinks),
      T(test_last_after_sigkill_of_others),
      T(test_last_with_live_reader_keeps),
      T(test_gc_after_creator_killed),
      T(test_gc_never_sweeps_temp_names),
      T(test_fork_child_does_not_apply_policy),
      T(test_attach_after_remove_is_not_found),
      T(test_last_concurrent_closes_remove),
      T(test_last_mismatched_attach_lets_go),
  };
  return cmocka_run_group_tests_name("lifetime", tests, NULL, NULL);
}
