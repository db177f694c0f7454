/* How npshm_create writes a new array: header, fill and trailer written
   into the file before it is mapped (no page of the creator's mapping is
   touched), fills of every size, ids that differ across fork(), and
   unfinished files whose names nobody can take first. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* 1 if the page holding addr has a page-table entry in this process
   (/proc/self/pagemap bit 63), 0 if not, -1 if the system cannot tell. */
static int page_present(const void *addr) {
  const long page = sysconf(_SC_PAGESIZE);
  int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  uint64_t entry = 0;
  const off_t at = (off_t)((uintptr_t)addr / (uintptr_t)page * sizeof entry);
  const ssize_t n = pread(fd, &entry, sizeof entry, at);
  close(fd);
  if (n != (ssize_t)sizeof entry) return -1;
  return (int)(entry >> 63);
}

static void check_untouched(npshm_array *a) {
  const char *data = npshm_data(a);
  const char *header = data - npshm_data_offset(a);
  const char *trailer = data + npshm_nbytes(a);
  if (page_present(header) < 0) skip();  /* no pagemap here */
  assert_int_equal(page_present(header), 0);
  assert_int_equal(page_present(trailer), 0);
  if (npshm_nbytes(a) > 0) assert_int_equal(page_present(data), 0);
}

static void test_create_touches_no_page(void **state) {
  (void)state;
  /* small (one write), large (reserve, then header and trailer) */
  const int64_t sizes[] = {1, 512, 8191, 1 << 20};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; ++i) {
    npshm_array *a = create_or_fail("untouched", "<f8", 1, &sizes[i], NPSHM_ORDER_C, NULL);
    check_untouched(a);
    /* and the file says what it should: header, zeros, trailer */
    int fd = open(npshm_path(a), O_RDONLY | O_CLOEXEC);
    char magic[6], tail[8];
    double x = 1;
    assert_int_equal(pread(fd, magic, 6, 0), 6);
    assert_memory_equal(magic, "\x93NUMPY", 6);
    assert_int_equal(pread(fd, &x, 8, (off_t)(npshm_data_offset(a) + npshm_nbytes(a) - 8)), 8);
    assert_true(x == 0);
    assert_int_equal(pread(fd, tail, 8, (off_t)(npshm_data_offset(a) + npshm_nbytes(a))), 8);
    assert_memory_equal(tail, "NPSHMTRL", 8);
    close(fd);
    npshm_unlink(a);
    npshm_close(a);
  }
}

/* Fills of an item size that does not divide 1 MiB, across the sizes where
   the file is written in one piece, in several chunks, and in between. */
static void test_fill_every_size(void **state) {
  (void)state;
  const unsigned char item[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_fill(o, item, sizeof item), NPSHM_OK);
  const int64_t counts[] = {0, 1, 5000, 5462, 87382, 300000};
  for (size_t i = 0; i < sizeof counts / sizeof *counts; ++i) {
    npshm_array *a = create_or_fail("filled", "|V12", 1, &counts[i], NPSHM_ORDER_C, o);
    check_untouched(a);
    const unsigned char *d = npshm_data(a);
    for (int64_t k = 0; k < counts[i]; ++k)
      if (memcmp(d + k * 12, item, 12) != 0) fail_msg("item %lld of %lld differs", (long long)k, (long long)counts[i]);
    npshm_unlink(a);
    npshm_close(a);
  }
  npshm_options_free(o);
}

static int create_and_report_id(void *arg) {
  int fd = *(int *)arg;
  const int64_t one = 1;
  npshm_array *a = npshm_create("child-id", "<f8", 1, &one, NPSHM_ORDER_C, NULL);
  if (!a) return 1;
  uint64_t id = npshm_id(a);
  npshm_unlink(a);
  npshm_close(a);
  return write(fd, &id, sizeof id) == (ssize_t)sizeof id ? 0 : 1;
}

/* Ids come from a per-process generator: a forked child must not repeat
   the ids its parent hands out next. */
static void test_ids_differ_across_fork(void **state) {
  (void)state;
  const int64_t one = 1;
  npshm_array *first = create_or_fail("parent-id-0", "<f8", 1, &one, NPSHM_ORDER_C, NULL);
  int pipefd[2];
  assert_int_equal(pipe(pipefd), 0);
  assert_int_equal(run_in_child(create_and_report_id, &pipefd[1]), 0);
  uint64_t child_id = 0;
  assert_int_equal(read(pipefd[0], &child_id, sizeof child_id), sizeof child_id);
  close(pipefd[0]);
  close(pipefd[1]);
  npshm_array *next = create_or_fail("parent-id-1", "<f8", 1, &one, NPSHM_ORDER_C, NULL);
  assert_true(child_id != 0);
  assert_true(npshm_id(first) != npshm_id(next));
  assert_true(child_id != npshm_id(next));
  assert_true(child_id != npshm_id(first));
  npshm_close(first);
  npshm_close(next);
}

/* npshm_create_from: the caller's bytes, written before the file is mapped
   or named; C and Fortran order; wrong sizes refused, nothing left. */
static int cancel_at_start(uint64_t done, uint64_t total, void *context) {
  (void)done, (void)total, (void)context;
  return 1;
}

