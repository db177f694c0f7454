/* Lifetimes at normal process exit: a process that exits normally with
   handles still open removes the OWNER arrays it created and drops its hold
   on LAST arrays (removing them if no other live process holds them), as if
   it had closed them; a forked child's exit removes nothing of its parent's;
   mappings stay valid while the process finishes; persistent arrays stay. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

static const int64_t kShape[1] = {1024};

/* The children exit with handles open on purpose: under LeakSanitizer
   (build-asan) those handles are marked as meant to outlive the process.
   A weak reference: null in builds without the sanitizer. */
extern void __lsan_ignore_object(const void *p) __attribute__((weak));

/* Run fn(name) in a forked child that ends with exit() (so atexit handlers
   run, unlike support.h's run_in_child, which uses _exit).  Returns its exit
   status, or 128 + signal. */
static int exit_in_child(int (*fn)(const char *), const char *name) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    exit(fn(name));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) assert_int_equal(errno, EINTR);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static npshm_array *create_with(const char *name, int lifetime) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, lifetime);
  npshm_array *a = npshm_create(name, "<f8", 1, kShape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  if (a && __lsan_ignore_object) __lsan_ignore_object(a);
  return a;
}

/* --- OWNER: removed at exit, whatever still references it --------------- */

static int create_owner_and_exit(const char *name) {
  npshm_array *a = create_with(name, NPSHM_LIFETIME_OWNER);
  if (!a) return 10;
  ((double *)npshm_data(a))[0] = 1.0;
  return 0; /* exit with the handle open */
}

static void test_owner_removed_at_exit(void **state) {
  (void)state;
  char name[64];
  unique_name(name, sizeof name, "npshm-test-exit-owner");
  assert_int_equal(exit_in_child(create_owner_and_exit, name), 0);
  assert_int_equal(npshm_exists(name, NULL), 0);
  assert_int_equal(count_entries(private_dir()), 0);
}

/* Another process (this one) attached: the creator's exit still removes the
   name, and this process's mapping stays valid. */
static int create_owner_wait_and_exit(const char *name) {
  npshm_array *a = create_with(name, NPSHM_LIFETIME_OWNER);
  if (!a) return 10;
  ((double *)npshm_data(a))[0] = 42.0;
  raise(SIGSTOP); /* the parent attaches meanwhile */
  return 0;
}

static void test_owner_removed_at_exit_while_others_hold_it(void **state) {
  (void)state;
  char name[64];
  unique_name(name, sizeof name, "npshm-test-exit-owner-held");
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) exit(create_owner_wait_and_exit(name));
  int status = 0;
  assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
  assert_true(WIFSTOPPED(status));
  npshm_array *b = npshm_attach(name, NULL);
  assert_non_null(b);
  kill(pid, SIGCONT);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  assert_int_equal(npshm_exists(name, NULL), 0);
  assert_true(((double *)npshm_data(b))[0] == 42.0);
  assert_int_equal(npshm_close(b), NPSHM_OK);
}

/* --- the mapping stays valid after the hook; a close then is quiet ------- */

static npshm_array *late_handle;
static char late_name[64];
static int late_status = 1;

/* Registered before the array is created, so it runs after the library's
   exit hook (atexit handlers run in reverse order). */
static void after_hook(void) {
  double *d = npshm_data(late_handle);
  d[1] = d[0] + 1.0; /* still mapped, writable */
  const int gone = npshm_exists(late_name, NULL) == 0;
  const int closed = npshm_close(late_handle) == NPSHM_OK;
  _exit(gone && closed && d != NULL ? late_status : 20 + gone * 2 + closed);
}

static int create_and_use_after_hook(const char *name) {
  snprintf(late_name, sizeof late_name, "%s", name);
  atexit(after_hook);
  late_handle = create_with(name, NPSHM_LIFETIME_OWNER);
  if (!late_handle) return 10;
  ((double *)npshm_data(late_handle))[0] = 1.0;
  late_status = 0;
  return 0;
}

