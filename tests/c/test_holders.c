/* Holders are every lock another process can hold on byte 0 of an array's
   file: OFD locks (what npshm takes), classic POSIX record locks (fcntl
   F_SETLK, lockf) and flock locks.  Each kind, taken by a plain reader that
   is not npshm, is counted by npshm_stat and the listing, keeps a LAST close
   from removing the array, and keeps gc away from it; once it is dropped,
   gc removes the array. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

enum lock_kind { KIND_POSIX_READ, KIND_LOCKF, KIND_FLOCK_SHARED, KIND_FLOCK_EXCLUSIVE, KIND_OFD_READ };

static const char *kind_name(enum lock_kind kind) {
  switch (kind) {
    case KIND_POSIX_READ: return "fcntl F_SETLK read lock";
    case KIND_LOCKF: return "lockf F_TLOCK";
    case KIND_FLOCK_SHARED: return "flock LOCK_SH";
    case KIND_FLOCK_EXCLUSIVE: return "flock LOCK_EX";
    case KIND_OFD_READ: return "fcntl F_OFD_SETLK read lock";
  }
  return "?";
}

/* A child process that opens path (read-only, as a reader would, except
   for lockf, which needs write access), takes one lock of kind on byte 0,
   and holds it until the parent closes the pipe. */
struct locker {
  pid_t pid;
  int release_fd; /* the parent's end: closing it releases the lock */
};

static int take_lock(int fd, enum lock_kind kind) {
  struct flock lk;
  memset(&lk, 0, sizeof lk);
  lk.l_type = F_RDLCK;
  lk.l_whence = SEEK_SET;
  lk.l_start = 0;
  lk.l_len = 1;
  switch (kind) {
    case KIND_POSIX_READ: return fcntl(fd, F_SETLK, &lk);
    case KIND_LOCKF: return lockf(fd, F_TLOCK, 1); /* from the current offset, 0 */
    case KIND_FLOCK_SHARED: return flock(fd, LOCK_SH | LOCK_NB);
    case KIND_FLOCK_EXCLUSIVE: return flock(fd, LOCK_EX | LOCK_NB);
    case KIND_OFD_READ: return fcntl(fd, F_OFD_SETLK, &lk);
  }
  return -1;
}

static struct locker start_locker(const char *path, enum lock_kind kind) {
  int ready[2], release[2];
  assert_int_equal(pipe(ready), 0);
  assert_int_equal(pipe(release), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(ready[0]);
    close(release[1]);
    int fd = open(path, (kind == KIND_LOCKF ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    char ok = (fd >= 0 && take_lock(fd, kind) == 0) ? 'y' : 'n';
    if (write(ready[1], &ok, 1) != 1) _exit(2);
    char c;
    while (read(release[0], &c, 1) > 0) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(release[0]);
  char ok = 0;
  assert_int_equal(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  if (ok != 'y') fail_msg("the reader could not take its %s", kind_name(kind));
  struct locker l = {pid, release[1]};
  return l;
}

static void stop_locker(struct locker *l) {
  close(l->release_fd);
  int status = 0;
  assert_int_equal(waitpid(l->pid, &status, 0), l->pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int stat_holders(const char *name) {
  npshm_info *info = npshm_stat(name, NULL);
  assert_non_null(info);
  int n = npshm_info_holders(info);
  npshm_info_free(info);
  return n;
}

static int listed_holders(const char *name) {
  npshm_list *list = npshm_list_arrays(NULL);
  assert_non_null(list);
  char want[300];
  snprintf(want, sizeof want, "shm://%s", name);
  int n = -2;
  for (size_t i = 0; i < npshm_list_size(list); ++i)
    if (strcmp(npshm_info_name(npshm_list_get(list, i)), want) == 0) n = npshm_info_holders(npshm_list_get(list, i));
  npshm_list_free(list);
  return n;
}

static size_t gc_removed(void) {
  npshm_list *removed = npshm_gc(NULL, 0);
  assert_non_null(removed);
  size_t n = npshm_list_size(removed);
  npshm_list_free(removed);
  return n;
}

/* A persistent array nobody but the reader holds: one holder, in npshm_stat
   and in the listing; none once the reader lets go. */
static void counted(enum lock_kind kind) {
  char name[64];
  unique_name(name, sizeof name, "npshm-test-holder");
  const int64_t shape[1] = {16};
  npshm_close(create_or_fail(name, "<f8", 1, shape, NPSHM_ORDER_C, NULL));
  assert_int_equal(stat_holders(name), 0);
  struct locker l = start_locker(private_path(name), kind);
  if (stat_holders(name) != 1) fail_msg("npshm_stat: %s not counted as a holder", kind_name(kind));
  if (listed_holders(name) != 1) fail_msg("listing: %s not counted as a holder", kind_name(kind));
  /* An npshm handle as well: two holders (lockf's lock is exclusive: it
     keeps npshm handles out). */
  if (kind != KIND_LOCKF) {
    npshm_array *a = npshm_attach(name, NULL);
    assert_non_null(a);
    assert_int_equal(stat_holders(name), 2);
    assert_int_equal(npshm_close(a), NPSHM_OK);
  }
  stop_locker(&l);
  assert_int_equal(stat_holders(name), 0);
  assert_int_equal(listed_holders(name), 0);
  assert_int_equal(npshm_remove(name, NULL), NPSHM_OK);
}

/* A LAST array whose only npshm handle closes while the reader holds its
   lock: the close succeeds (no error, no waiting on the reader) and leaves
   the array; gc leaves it too; after the reader lets go, gc removes it. */
static void keeps_last_array(enum lock_kind kind) {
  char name[64];
  unique_name(name, sizeof name, "npshm-test-holder-last");
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  const int64_t shape[1] = {16};
  npshm_array *a = create_or_fail(name, "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  struct locker l = start_locker(private_path(name), kind);
  if (npshm_close(a) != NPSHM_OK)
    fail_msg("LAST close with a reader's %s: %s", kind_name(kind), npshm_last_message());
  if (npshm_exists(name, NULL) != 1) fail_msg("a LAST close removed the array a reader holds with %s", kind_name(kind));
  assert_int_equal(gc_removed(), 0);
  assert_int_equal(npshm_exists(name, NULL), 1);
  stop_locker(&l);
  assert_int_equal(gc_removed(), 1);
  assert_int_equal(npshm_exists(name, NULL), 0);
}

static void test_posix_record_lock_counted(void **state) {
  (void)state;
  counted(KIND_POSIX_READ);
}
static void test_lockf_counted(void **state) {
  (void)state;
  counted(KIND_LOCKF);
}
static void test_flock_shared_counted(void **state) {
  (void)state;
  counted(KIND_FLOCK_SHARED);
}
static void test_flock_exclusive_counted(void **state) {
  (void)state;
  counted(KIND_FLOCK_EXCLUSIVE);
}
static void test_ofd_lock_counted(void **state) {
  (void)state;
  counted(KIND_OFD_READ);
}
static void test_posix_record_lock_keeps_last(void **state) {
  (void)state;
  keeps_last_array(KIND_POSIX_READ);
}
static void test_flock_keeps_last(void **state) {
  (void)state;
  keeps_last_array(KIND_FLOCK_SHARED);
}
static void test_ofd_lock_keeps_last(void **state) {
  (void)state;
  keeps_last_array(KIND_OFD_READ);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_posix_record_lock_counted), T(test_lockf_counted),        T(test_flock_shared_counted),
      T(test_flock_exclusive_counted),   T(test_ofd_lock_counted),     T(test_posix_record_lock_keeps_last),
      T(test_flock_keeps_last),     T(test_ofd_lock_keeps_last),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
