/* Listing, npshm_stat and the info accessors; odd files in the directory. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static void test_list_and_info_accessors(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  npshm_options_set_mode(o, 0640);
  const int64_t shape[3] = {2, 3, 4};
  npshm_array *b = create_or_fail("b-array", ">i2", 3, shape, NPSHM_ORDER_F, o);
  npshm_options_free(o);
  npshm_array *a = create_or_fail("a-array", "<c8", 0, NULL, NPSHM_ORDER_C, NULL);
  npshm_array *b2 = npshm_attach("b-array", NULL);
  write_file(private_path("c-foreign"), "hello", 5);
  write_file(private_path(".hidden"), "x", 1);
  assert_int_equal(mkdir(private_path("d-directory"), 0700), 0);

  npshm_list *list = npshm_list_arrays(NULL);
  assert_non_null(list);
  assert_int_equal(npshm_list_size(list), 3); /* no hidden file, no directory */
  assert_null(npshm_list_get(list, 3));
  const npshm_info *ia = npshm_list_get(list, 0), *ib = npshm_list_get(list, 1), *ic = npshm_list_get(list, 2);
  assert_string_equal(npshm_info_name(ia), "shm://a-array");
  assert_string_equal(npshm_info_name(ib), "shm://b-array");
  assert_string_equal(npshm_info_name(ic), "shm://c-foreign");

  assert_int_equal(npshm_info_status(ia), NPSHM_OK);
  assert_string_equal(npshm_info_message(ia), "");
  assert_string_equal(npshm_info_dtype(ia), "<c8");
  assert_int_equal(npshm_info_ndim(ia), 0);
  assert_int_equal(npshm_info_nbytes(ia), 8);
  assert_int_equal(npshm_info_holders(ia), 1);
  assert_int_equal(npshm_info_lifetime(ia), NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(npshm_info_mode(ia), 0600);

  assert_int_equal(npshm_info_status(ib), NPSHM_OK);
  assert_string_equal(npshm_info_path(ib), private_path("b-array"));
  assert_string_equal(npshm_info_dtype(ib), ">i2");
  assert_int_equal(npshm_info_ndim(ib), 3);
  assert_memory_equal(npshm_info_shape(ib), shape, sizeof shape);
  assert_int_equal(npshm_info_order(ib), NPSHM_ORDER_F);
  assert_int_equal(npshm_info_itemsize(ib), 2);
  assert_int_equal(npshm_info_nbytes(ib), 48);
  assert_int_equal(npshm_info_lifetime(ib), NPSHM_LIFETIME_LAST);
  assert_int_equal(npshm_info_holders(ib), 1); /* two handles, one process: one holder */
  assert_int_equal(npshm_info_file_size(ib), NPSHM_DATA_ALIGN + 48 + 64 + 16); /* + the sync block */
  assert_int_equal(npshm_info_uid(ib), geteuid());
  assert_int_equal(npshm_info_mode(ib), 0640);
  assert_true(llabs(npshm_info_mtime(ib) - (int64_t)time(NULL)) < 60);
  int64_t pids[4];
  size_t mappings = 0;
  assert_int_equal(npshm_info_processes(ib, pids, 4, &mappings), 1); /* this process */
  assert_int_equal(pids[0], getpid());
  assert_int_equal(mappings, 2);

  assert_int_equal(npshm_info_status(ic), NPSHM_E_FORMAT);
  assert_non_null(strstr(npshm_info_message(ic), "not a .npy"));
  assert_int_equal(npshm_info_file_size(ic), 5);
  npshm_list_free(list);
  npshm_list_free(NULL);

  npshm_info *single = npshm_stat("b-array", NULL);
  assert_non_null(single);
  assert_int_equal(npshm_info_holders(single), 1);
  npshm_info_free(single);
  assert_null(npshm_stat("missing", NULL));
  assert_last_error(NPSHM_E_NOT_FOUND, "shm://missing", NULL);
  assert_int_equal(npshm_info_status(NULL), NPSHM_E_INVALID);
  npshm_info_free(NULL);

  npshm_close(b2);
  npshm_close(b);
  npshm_close(a);
  rmdir(private_path("d-directory"));
}

static void test_odd_files_never_hang_or_break_listing(void **state) {
  (void)state;
  const int64_t shape[1] = {3};
  npshm_array *a = create_or_fail("good", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_close(a);
  assert_int_equal(mkfifo(private_path("fifo"), 0600), 0);
  assert_int_equal(symlink("loop", private_path("loop")), 0);

  npshm_list *list = npshm_list_arrays(NULL);
  assert_non_null(list); /* a symlink loop does not fail the listing */
  int saw_good = 0;
  for (size_t i = 0; i < npshm_list_size(list); ++i) {
    const npshm_info *info = npshm_list_get(list, i);
    if (strcmp(npshm_info_name(info), "shm://good") == 0) saw_good = npshm_info_status(info) == NPSHM_OK;
    assert_string_not_equal(npshm_info_name(info), "shm://fifo"); /* not a regular file */
    assert_string_not_equal(npshm_info_name(info), "shm://loop"); /* a link: never followed */
  }
  assert_true(saw_good);
  npshm_list_free(list);

  /* a FIFO is refused, never waited on */
  assert_int_equal(npshm_remove("fifo", NULL), NPSHM_E_FORMAT);
  assert_null(npshm_attach("fifo", NULL));
  assert_last_error(NPSHM_E_FORMAT, "shm://fifo", "regular file");
  char fifo[600];
  snprintf(fifo, sizeof fifo, "%s", private_path("fifo"));
  assert_null(npshm_load(fifo, "x", NULL));
  assert_last_error(NPSHM_E_FORMAT, "regular file", NULL);
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  assert_null(npshm_attach("fifo", o));
  npshm_options_free(o);
  assert_int_equal(npshm_exists("fifo", NULL), NPSHM_E_FORMAT);
  assert_int_equal(access(fifo, F_OK), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_list_and_info_accessors),
      T(test_odd_files_never_hang_or_break_listing),
  };
  return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