static void test_mappings_stay_valid_after_the_hook(void **state) {
  (void)state;
  char name[64];
  unique_name(name, sizeof name, "npshm-test-exit-late");
  assert_int_equal(exit_in_child(create_and_use_after_hook, name), 0);
  assert_int_equal(npshm_exists(name, NULL), 0);
}

/* --- a forked child's exit removes nothing of its parent's --------------- */

static int fork_child_that_exits(const char *name) {
  npshm_array *a = create_with(name, NPSHM_LIFETIME_OWNER);
  if (!a) return 10;
  npshm_array *l;
  char last[80];
  snprintf(last, sizeof last, "%s-last", name);
  l = create_with(last, NPSHM_LIFETIME_LAST);
  if (!l) return 11;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return 12;
  if (pid == 0) exit(0); /* inherited handles open: must not apply anything */
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 13;
  if (npshm_exists(name, NULL) != 1) return 14;  /* the child removed the parent's OWNER array */
  if (npshm_exists(last, NULL) != 1) return 15;  /* ... or its LAST array */
  return 0; /* and now this process exits: both go */
}

static void test_forked_child_exit_removes_nothing(void **state) {
  (void)state;
  char name[64];
  unique_name(name, sizeof name, "npshm-test-exit-fork");
  assert_int_equal(exit_in_child(fork_child_that_exits, name), 0);
  assert_int_equal(count_entries(private_dir()), 0);
}

/* --- LAST: the hold goes at exit; removed only by the last --------------- */

static int attach_and_exit(const char *name) {
  npshm_array *a = npshm_attach(name, NULL);
  if (a && __lsan_ignore_object) __lsan_ignore_object(a);
  return a ? 0 : 10;
}

static int create_last_and_exit(const char *name) { return create_with(name, NPSHM_LIFETIME_LAST) ? 0 : 10; }

static void test_last_at_exit(void **state) {
  (void)state;
  char name[64];
  unique_name(name, sizeof name, "npshm-test-exit-last");
  /* The only holder exits: removed. */
  assert_int_equal(exit_in_child(create_last_and_exit, name), 0);
  assert_int_equal(npshm_exists(name, NULL), 0);
  /* Another holder remains: kept, and the exited process's hold is gone, so
     the remaining holder's close removes it. */
  npshm_array *a = create_with(name, NPSHM_LIFETIME_LAST);
  assert_non_null(a);
  assert_int_equal(exit_in_child(attach_and_exit, name), 0);
  assert_int_equal(npshm_exists(name, NULL), 1);
  assert_int_equal(npshm_close(a), NPSHM_OK);
  assert_int_equal(npshm_exists(name, NULL), 0);
}

/* --- persistent arrays and attached OWNER arrays stay -------------------- */

static int create_persistent_and_exit(const char *name) {
  return create_with(name, NPSHM_LIFETIME_PERSISTENT) ? 0 : 10;
}

static void test_exit_leaves_what_is_not_its_own(void **state) {
  (void)state;
  char name[64];
  unique_name(name, sizeof name, "npshm-test-exit-keep");
  assert_int_equal(exit_in_child(create_persistent_and_exit, name), 0);
  assert_int_equal(npshm_exists(name, NULL), 1);
  assert_int_equal(npshm_remove(name, NULL), NPSHM_OK);
  /* An OWNER array this process created: an attacher's exit leaves it. */
  npshm_array *a = create_with(name, NPSHM_LIFETIME_OWNER);
  assert_non_null(a);
  assert_int_equal(exit_in_child(attach_and_exit, name), 0);
  assert_int_equal(npshm_exists(name, NULL), 1);
  assert_int_equal(npshm_close(a), NPSHM_OK);
  assert_int_equal(npshm_exists(name, NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_owner_removed_at_exit),
      T(test_owner_removed_at_exit_while_others_hold_it),
      T(test_mappings_stay_valid_after_the_hook),
      T(test_forked_child_exit_removes_nothing),
      T(test_last_at_exit),
      T(test_exit_leaves_what_is_not_its_own),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
