/* Create, attach, validate, accessors, close, unlink, remove, exists,
   options and their errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static void test_version(void **state) {
  (void)state;
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", NPSHM_VERSION_MAJOR, NPSHM_VERSION_MINOR,
           NPSHM_VERSION_PATCH);
  assert_string_equal(npshm_version(), expected);
  assert_int_equal(npshm_version_number(), NPSHM_VERSION_NUMBER);
}

static void test_error_names(void **state) {
  (void)state;
  const int codes[] = {NPSHM_OK, NPSHM_E_INVALID, NPSHM_E_NOT_FOUND, NPSHM_E_EXISTS,
                       NPSHM_E_NO_SPACE, NPSHM_E_PERMISSION, NPSHM_E_FORMAT, NPSHM_E_MISMATCH,
                       NPSHM_E_READONLY, NPSHM_E_BUSY, NPSHM_E_NO_MEMORY, NPSHM_E_SYSTEM};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
    const char *name = npshm_error_name(codes[i]);
    assert_non_null(strstr(name, "NPSHM_"));
    for (size_t j = 0; j < i; ++j) assert_string_not_equal(name, npshm_error_name(codes[j]));
  }
  assert_string_equal(npshm_error_name(-999), "unknown");
  assert_string_equal(npshm_lifetime_name(NPSHM_LIFETIME_LAST), "last");
  assert_null(npshm_lifetime_name(7));
  assert_int_equal(npshm_lifetime_from_name("owner"), NPSHM_LIFETIME_OWNER);
  assert_int_equal(npshm_lifetime_from_name("forever"), -1);
  assert_last_error(NPSHM_E_INVALID, "forever", NULL);
  npshm_clear_error();
  assert_int_equal(npshm_last_error(), NPSHM_OK);
  assert_string_equal(npshm_last_message(), "");
}

static void test_create_attach_roundtrip(void **state) {
  (void)state;
  const int64_t shape[2] = {3, 5};
  npshm_array *a = create_or_fail("rt", "<f8", 2, shape, NPSHM_ORDER_C, NULL);
  assert_int_equal(npshm_ndim(a), 2);
  assert_int_equal(npshm_shape(a)[0], 3);
  assert_int_equal(npshm_shape(a)[1], 5);
  assert_int_equal(npshm_strides(a)[0], 40);
  assert_int_equal(npshm_strides(a)[1], 8);
  assert_int_equal(npshm_order(a), NPSHM_ORDER_C);
  assert_int_equal(npshm_itemsize(a), 8);
  assert_int_equal(npshm_nbytes(a), 120);
  assert_string_equal(npshm_dtype(a), "<f8");
  assert_string_equal(npshm_name(a), "shm://rt");
  assert_string_equal(npshm_path(a), private_path("rt"));
  assert_int_equal(npshm_data_offset(a), NPSHM_DATA_ALIGN);
  assert_int_equal((uintptr_t)npshm_data(a) % NPSHM_DATA_ALIGN, 0);
  assert_int_equal(npshm_is_readonly(a), 0);
  assert_int_equal(npshm_is_creator(a), 1);
  assert_int_equal(npshm_lifetime(a), NPSHM_LIFETIME_PERSISTENT);
  double *d = npshm_data(a);
  for (int i = 0; i < 15; ++i) assert_true(d[i] == 0.0); /* zero filled */
  for (int i = 0; i < 15; ++i) d[i] = i * 1.5;

  npshm_array *b = npshm_attach("shm://rt", NULL);
  assert_non_null(b);
  assert_ptr_not_equal(npshm_data(b), npshm_data(a));
  assert_true(((double *)npshm_data(b))[14] == 21.0);
  ((double *)npshm_data(b))[0] = -1; /* same memory, other mapping */
  assert_true(d[0] == -1.0);
  assert_int_equal(npshm_is_creator(b), 0);
  assert_string_equal(npshm_dtype(b), "<f8");
  assert_true(npshm_id(a) != 0);
  assert_true(npshm_id(b) == npshm_id(a)); /* the same array */
  const uint64_t first_id = npshm_id(a);
  assert_int_equal(npshm_close(b), NPSHM_OK);
  assert_int_equal(npshm_close(a), NPSHM_OK);
  /* a new array under the same name is told apart by its id */
  assert_int_equal(npshm_remove("rt", NULL), NPSHM_OK);
  a = create_or_fail("rt", "<f8", 2, shape, NPSHM_ORDER_C, NULL);
  assert_true(npshm_id(a) != 0 && npshm_id(a) != first_id);
  assert_int_equal(npshm_id(NULL), 0);
  npshm_close(a);
  /* persistent: still there */
  assert_int_equal(npshm_exists("rt", NULL), 1);
  assert_int_equal(npshm_remove("rt", NULL), NPSHM_OK);
  assert_int_equal(npshm_exists("rt", NULL), 0);
  assert_int_equal(count_entries(private_dir()), 0);
}

