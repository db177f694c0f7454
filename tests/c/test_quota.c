/* The caller's block quota, checked before anything is reserved (the
   check of core/store/space.cpp).  The test kernels have no quota-capable file
   system (tests/users/test_quota_users.py mounts a real one where the
   kernel can), so this program answers the library's quota question itself:
   its own syscall() wins over libc's for the calls libnpshm makes, and
   answers quotactl_fd(Q_GETQUOTA) with a quota of 1 MiB left for the
   process's user; every other system call goes to the kernel.  It also
   counts the library's reservations (posix_fallocate, fallocate).  Root
   runs it and acts as uid 4242 in a child (root has no quota). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/quota.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "support.h"

#define MiB (1L << 20)
#define OTHER_UID 4242

static int fake_quota;               /* answer quotactl_fd in this process */
static unsigned long quota_questions; /* quotactl_fd calls answered */
static unsigned long reservations;    /* posix_fallocate and fallocate calls */

/* The next definition of name after this program's (ISO C has no
   object-to-function cast). */
static void next_definition(const char *name, void *fn, size_t size) {
  void *sym = dlsym(RTLD_NEXT, name);
  memcpy(fn, &sym, size);
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(ap, long);
  va_end(ap);
#ifdef SYS_quotactl_fd
  if (fake_quota && number == SYS_quotactl_fd && (unsigned)a[1] == (((unsigned)Q_GETQUOTA << SUBCMDSHIFT) | USRQUOTA)) {
    struct if_dqblk *q = (struct if_dqblk *)a[3];
    memset(q, 0, sizeof *q);
    q->dqb_bhardlimit = 4 * MiB / QIF_DQBLKSIZE; /* 4 MiB allowed, 3 MiB used: 1 MiB left */
    q->dqb_bsoftlimit = q->dqb_bhardlimit;
    q->dqb_curspace = 3 * MiB;
    q->dqb_valid = QIF_ALL;
    ++quota_questions;
    return 0;
  }
#endif
  static long (*real)(long, ...);
  if (!real) next_definition("syscall", &real, sizeof real);
  return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int posix_fallocate(int fd, off_t offset, off_t len) {
  static int (*real)(int, off_t, off_t);
  if (!real) next_definition("posix_fallocate", &real, sizeof real);
  ++reservations;
  return real(fd, offset, len);
}

int fallocate(int fd, int mode, off_t offset, off_t len) {
  static int (*real)(int, int, off_t, off_t);
  if (!real) next_definition("fallocate", &real, sizeof real);
  ++reservations;
  return real(fd, mode, offset, len);
}

static char work[600];

/* In the child, as OTHER_UID with a quota of 1 MiB left: every request of
   2 MiB fails with NO_SPACE naming the quota, before any reservation and
   leaving nothing; 256 KiB fits.  Returns 0, or the number of the check
   that failed. */
static int over_quota(void *arg) {
  (void)arg;
  if (setgid(OTHER_UID) != 0 || setuid(OTHER_UID) != 0) return 100;
  fake_quota = 1;
  reservations = 0; /* the parent's, copied at fork */
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, work);
  const int before = count_entries(work);
  const int64_t big[1] = {2 * MiB / 8}, small[1] = {256 * 1024 / 8};
  const char *quota_words = "block quota of uid 4242";

  /* create */
  if (npshm_create("big", "<f8", 1, big, NPSHM_ORDER_C, o)) return 1;
  if (npshm_last_error() != NPSHM_E_NO_SPACE) return 2;
  if (!strstr(npshm_last_message(), quota_words) || !strstr(npshm_last_message(), "1.0 MiB more")) return 3;
  if (quota_questions == 0) return 4;
  if (reservations != 0) return 5;

  /* load of a 2 MiB .npy */
  char source[700];
  snprintf(source, sizeof source, "%s/source.npy", work);
  if (npshm_load(source, "loaded", o)) return 10;
  if (npshm_last_error() != NPSHM_E_NO_SPACE || !strstr(npshm_last_message(), quota_words)) return 11;
  if (reservations != 0) return 12;

  /* save of a 2 MiB array (root's, readable) into a new file */
  npshm_options *ro = npshm_options_new();
  npshm_options_set_directory(ro, work);
  npshm_options_set_readonly(ro, 1);
  npshm_array *theirs = npshm_attach("shared", ro);
  if (!theirs) return 20;
  char target[700];
  snprintf(target, sizeof target, "%s/copy.npy", work);
  if (npshm_save(theirs, target, NULL) != NPSHM_E_NO_SPACE) return 21;
  if (!strstr(npshm_last_message(), quota_words)) return 22;
  if (reservations != 0) return 23;
  npshm_close(theirs);
  npshm_options_free(ro);

  /* a writable attach of a sparse file of the user's own */
  char sparse[700];
  snprintf(sparse, sizeof sparse, "%s/sparse.npy", work);
  const int fd = open(sparse, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return 30;
  char header[128], dict[100];
  memset(header, ' ', sizeof header);
  memcpy(header, "\x93NUMPY\x01\x00", 8);
  header[8] = (char)(sizeof header - 10); /* NPY 1.0: the header's length, little-endian */
  header[9] = 0;
  const int n = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld,), }",
                         (long)big[0]);
  memcpy(header + 10, dict, (size_t)n);
  header[sizeof header - 1] = '\n';
  if (pwrite(fd, header, sizeof header, 0) != (ssize_t)sizeof header) return 31;
  if (ftruncate(fd, (off_t)sizeof header + 2 * MiB) != 0) return 32;
  close(fd);
  char url[720];
  snprintf(url, sizeof url, "file://%s", sparse);
  if (npshm_attach(url, NULL)) return 33;
  if (npshm_last_error() != NPSHM_E_NO_SPACE || !strstr(npshm_last_message(), quota_words)) return 34;
  if (reservations != 0) return 35;
  if (unlink(sparse) != 0) return 36;

  /* nothing left behind */
  if (count_entries(work) != before) return 40;

  /* within the quota: works, and reserves */
  npshm_array *a = npshm_create("small", "<f8", 1, small, NPSHM_ORDER_C, o);
  if (!a) return 50;
  npshm_close(a);
  if (npshm_remove("small", o) != NPSHM_OK) return 51;
  npshm_options_free(o);
  return 0;
}