static void test_create_from_buffer(void **state) {
  (void)state;
  enum { rows = 300, cols = 700 };
  int32_t *values = malloc(sizeof(int32_t) * rows * cols);
  for (int i = 0; i < rows * cols; ++i) values[i] = i * 7 - 3;
  const int64_t shape[2] = {rows, cols};
  for (int order = NPSHM_ORDER_C; order <= NPSHM_ORDER_F; ++order) {
    npshm_array *a = npshm_create_from("from", "<i4", 2, shape, order, values, sizeof(int32_t) * rows * cols, NULL);
    assert_non_null(a);
    assert_int_equal(npshm_order(a), order);
    check_untouched(a);
    assert_memory_equal(npshm_data(a), values, sizeof(int32_t) * rows * cols);
    npshm_array *b = npshm_attach("from", NULL);
    assert_non_null(b);
    assert_int_equal(((int32_t *)npshm_data(b))[rows * cols - 1], values[rows * cols - 1]);
    npshm_close(b);
    npshm_unlink(a);
    npshm_close(a);
  }
  const int64_t empty[1] = {0};
  npshm_array *e = npshm_create_from("from-empty", "<f8", 1, empty, NPSHM_ORDER_C, NULL, 0, NULL);
  assert_non_null(e);
  assert_int_equal(npshm_nbytes(e), 0);
  npshm_unlink(e);
  npshm_close(e);

  assert_null(npshm_create_from("from-short", "<i4", 2, shape, NPSHM_ORDER_C, values, 12, NULL));
  assert_last_error(NPSHM_E_INVALID, "shm://from-short", "12 bytes");
  assert_null(npshm_create_from("from-null", "<i4", 2, shape, NPSHM_ORDER_C, NULL, sizeof(int32_t) * rows * cols, NULL));
  assert_last_error(NPSHM_E_INVALID, "shm://from-null", "NULL");
  npshm_options *o = npshm_options_new();
  npshm_options_set_progress(o, cancel_at_start, NULL);
  assert_null(npshm_create_from("from-canceled", "<i4", 2, shape, NPSHM_ORDER_C, values, sizeof(int32_t) * rows * cols, o));
  assert_last_error(NPSHM_E_CANCELED, "shm://from-canceled", NULL);
  npshm_options_free(o);
  const int64_t one = 1;
  npshm_array *taken = create_or_fail("from-taken", "<i4", 1, &one, NPSHM_ORDER_C, NULL);
  assert_null(npshm_create_from("from-taken", "<i4", 2, shape, NPSHM_ORDER_C, values, sizeof(int32_t) * rows * cols, NULL));
  assert_last_error(NPSHM_E_EXISTS, "shm://from-taken", NULL);
  npshm_unlink(taken);
  npshm_close(taken);
  assert_int_equal(count_entries(private_dir()), 0);
  free(values);
}

/* npshm_options_set_populate: every page of the mapping present right after
   create or attach (read-write and read-only); not without it. */
static void test_populate(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_populate(o, 1), NPSHM_OK);
  assert_int_equal(npshm_options_set_populate(NULL, 1), NPSHM_E_INVALID);
  const int64_t n = 3 << 17; /* 3 MiB of doubles */
  npshm_array *a = npshm_create("populated", "<f8", 1, &n, NPSHM_ORDER_C, o);
  assert_non_null(a);
  const char *d = npshm_data(a);
  if (page_present(d) < 0) skip();
  for (int64_t at = 0; at < n * 8; at += 4096) assert_int_equal(page_present(d + at), 1);
  npshm_array *plain = npshm_attach("populated", NULL);
  assert_int_equal(page_present((const char *)npshm_data(plain) + 8192), 0);
  npshm_close(plain);
  assert_int_equal(npshm_options_set_readonly(o, 1), NPSHM_OK);
  npshm_array *r = npshm_attach("populated", o);
  assert_non_null(r);
  const char *rd = npshm_data(r);
  for (int64_t at = 0; at < n * 8; at += 4096) assert_int_equal(page_present(rd + at), 1);
  npshm_close(r);
  npshm_unlink(a);
  npshm_close(a);
  npshm_options_free(o);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

/* Where creates name their unfinished file (no O_TMPFILE: the POSIX
   fallback), that hidden name must not be guessable: another user who
   planted ".npshm-tmp-<pid>-<n>" for the creator's process id and the
   first values of a counter in the shared directory would make every
   create fail; the last part is random.
   (With O_TMPFILE nothing is named, and this passes trivially.) */
static void test_planted_temporary_names_never_stop_a_create(void **state) {
  (void)state;
  for (unsigned n = 0; n < 256; ++n) {
    char name[64];
    snprintf(name, sizeof name, ".npshm-tmp-%ld-%u", (long)getpid(), n);
    write_file(private_path(name), "x", 1);
  }
  const int64_t shape[1] = {8};
  npshm_array *a = npshm_create("after-planting", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  if (!a) fail_msg("create failed: %s", npshm_last_message());
  npshm_close(a);
  assert_int_equal(count_entries(private_dir()), 257); /* the planted names and the array */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_create_touches_no_page),
      T(test_fill_every_size),
      T(test_ids_differ_across_fork),
      T(test_create_from_buffer),
      T(test_populate),
      T(test_planted_temporary_names_never_stop_a_create),
  };
  return cmocka_run_group_tests_name("create_path", tests, NULL, NULL);
}
