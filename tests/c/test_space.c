/* A full shm directory: a small tmpfs mounted for the test (needs root). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "support.h"

static char mountpoint[64];
static int mounted;

static int setup_small_tmpfs(void **state) {
  (void)state;
  snprintf(mountpoint, sizeof mountpoint, "/tmp/npshm-test-c-tmpfs-XXXXXX");
  if (!mkdtemp(mountpoint)) return -1;
  mounted = mount("npshm-test", mountpoint, "tmpfs", 0, "size=1m") == 0;
  if (!mounted) fprintf(stderr, "note: cannot mount a tmpfs (%s): full-space tests skip\n", strerror(errno));
  return 0;
}

static int teardown_small_tmpfs(void **state) {
  (void)state;
  /* detached: a failed test may still map a file in it (umount would fail, EBUSY) */
  if (mounted) umount2(mountpoint, MNT_DETACH);
  rmdir(mountpoint);
  return 0;
}

static void test_full_directory_gives_no_space(void **state) {
  (void)state;
  if (!mounted) skip(); /* needs root to mount a 1 MiB tmpfs */
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, mountpoint);
  const int64_t big[1] = {1 << 18}; /* 2 MiB of f8 into 1 MiB */
  assert_null(npshm_create("big", "<f8", 1, big, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_NO_SPACE, "shm://big", "no space left");
  assert_int_equal(count_entries(mountpoint), 0); /* nothing left behind */

  /* fill it almost up (npshm keeps 128 KiB of a 1 MiB file system free:
     space.hpp), then one more does not fit */
  const int64_t part[1] = {50000}; /* ~400 KB each */
  npshm_array *a = npshm_create("a", "<f8", 1, part, NPSHM_ORDER_C, o);
  assert_non_null(a);
  npshm_array *b = npshm_create("b", "<f8", 1, part, NPSHM_ORDER_C, o);
  assert_non_null(b);
  assert_null(npshm_create("c", "<f8", 1, part, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_NO_SPACE, "shm://c", NULL);
  assert_int_equal(count_entries(mountpoint), 2);
  /* what was created is fully usable: every page is reserved, no SIGBUS */
  memset(npshm_data(a), 1, npshm_nbytes(a));
  memset(npshm_data(b), 2, npshm_nbytes(b));
  npshm_close(a);
  npshm_close(b);
  assert_int_equal(npshm_remove("a", o), NPSHM_OK);

  /* loading a file that does not fit fails cleanly too */
  char source[128];
  snprintf(source, sizeof source, "/tmp/npshm-test-c-load-%ld.npy", (long)getpid());
  b = npshm_attach("b", o);
  assert_non_null(b);
  assert_int_equal(npshm_save(b, source, NULL), NPSHM_OK);
  npshm_close(b);
  npshm_array *c = npshm_create("c", "<f8", 1, part, NPSHM_ORDER_C, o);
  assert_non_null(c);
  npshm_close(c);
  assert_null(npshm_load(source, "d", o));
  assert_last_error(NPSHM_E_NO_SPACE, "shm://d", "no space left");
  assert_int_equal(count_entries(mountpoint), 2);
  unlink(source);
  assert_int_equal(npshm_remove("b", o), NPSHM_OK);
  assert_int_equal(npshm_remove("c", o), NPSHM_OK);
  npshm_options_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_full_directory_gives_no_space, setup_small_tmpfs,
                                      teardown_small_tmpfs),
  };
  return cmocka_run_group_tests_name("space", tests, NULL, NULL);
}
