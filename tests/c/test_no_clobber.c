/* npshm_save with npshm_options_set_no_clobber: an existing target is never
   replaced, also one another process makes while the save runs (after any
   check the save could make), and nothing is left behind when it fails.
   Built and run with the POSIX fallbacks too (a named temporary and link
   instead of O_TMPFILE and linkat). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static npshm_array *small_array(void) {
  char name[64];
  unique_name(name, sizeof name, "nc");
  const int64_t shape[1] = {16};
  const int32_t fill = 7;
  npshm_options *o = npshm_options_new();
  npshm_options_set_fill(o, &fill, sizeof fill);
  npshm_array *a = create_or_fail(name, "<i4", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  return a;
}

static npshm_options *no_clobber(int on) {
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_no_clobber(o, on), NPSHM_OK);
  return o;
}

/* Whether path holds exactly the bytes of text. */
static int holds(const char *path, const char *text) {
  char buf[64];
  const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  const ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

/* Whether path is a .npy file as save writes it for small_array. */
static int is_saved_array(const char *path) {
  char buf[4096 + 64];
  const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  const ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  int32_t last;
  memcpy(&last, buf + n - 4, 4);
  return n == 4096 + 64 && memcmp(buf, "\x93NUMPY", 6) == 0 && last == 7;
}

static void test_existing_file_kept(void **state) {
  (void)state;
  npshm_array *a = small_array();
  char target[600], link[600], fresh[600]; /* (private_path's buffer is reused) */
  snprintf(target, sizeof target, "%s", private_path("kept.npy"));
  snprintf(link, sizeof link, "%s", private_path("dangling.npy"));
  snprintf(fresh, sizeof fresh, "%s", private_path("fresh.npy"));
  write_file(target, "mine", 4);
  npshm_options *o = no_clobber(1);
  assert_int_equal(npshm_save(a, target, o), NPSHM_E_EXISTS);
  assert_last_error(NPSHM_E_EXISTS, "kept.npy", "not replaced: no-clobber");
  assert_true(holds(target, "mine"));
  assert_int_equal(npshm_save_name(npshm_name(a), target, o), NPSHM_E_EXISTS);
  assert_true(holds(target, "mine"));
  /* a dangling symbolic link is something at the name too */
  assert_int_equal(symlink(private_path("nowhere"), link), 0);
  assert_int_equal(npshm_save(a, link, o), NPSHM_E_EXISTS);
  assert_int_equal(access(private_path("nowhere"), F_OK), -1);
  /* nothing there: saved */
  assert_int_equal(npshm_save(a, fresh, o), NPSHM_OK);
  assert_true(is_saved_array(fresh));
  /* default: a regular file is replaced */
  npshm_options *replace = no_clobber(0);
  assert_int_equal(npshm_save(a, target, replace), NPSHM_OK);
  assert_true(is_saved_array(target));
  npshm_options_free(replace);
  npshm_options_free(o);
  npshm_unlink(a);
  npshm_close(a);
  unlink(target);
  unlink(link);
  unlink(fresh);
  assert_int_equal(count_entries(private_dir()), 0);
}

/* The progress callback runs after the save looked at the target and
   before it publishes: a file made there then is what a racing creator
   makes after the check. */
static int make_target(uint64_t done, uint64_t total, void *context) {
  (void)total;
  if (done == 0) write_file((const char *)context, "racer", 5);
  return 0;
}

static void test_file_made_during_the_save_kept(void **state) {
  (void)state;
  npshm_array *a = small_array();
  const char *target = private_path("late.npy");
  npshm_options *o = no_clobber(1);
  assert_int_equal(npshm_options_set_progress(o, make_target, (void *)target), NPSHM_OK);
  assert_int_equal(npshm_save(a, target, o), NPSHM_E_EXISTS);
  assert_last_error(NPSHM_E_EXISTS, "late.npy", "not replaced: no-clobber");
  assert_true(holds(target, "racer"));
  unlink(target);
  assert_int_equal(npshm_save_name(npshm_name(a), target, o), NPSHM_E_EXISTS);
  assert_true(holds(target, "racer"));
  unlink(target);
  /* without no-clobber the same late file is replaced */
  assert_int_equal(npshm_options_set_no_clobber(o, 0), NPSHM_OK);
  assert_int_equal(npshm_save(a, target, o), NPSHM_OK);
  assert_true(is_saved_array(target));
  unlink(target);
  npshm_options_free(o);
  npshm_unlink(a);
  npshm_close(a);
  assert_int_equal(count_entries(private_dir()), 0); /* no temporary left */
}

/* A racer that keeps creating the target (O_EXCL) and removing it again,
   holding it a moment each time, until told to stop.  Exit status: 0 none
   of its files was replaced or removed by someone else, 1 one was, 2 it
   never got to make one. */
static int racer(const char *target, int stop_fd) {
  int clobbered = 0;
  long made = 0;
  char c;
  while (read(stop_fd, &c, 1) < 0 && errno == EAGAIN) {
    const int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) continue;
    ++made;
    if (write(fd, "racer", 5) != 5) return 3;
    struct stat ours, named;
    if (fstat(fd, &ours) != 0) return 3;
    const struct timespec hold = {0, 200 * 1000};
    nanosleep(&hold, NULL);
    if (lstat(target, &named) == 0 && named.st_dev == ours.st_dev && named.st_ino == ours.st_ino)
      unlink(target); /* only this process removes its files */
    else
      clobbered = 1;
    close(fd);
  }
  return clobbered ? 1 : made ? 0 : 2;
}