static void test_quota_checked_before_reserving(void **state) {
  (void)state;
#ifndef SYS_quotactl_fd
  skip(); /* no quotactl_fd on this system: the library cannot ask */
#endif
  if (geteuid() != 0) skip(); /* acts as another user (setuid), since root has no quota */
  /* a directory uid 4242 can write, holding root's 2 MiB array (0644) and
     a 2 MiB .npy to load */
  assert_int_equal(chmod(private_dir(), 0711), 0);
  snprintf(work, sizeof work, "%s", private_path("work"));
  assert_int_equal(mkdir(work, 0700), 0);
  assert_int_equal(chmod(work, 0777), 0);
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, work);
  npshm_options_set_mode(o, 0644);
  const int64_t big[1] = {2 * MiB / 8};
  npshm_array *shared = create_or_fail("shared", "<f8", 1, big, NPSHM_ORDER_C, o);
  char source[700];
  snprintf(source, sizeof source, "%s/source.npy", work);
  assert_int_equal(npshm_save(shared, source, NULL), NPSHM_OK);
  assert_int_equal(chmod(source, 0644), 0);
  npshm_close(shared);

  const int status = run_in_child(over_quota, NULL);
  if (status != 0) fail_msg("the over-quota check number %d failed", status);

  char path[700];
  assert_int_equal(unlink(source), 0);
  snprintf(path, sizeof path, "%s/shared", work);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(work), 0);
  npshm_options_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_quota_checked_before_reserving, setup_private_dir,
                                      teardown_private_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