static int child_attaches_and_writes(void *arg) {
  npshm_array *b = npshm_attach((const char *)arg, NULL);
  if (!b) return 2;
  int32_t *x = npshm_data(b);
  int ok = x[0] == 11; /* sees what the parent wrote */
  for (int i = 0; i < 1000; ++i) x[i] += i;
  npshm_close(b);
  return ok ? 0 : 3;
}

static void test_cross_process_mutation(void **state) {
  (void)state;
  const int64_t shape[1] = {1000};
  npshm_array *a = create_or_fail("xproc", "<i4", 1, shape, NPSHM_ORDER_C, NULL);
  int32_t *x = npshm_data(a);
  for (int i = 0; i < 1000; ++i) x[i] = 11;
  assert_int_equal(run_in_child(child_attaches_and_writes, "xproc"), 0);
  for (int i = 0; i < 1000; ++i) assert_int_equal(x[i], 11 + i); /* same memory, no copy */
  npshm_close(a);
}

static void test_fortran_order_and_strides(void **state) {
  (void)state;
  const int64_t shape[3] = {2, 3, 4};
  npshm_array *a = create_or_fail("f", "<i4", 3, shape, NPSHM_ORDER_F, NULL);
  assert_int_equal(npshm_order(a), NPSHM_ORDER_F);
  assert_int_equal(npshm_strides(a)[0], 4);
  assert_int_equal(npshm_strides(a)[1], 8);
  assert_int_equal(npshm_strides(a)[2], 24);
  npshm_array *b = npshm_attach("f", NULL);
  assert_non_null(b);
  assert_int_equal(npshm_order(b), NPSHM_ORDER_F);
  assert_memory_equal(npshm_strides(a), npshm_strides(b), 3 * sizeof(int64_t));
  npshm_close(b);
  npshm_close(a);
}

static void test_zero_d_and_empty(void **state) {
  (void)state;
  npshm_array *s = create_or_fail("scalar", "<c16", 0, NULL, NPSHM_ORDER_C, NULL);
  assert_int_equal(npshm_ndim(s), 0);
  assert_int_equal(npshm_nbytes(s), 16);
  npshm_close(s);
  const int64_t empty[2] = {0, 7};
  npshm_array *e = create_or_fail("empty", "<i8", 2, empty, NPSHM_ORDER_C, NULL);
  assert_int_equal(npshm_nbytes(e), 0);
  assert_int_equal(npshm_strides(e)[0], 56);
  npshm_array *e2 = npshm_attach("empty", NULL);
  assert_non_null(e2);
  assert_int_equal(npshm_shape(e2)[0], 0);
  assert_int_equal(npshm_shape(e2)[1], 7);
  npshm_close(e2);
  npshm_close(e);
  npshm_array *s2 = npshm_attach("scalar", NULL);
  assert_non_null(s2);
  assert_int_equal(npshm_ndim(s2), 0);
  npshm_close(s2);
}