struct race_result {
  int racer_status;
  int saved;
  int refused;
};

/* Saves to target while a racer runs: min_saves saves, and with
   no-clobber until both outcomes were seen 5 times; at most seconds.  Each
   saved file is checked, then removed. */
static struct race_result race(npshm_array *a, const char *target, int clobber_off, int min_saves, int seconds) {
  int stop[2];
  assert_int_equal(pipe2(stop, O_NONBLOCK | O_CLOEXEC), 0);
  const pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    close(stop[1]);
    _exit(racer(target, stop[0]));
  }
  close(stop[0]);
  npshm_options *o = no_clobber(!clobber_off);
  struct race_result r = {0, 0, 0};
  const time_t end = time(NULL) + seconds;
  for (int i = 0; time(NULL) < end && (i < min_saves || (!clobber_off && (r.saved < 5 || r.refused < 5)));
       ++i) {
    const int rc = npshm_save(a, target, o);
    if (rc == NPSHM_OK) {
      ++r.saved;
      if (!clobber_off) {
        /* ours until we remove it: the racer cannot make the name meanwhile */
        assert_true(is_saved_array(target));
        assert_int_equal(unlink(target), 0);
      } else if (is_saved_array(target)) {
        /* replacing, the save may have replaced the racer's file between its
           look and its unlink, and then the racer removed ours: remove it
           only if it is still ours */
        unlink(target);
      }
    } else {
      assert_int_equal(rc, NPSHM_E_EXISTS);
      ++r.refused;
    }
  }
  npshm_options_free(o);
  assert_int_equal(write(stop[1], "x", 1), 1);
  close(stop[1]);
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status));
  r.racer_status = WEXITSTATUS(status);
  unlink(target); /* what either side left at the end */
  return r;
}

static void test_racing_creator_never_clobbered(void **state) {
  (void)state;
  npshm_array *a = small_array();
  const char *target = private_path("raced.npy");
  const struct race_result r = race(a, target, 0, 300, 30);
  printf("no-clobber: %d saved, %d refused while a racer created the target\n", r.saved, r.refused);
  assert_int_equal(r.racer_status, 0); /* none of the racer's files was replaced */
  assert_true(r.saved > 0);
  assert_true(r.refused > 0);
  npshm_unlink(a);
  npshm_close(a);
  assert_int_equal(count_entries(private_dir()), 0); /* no temporary left by a refused save */
}

static void test_racing_creator_clobbered_without_the_option(void **state) {
  (void)state;
  /* The same race without no-clobber replaces the racer's files: the
     racer above does see a replacement when there is one. */
  npshm_array *a = small_array();
  const char *target = private_path("replaced.npy");
  int seen = 0;
  for (int round = 0; round < 10 && !seen; ++round) seen = race(a, target, 1, 300, 10).racer_status == 1;
  assert_true(seen);
  npshm_unlink(a);
  npshm_close(a);
  assert_int_equal(count_entries(private_dir()), 0);
}

int main(int argc, char **argv) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)
  const struct CMUnitTest tests[] = {
      T(test_existing_file_kept),
      T(test_file_made_during_the_save_kept),
      T(test_racing_creator_never_clobbered),
      T(test_racing_creator_clobbered_without_the_option),
  };
  if (argc > 1) cmocka_set_test_filter(argv[1]);
  return cmocka_run_group_tests_name("no_clobber", tests, NULL, NULL);
}
