/* npshm_host_id: the host identity (boot id + shm directory device and
   inode). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "support.h"

static void read_boot_id(char *buf, size_t size) {
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
  assert_non_null(f);
  assert_non_null(fgets(buf, (int)size, f));
  fclose(f);
  buf[strcspn(buf, "\n")] = '\0';
}

static void test_host_id_is_boot_id_device_and_inode(void **state) {
  (void)state;
  char id[NPSHM_HOST_ID_MAX], boot[64], expected[NPSHM_HOST_ID_MAX];
  int n = npshm_host_id(NULL, id, sizeof id);
  assert_true(n > 0);
  assert_int_equal((size_t)n, strlen(id));
  read_boot_id(boot, sizeof boot);
  struct stat st;
  assert_int_equal(stat(private_dir(), &st), 0);
  snprintf(expected, sizeof expected, "%s:%u:%u:%llu", boot, major(st.st_dev), minor(st.st_dev),
           (unsigned long long)st.st_ino);
  assert_string_equal(id, expected); /* NPSHM_DIR (the private dir) is used */
  /* The length alone, and a truncated copy. */
  assert_int_equal(npshm_host_id(NULL, NULL, 0), n);
  char small[8];
  assert_int_equal(npshm_host_id(NULL, small, sizeof small), n);
  assert_int_equal(strlen(small), sizeof small - 1);
  assert_memory_equal(small, id, sizeof small - 1);
}

static void test_directories_differ_by_inode_and_device(void **state) {
  (void)state;
  char here[NPSHM_HOST_ID_MAX], other[NPSHM_HOST_ID_MAX], shm[NPSHM_HOST_ID_MAX];
  assert_true(npshm_host_id(NULL, here, sizeof here) > 0);
  /* Another directory: same boot id, another inode. */
  assert_int_equal(mkdir(private_path("sub"), 0700), 0);
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_directory(o, private_path("sub")), NPSHM_OK);
  assert_true(npshm_host_id(o, other, sizeof other) > 0);
  assert_string_not_equal(here, other);
  const char *colon = strchr(here, ':');
  assert_non_null(colon);
  assert_memory_equal(here, other, (size_t)(colon - here) + 1); /* same boot id */
  /* Stable across calls. */
  char again[NPSHM_HOST_ID_MAX];
  assert_true(npshm_host_id(o, again, sizeof again) > 0);
  assert_string_equal(other, again);
  /* Another file system: another device. */
  struct stat a, b;
  assert_int_equal(stat("/proc", &a), 0);
  assert_int_equal(stat(private_dir(), &b), 0);
  assert_true(a.st_dev != b.st_dev);
  assert_int_equal(npshm_options_set_directory(o, "/proc"), NPSHM_OK);
  assert_true(npshm_host_id(o, shm, sizeof shm) > 0);
  assert_string_not_equal(shm, here);
  assert_string_not_equal(shm, other);
  npshm_options_free(o);
  assert_int_equal(rmdir(private_path("sub")), 0);
}

static void test_missing_or_odd_directory_is_an_error(void **state) {
  (void)state;
  char id[NPSHM_HOST_ID_MAX];
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_directory(o, private_path("missing")), NPSHM_OK);
  assert_int_equal(npshm_host_id(o, id, sizeof id), NPSHM_E_NOT_FOUND);
  assert_last_error(NPSHM_E_NOT_FOUND, "host id", private_path("missing"));
  write_file(private_path("plain-file"), "x", 1);
  assert_int_equal(npshm_options_set_directory(o, private_path("plain-file")), NPSHM_OK);
  assert_int_equal(npshm_host_id(o, id, sizeof id), NPSHM_E_NOT_FOUND);
  assert_last_error(NPSHM_E_NOT_FOUND, "plain-file", "Not a directory");
  npshm_options_free(o);
  assert_int_equal(unlink(private_path("plain-file")), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_host_id_is_boot_id_device_and_inode),
      T(test_directories_differ_by_inode_and_device),
      T(test_missing_or_odd_directory_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