static void test_max_ndim(void **state) {
  (void)state;
  int64_t shape[NPSHM_MAX_NDIM + 1];
  for (int i = 0; i <= NPSHM_MAX_NDIM; ++i) shape[i] = 1;
  shape[0] = 2;
  npshm_array *a = create_or_fail("deep", "|u1", NPSHM_MAX_NDIM, shape, NPSHM_ORDER_C, NULL);
  npshm_array *b = npshm_attach("deep", NULL);
  assert_non_null(b);
  assert_int_equal(npshm_ndim(b), NPSHM_MAX_NDIM);
  assert_int_equal(npshm_nbytes(b), 2);
  npshm_close(b);
  npshm_close(a);
  assert_null(npshm_create("deeper", "|u1", NPSHM_MAX_NDIM + 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "ndim", "shm://deeper");
  assert_int_equal(count_entries(private_dir()), 1);
}

static void test_bad_shapes(void **state) {
  (void)state;
  const int64_t negative[2] = {-1, 4};
  assert_null(npshm_create("neg", "<f8", 2, negative, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "negative", "shm://neg");
  const int64_t huge[2] = {INT64_MAX / 2, 4};
  assert_null(npshm_create("huge", "<f8", 2, huge, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "overflow", NULL);
  const int64_t overflow_with_zero[3] = {0, INT64_MAX / 4, 8};
  assert_null(npshm_create("zero", "<f8", 3, overflow_with_zero, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "overflow", NULL);
  assert_null(npshm_create("nullshape", "<f8", 2, NULL, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "NULL", NULL);
  assert_null(npshm_create("order", "<f8", 0, NULL, 7, NULL));
  assert_last_error(NPSHM_E_INVALID, "order", NULL);
  assert_null(npshm_create("ndim", "<f8", -1, NULL, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "ndim", NULL);
  assert_int_equal(count_entries(private_dir()), 0);
}

static void test_bad_names(void **state) {
  (void)state;
  char long_name[NPSHM_MAX_NAME + 2];
  memset(long_name, 'x', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  const char *bad[] = {"", "shm://", "a/b", "..", ".hidden", "shm://../etc", "x\ny",
                       "file://relative.npy", "file:///tmp/dir/", "http://x", long_name};
  const int64_t shape[1] = {1};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    assert_null(npshm_create(bad[i], "<f8", 1, shape, NPSHM_ORDER_C, NULL));
    assert_last_error(NPSHM_E_INVALID, "invalid name", NULL);
    assert_null(npshm_attach(bad[i], NULL));
    assert_last_error(NPSHM_E_INVALID, "invalid name", NULL);
    assert_int_equal(npshm_exists(bad[i], NULL), NPSHM_E_INVALID);
    assert_int_equal(npshm_remove(bad[i], NULL), NPSHM_E_INVALID);
  }
  assert_null(npshm_attach(NULL, NULL));
  assert_last_error(NPSHM_E_INVALID, "NULL", NULL);
  /* the longest allowed name works */
  long_name[NPSHM_MAX_NAME] = '\0';
  npshm_array *a = create_or_fail(long_name, "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_close(a);
  assert_int_equal(npshm_remove(long_name, NULL), NPSHM_OK);
  assert_int_equal(count_entries(private_dir()), 0);
}

static void test_exists_error_and_not_found(void **state) {
  (void)state;
  const int64_t shape[1] = {4};
  npshm_array *a = create_or_fail("dup", "<f4", 1, shape, NPSHM_ORDER_C, NULL);
  assert_null(npshm_create("dup", "<f4", 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_EXISTS, "shm://dup", "exists");
  assert_int_equal(npshm_last_errno(), EEXIST);
  npshm_close(a);
  assert_null(npshm_attach("missing", NULL));
  assert_last_error(NPSHM_E_NOT_FOUND, "attach shm://missing", "no such array");
  assert_int_equal(npshm_remove("missing", NULL), NPSHM_E_NOT_FOUND);
  assert_last_error(NPSHM_E_NOT_FOUND, "shm://missing", NULL);
  assert_int_equal(count_entries(private_dir()), 1); /* only dup, no temp files */
}

static void test_validate_and_expectations(void **state) {
  (void)state;
  const int64_t shape[2] = {2, 3};
  npshm_array *a = create_or_fail("v", "<i8", 2, shape, NPSHM_ORDER_C, NULL);
  assert_int_equal(npshm_validate(a, "<i8", 2, shape), NPSHM_OK);
  assert_int_equal(npshm_validate(a, "i8", -1, NULL), NPSHM_OK); /* normalised */
  assert_int_equal(npshm_validate(a, NULL, 2, shape), NPSHM_OK);
  assert_int_equal(npshm_validate(a, "<i4", -1, NULL), NPSHM_E_MISMATCH);
  assert_last_error(NPSHM_E_MISMATCH, "<i4", "shm://v");
  const int64_t other[2] = {3, 2};
  assert_int_equal(npshm_validate(a, NULL, 2, other), NPSHM_E_MISMATCH);
  assert_last_error(NPSHM_E_MISMATCH, "(2, 3)", "(3, 2)");
  assert_int_equal(npshm_validate(a, "nonsense", -1, NULL), NPSHM_E_INVALID);
  assert_int_equal(npshm_validate(NULL, NULL, -1, NULL), NPSHM_E_INVALID);

  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_expected_dtype(o, "<i8"), NPSHM_OK);
  assert_int_equal(npshm_options_set_expected_shape(o, 2, shape), NPSHM_OK);
  npshm_array *b = npshm_attach("v", o);
  assert_non_null(b);
  npshm_close(b);
  assert_int_equal(npshm_options_set_expected_shape(o, 1, shape), NPSHM_OK);
  assert_null(npshm_attach("v", o));
  assert_last_error(NPSHM_E_MISMATCH, "shape", "shm://v");
  assert_int_equal(npshm_options_set_expected_shape(o, -1, NULL), NPSHM_OK);
  assert_int_equal(npshm_options_set_expected_dtype(o, ">i8"), NPSHM_OK);
  assert_null(npshm_attach("v", o));
  assert_last_error(NPSHM_E_MISMATCH, ">i8", NULL);
  assert_int_equal(npshm_options_set_expected_dtype(o, "bogus"), NPSHM_E_INVALID);
  const int64_t neg[1] = {-2};
  assert_int_equal(npshm_options_set_expected_shape(o, 1, neg), NPSHM_E_INVALID);
  npshm_options_free(o);
  npshm_close(a);
}

static void test_options_errors(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  assert_non_null(o);
  assert_int_equal(npshm_options_set_lifetime(o, 9), NPSHM_E_INVALID);
  assert_int_equal(npshm_options_set_mode(o, 01000), NPSHM_E_INVALID);
  assert_int_equal(npshm_options_set_directory(o, "relative/dir"), NPSHM_E_INVALID);
  assert_int_equal(npshm_options_set_fill(o, "x", 0), NPSHM_E_INVALID);
  assert_int_equal(npshm_options_set_lifetime(NULL, 0), NPSHM_E_INVALID);
  assert_int_equal(npshm_options_set_readonly(NULL, 1), NPSHM_E_INVALID);
  /* fill of the wrong size is refused at create and leaves nothing */
  const double one = 1.0;
  assert_int_equal(npshm_options_set_fill(o, &one, sizeof one), NPSHM_OK);
  const int64_t shape[1] = {3};
  assert_null(npshm_create("fill", "<i4", 1, shape, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_INVALID, "fill", "shm://fill");
  assert_int_equal(count_entries(private_dir()), 0);
  npshm_options_free(o);
  npshm_options_free(NULL);
  assert_int_equal(npshm_close(NULL), NPSHM_OK);
}

static void test_fill_and_mode(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  const double value = 2.5;
  assert_int_equal(npshm_options_set_fill(o, &value, sizeof value), NPSHM_OK);
  assert_int_equal(npshm_options_set_mode(o, 0640), NPSHM_OK);
  const int64_t shape[1] = {1001};
  npshm_array *a = create_or_fail("filled", "<f8", 1, shape, NPSHM_ORDER_C, o);
  const double *d = npshm_data(a);
  for (int i = 0; i < 1001; ++i) assert_true(d[i] == 2.5);
  struct stat st;
  assert_int_equal(stat(npshm_path(a), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  npshm_close(a);
  npshm_options_free(o);
}

static void test_mode_ignores_umask(void **state) {
  (void)state;
  mode_t old = umask(0277);
  const int64_t shape[1] = {1};
  npshm_array *a = create_or_fail("umask-default", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_options *o = npshm_options_new();
  npshm_options_set_mode(o, 0664);
  npshm_array *b = create_or_fail("umask-664", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  umask(old);
  struct stat st;
  assert_int_equal(stat(npshm_path(a), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(stat(npshm_path(b), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0664);
  npshm_close(a);
  npshm_close(b);
}

static void test_directory_option(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_directory(o, "/nonexistent-npshm-dir"), NPSHM_OK);
  const int64_t shape[1] = {1};
  assert_null(npshm_create("x", "<f8", 1, shape, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_NOT_FOUND, "/nonexistent-npshm-dir", "does not exist");
  assert_int_equal(npshm_options_set_directory(o, private_dir()), NPSHM_OK);
  unsetenv("NPSHM_DIR"); /* the option alone must point there */
  npshm_array *a = create_or_fail("viaopt", "<f8", 1, shape, NPSHM_ORDER_C, o);
  assert_string_equal(npshm_path(a), private_path("viaopt"));
  npshm_close(a);
  assert_int_equal(npshm_exists("viaopt", o), 1);
  assert_int_equal(npshm_remove("viaopt", o), NPSHM_OK);
  setenv("NPSHM_DIR", private_dir(), 1);
  npshm_options_free(o);
}

static void test_default_dev_shm(void **state) {
  (void)state;
  unsetenv("NPSHM_DIR");
  char name[64], path[128];
  unique_name(name, sizeof name, "npshm-test-c-default");
  snprintf(path, sizeof path, "/dev/shm/%s", name);
  const int64_t shape[1] = {2};
  npshm_array *a = create_or_fail(name, "<u2", 1, shape, NPSHM_ORDER_C, NULL);
  assert_string_equal(npshm_path(a), path);
  assert_int_equal(npshm_unlink(a), NPSHM_OK);
  assert_int_equal(access(path, F_OK), -1);
  /* the mapping stays valid after unlink */
  ((uint16_t *)npshm_data(a))[1] = 7;
  assert_int_equal(((uint16_t *)npshm_data(a))[1], 7);
  assert_int_equal(npshm_unlink(a), NPSHM_E_NOT_FOUND);
  npshm_close(a);
  setenv("NPSHM_DIR", private_dir(), 1);
}

static int write_readonly_child(void *arg) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_array *a = npshm_attach((const char *)arg, o);
  if (!a || !npshm_is_readonly(a)) return 3;
  volatile double *d = npshm_data(a);
  d[0] = 42.0; /* must fault */
  return 0;
}

static void test_readonly_write_faults(void **state) {
  (void)state;
  const int64_t shape[1] = {4};
  npshm_array *a = create_or_fail("ro", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  int status = run_in_child(write_readonly_child, "ro");
  assert_int_equal(status, 128 + SIGSEGV);
  assert_true(((double *)npshm_data(a))[0] == 0.0);
  npshm_close(a);
}

/* Runs as an unprivileged user, so file modes bind even when the suite
   runs as root. */
static int attach_as_nobody_child(void *arg) {
  (void)arg;
  if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 10;
  if (npshm_attach("perm", NULL) != NULL) return 11;
  if (npshm_last_error() != NPSHM_E_PERMISSION) return 12;
  if (!strstr(npshm_last_message(), "shm://perm")) return 13;
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_array *r = npshm_attach("perm", o);
  npshm_options_free(o);
  if (!r) return 14;
  int ok = npshm_is_readonly(r) && ((const double *)npshm_data(r))[3] == 0.0;
  npshm_close(r);
  return ok ? 0 : 15;
}

static void test_permission_denied(void **state) {
  (void)state;
  const int64_t shape[1] = {4};
  npshm_options *o = npshm_options_new();
  npshm_options_set_mode(o, 0644);
  npshm_array *a = create_or_fail("perm", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  assert_int_equal(chmod(private_dir(), 0755), 0);
  if (geteuid() != 0) {
    /* not root: the owner may write a 0644 file; nothing to deny */
    npshm_close(a);
    skip();
  }
  assert_int_equal(run_in_child(attach_as_nobody_child, NULL), 0);
  npshm_close(a);
}

static void test_msync_mlock(void **state) {
  (void)state;
  const int64_t shape[1] = {1024};
  npshm_array *a = create_or_fail("sync", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  assert_int_equal(npshm_msync(a, NPSHM_MS_SYNC), NPSHM_OK);
  assert_int_equal(npshm_msync(a, NPSHM_MS_ASYNC | NPSHM_MS_INVALIDATE), NPSHM_OK);
  assert_int_equal(npshm_msync(a, NPSHM_MS_ASYNC | NPSHM_MS_SYNC), NPSHM_E_INVALID);
  assert_int_equal(npshm_msync(a, 64), NPSHM_E_INVALID);
  int rc = npshm_mlock(a);
  if (rc != NPSHM_OK) assert_last_error(NPSHM_E_NO_MEMORY, "mlock shm://sync", NULL);
  else assert_int_equal(npshm_munlock(a), NPSHM_OK);
  assert_int_equal(npshm_msync(NULL, 0), NPSHM_E_INVALID);
  assert_int_equal(npshm_mlock(NULL), NPSHM_E_INVALID);
  assert_int_equal(npshm_munlock(NULL), NPSHM_E_INVALID);
  assert_int_equal(npshm_unlink(NULL), NPSHM_E_INVALID);
  npshm_close(a);
}

static void test_readonly_handle_cannot_unlink(void **state) {
  (void)state;
  const int64_t shape[1] = {2};
  npshm_array *a = create_or_fail("rounl", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_array *r = npshm_attach("rounl", o);
  npshm_options_free(o);
  assert_non_null(r);
  assert_int_equal(npshm_unlink(r), NPSHM_E_READONLY);
  assert_last_error(NPSHM_E_READONLY, "shm://rounl", "read-only");
  assert_int_equal(npshm_exists("rounl", NULL), 1);
  npshm_close(r);
  npshm_close(a);
}

static void test_busy_when_locked_exclusively(void **state) {
  (void)state;
  const int64_t shape[1] = {2};
  npshm_array *a = create_or_fail("busy", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_close(a);
  /* someone holds the holder lock exclusively (as a closer deciding to
     unlink does, briefly) and never lets go */
  int fd = open(private_path("busy"), O_RDWR);
  struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  assert_int_equal(fcntl(fd, F_OFD_SETLK, &lk), 0);
  assert_null(npshm_attach("busy", NULL));
  assert_last_error(NPSHM_E_BUSY, "shm://busy", "exclusively");
  close(fd);
  npshm_array *b = npshm_attach("busy", NULL);
  assert_non_null(b);
  npshm_close(b);
}

static void test_symlink_refused(void **state) {
  (void)state;
  assert_int_equal(symlink("loop", private_path("loop")), 0);
  assert_null(npshm_attach("loop", NULL));
  assert_last_error(NPSHM_E_FORMAT, "shm://loop", "symbolic link");
}

static int mlock_over_limit_child(void *arg) {
  (void)arg;
  /* an unprivileged process with a tiny locked-memory limit */
  if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 10;
  struct rlimit lim = {4096, 4096};
  if (setrlimit(RLIMIT_MEMLOCK, &lim) != 0) return 11;
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_array *a = npshm_attach("locked", o);
  npshm_options_free(o);
  if (!a) return 12;
  int rc = npshm_mlock(a);
  int ok = rc == NPSHM_E_NO_MEMORY && strstr(npshm_last_message(), "ulimit -l") != NULL;
  npshm_close(a);
  return ok ? 0 : 13;
}

static void test_mlock_over_limit(void **state) {
  (void)state;
#if defined(__SANITIZE_ADDRESS__)
  skip(); /* AddressSanitizer turns mlock into a no-op that succeeds */
#endif
  const int64_t shape[1] = {1 << 20};
  npshm_options *o = npshm_options_new();
  npshm_options_set_mode(o, 0644);
  npshm_array *a = create_or_fail("locked", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  assert_int_equal(chmod(private_dir(), 0755), 0);
  assert_int_equal(run_in_child(mlock_over_limit_child, NULL), 0);
  npshm_close(a);
}

static void test_null_accessors(void **state) {
  (void)state;
  assert_null(npshm_data(NULL));
  assert_null(npshm_dtype(NULL));
  assert_int_equal(npshm_ndim(NULL), -1);
  assert_null(npshm_shape(NULL));
  assert_null(npshm_name(NULL));
  assert_int_equal(npshm_nbytes(NULL), 0);
  assert_int_equal(npshm_lifetime(NULL), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_version),
      T(test_error_names),
      T(test_create_attach_roundtrip),
      T(test_cross_process_mutation),
      T(test_fortran_order_and_strides),
      T(test_zero_d_and_empty),
      T(test_max_ndim),
      T(test_bad_shapes),
      T(test_bad_names),
      T(test_exists_error_and_not_found),
      T(test_validate_and_expectations),
      T(test_options_errors),
      T(test_fill_and_mode),
      T(test_mode_ignores_umask),
      T(test_directory_option),
      T(test_default_dev_shm),
      T(test_readonly_write_faults),
      T(test_permission_denied),
      T(test_msync_mlock),
      T(test_readonly_handle_cannot_unlink),
      T(test_busy_when_locked_exclusively),
      T(test_symlink_refused),
      T(test_mlock_over_limit),
      T(test_null_accessors),
  };
  return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
