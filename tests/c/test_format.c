/* dtypes, NPY headers written by others, and corrupt, truncated or foreign
   files. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

struct dtype_case {
  const char *given;
  const char *normalised;
  size_t itemsize;
};

static void test_dtypes_normalised(void **state) {
  (void)state;
  const struct dtype_case cases[] = {
      {"f8", "<f8", 8},         {"=i4", "<i4", 4},        {"<i1", "|i1", 1},
      {"b1", "|b1", 1},         {"|u1", "|u1", 1},        {">u2", ">u2", 2},
      {"<u8", "<u8", 8},        {"f2", "<f2", 2},         {">f4", ">f4", 4},
      {"<c8", "<c8", 8},        {"c16", "<c16", 16},      {"S5", "|S5", 5},
      {"<U3", "<U3", 12},       {">U2", ">U2", 8},        {"V16", "|V16", 16},
      {"M8[ns]", "<M8[ns]", 8}, {">m8[10s]", ">m8[10s]", 8}, {"<M8", "<M8", 8},
      {"[('a', '<i4'), ('b', 'f8', (2,))]", "[('a', '<i4'), ('b', '<f8', (2,))]", 20},
      {"[('a','<i4'),('b',[('x','<f4'),('y','<f4')]),(('title','c'),'u1',(2,3))]",
       "[('a', '<i4'), ('b', [('x', '<f4'), ('y', '<f4')]), (('title', 'c'), '|u1', (2, 3))]", 18},
      {"[(\"q'uote\", '|V3')]", "[('q\\'uote', '|V3')]", 3},
      /* numpy.save's padding: several fields named '' of plain void type */
      {"[('', '|V4'), ('a', '<i4'), ('', '|V8'), ('b', '<f8'), ('', '|V8')]",
       "[('', '|V4'), ('a', '<i4'), ('', '|V8'), ('b', '<f8'), ('', '|V8')]", 32},
      {"[('', '|V2', (2,)), ('x', '<u4'), ('', '|V4')]",
       "[('', '|V2', (2,)), ('x', '<u4'), ('', '|V4')]", 12},
  };
  const int64_t shape[1] = {3};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char name[32];
    snprintf(name, sizeof name, "dt%zu", i);
    npshm_array *a = create_or_fail(name, cases[i].given, 1, shape, NPSHM_ORDER_C, NULL);
    assert_string_equal(npshm_dtype(a), cases[i].normalised);
    assert_int_equal(npshm_itemsize(a), cases[i].itemsize);
    assert_int_equal(npshm_nbytes(a), 3 * cases[i].itemsize);
    npshm_array *b = npshm_attach(name, NULL);
    assert_non_null(b);
    assert_string_equal(npshm_dtype(b), cases[i].normalised);
    assert_int_equal(npshm_validate(b, cases[i].given, 1, shape), NPSHM_OK);
    npshm_close(b);
    npshm_close(a);
  }
}

static void test_dtype_normalize(void **state) {
  (void)state;
  char out[64];
  size_t itemsize = 0;
  assert_int_equal(npshm_dtype_normalize("f8", out, sizeof out, &itemsize), 3);
  assert_string_equal(out, "<f8");
  assert_int_equal(itemsize, 8);
  assert_int_equal(npshm_dtype_normalize("[('a','U2')]", out, sizeof out, &itemsize), 14);
  assert_string_equal(out, "[('a', '<U2')]");
  assert_int_equal(itemsize, 8);
  /* too small a buffer: truncated, the full length returned */
  assert_int_equal(npshm_dtype_normalize("<c16", out, 3, NULL), 4);
  assert_string_equal(out, "<c");
  assert_int_equal(npshm_dtype_normalize("<c16", NULL, 0, &itemsize), 4);
  assert_int_equal(itemsize, 16);
  assert_int_equal(npshm_dtype_normalize("O", out, sizeof out, NULL), NPSHM_E_INVALID);
  assert_last_error(NPSHM_E_INVALID, "'O'", "unsupported");
  assert_int_equal(npshm_dtype_normalize(NULL, out, sizeof out, NULL), NPSHM_E_INVALID);
}

static void test_bad_dtypes(void **state) {
  (void)state;
  const char *bad[] = {"O",      "|O8",     "f3",         "i16",   "U0",          "S0",
                       "M8[xx]", "M4",      "",           "<",     "x8",          "<f8 junk",
                       "[]",     "[('a',)]", "[('a', 'O')]", "[(1, '<f8')]", "[('a', '<f8', (-1,))]",
                       "[('a', '<f8'",       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                       "S99999999999"};
  const int64_t shape[1] = {2};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    assert_null(npshm_create("bad", bad[i], 1, shape, NPSHM_ORDER_C, NULL));
    if (npshm_last_error() != NPSHM_E_INVALID) fail_msg("dtype %s: %s", bad[i], npshm_last_message());
    assert_non_null(strstr(npshm_last_message(), "shm://bad"));
  }
  assert_null(npshm_create("bad", NULL, 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "dtype is NULL", NULL);
  assert_int_equal(count_entries(private_dir()), 0);
}

/* An NPY v1.0 file as numpy.save writes it: header padded to 64 bytes. */
static size_t npy_bytes(char *out, const char *dict, const void *data, size_t nbytes) {
  size_t dict_len = strlen(dict);
  size_t total = 10 + dict_len + 1;
  total = (total + 63) / 64 * 64;
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (char)((total - 10) & 0xff);
  out[9] = (char)((total - 10) >> 8);
  memset(out + 10, ' ', total - 10);
  memcpy(out + 10, dict, dict_len);
  out[total - 1] = '\n';
  memcpy(out + total, data, nbytes);
  return total + nbytes;
}

static void test_attach_numpy_style_file(void **state) {
  (void)state;
  char buf[4096];
  const int32_t data[6] = {1, 2, 3, 4, 5, 6};
  size_t n = npy_bytes(buf, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", data, sizeof data);
  write_file(private_path("np.npy"), buf, n);
  npshm_array *a = npshm_attach("np.npy", NULL);
  if (!a) fail_msg("%s", npshm_last_message());
  assert_int_equal(npshm_data_offset(a), n - sizeof data); /* numpy-style: not 4096 */
  assert_int_equal(npshm_data_offset(a) % 64, 0);
  assert_int_equal(npshm_order(a), NPSHM_ORDER_F);
  assert_int_equal(npshm_lifetime(a), NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(npshm_id(a), 0); /* no npshm trailer */
  assert_int_equal(((int32_t *)npshm_data(a))[5], 6);
  npshm_close(a);
  /* the same through file:// with an absolute path */
  char url[600];
  snprintf(url, sizeof url, "file://%s", private_path("np.npy"));
  a = npshm_attach(url, NULL);
  assert_non_null(a);
  assert_string_equal(npshm_name(a), url);
  npshm_close(a);
}

struct corrupt_case {
  const char *what;
  const char *bytes; /* raw prefix; NULL: use dict with npy_bytes */
  size_t len;
  const char *dict;
  size_t data_bytes;
  const char *fragment;
};

static void test_corrupt_files(void **state) {
  (void)state;
  const struct corrupt_case cases[] = {
      {"empty", "", 0, NULL, 0, "not a .npy"},
      {"text", "hello world", 11, NULL, 0, "not a .npy"},
      {"version", "\x93NUMPY\x09\x00\x10\x00", 10, NULL, 0, "version 9.0"},
      {"shortlen", "\x93NUMPY\x01\x00\xff\x7f{'descr'", 17, NULL, 0, "truncated"},
      {"notdict", NULL, 0, "('<f8', False, (3,))", 24, "dict"},
      {"missing", NULL, 0, "{'descr': '<f8', 'shape': (3,), }", 24, "dict"},
      {"extra", NULL, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1, }", 24, "dict"},
      {"negshape", NULL, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", 24, "parse"},
      {"shapeint", NULL, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': 3, }", 24, "tuple"},
      {"shapestr", NULL, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': ('3',), }", 24, "shape"},
      {"fortran", NULL, 0, "{'descr': '<f8', 'fortran_order': 1, 'shape': (3,), }", 24, "fortran_order"},
      {"object", NULL, 0, "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", 24, "unsupported"},
      {"truncated", NULL, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }", 24, "truncated"},
      {"unterminated", NULL, 0, "{'descr': '<f8, 'fortran_order': False, 'shape': (3,), }", 24, "parse"},
      {"overflow", NULL, 0,
       "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 9223372036854775807), }", 24,
       "too large"},
      {"bigint", NULL, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 24,
       "parse"},
      {"deep", NULL, 0, "{'descr': [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], }", 0,
       "parse"},
  };
  char buf[8192];
  const char zeros[64] = {0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    size_t n;
    if (cases[i].bytes) {
      memcpy(buf, cases[i].bytes, cases[i].len);
      n = cases[i].len;
    } else {
      n = npy_bytes(buf, cases[i].dict, zeros, cases[i].data_bytes);
    }
    write_file(private_path(cases[i].what), buf, n);
    assert_null(npshm_attach(cases[i].what, NULL));
    if (npshm_last_error() != NPSHM_E_FORMAT || !strstr(npshm_last_message(), cases[i].fragment) ||
        !strstr(npshm_last_message(), cases[i].what))
      fail_msg("case %s: %s: %s", cases[i].what, npshm_error_name(npshm_last_error()), npshm_last_message());
    /* exists() and remove() refuse foreign files */
    assert_int_equal(npshm_exists(cases[i].what, NULL), NPSHM_E_FORMAT);
    assert_int_equal(npshm_remove(cases[i].what, NULL), NPSHM_E_FORMAT);
    assert_int_equal(access(private_path(cases[i].what), F_OK), 0);
  }
}

static void test_truncated_segment(void **state) {
  (void)state;
  const int64_t shape[1] = {4096};
  npshm_array *a = create_or_fail("cut", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_close(a);
  assert_int_equal(truncate(private_path("cut"), 4096 + 100), 0);
  assert_null(npshm_attach("cut", NULL));
  assert_last_error(NPSHM_E_FORMAT, "truncated", "shm://cut");
}

static void test_damaged_trailer_means_persistent(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  const int64_t shape[1] = {4};
  npshm_array *a = create_or_fail("trl", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  assert_int_equal(npshm_lifetime(a), NPSHM_LIFETIME_LAST);
  char *trailer = (char *)npshm_data(a) + npshm_nbytes(a);
  assert_memory_equal(trailer, "NPSHMTRL", 8);
  trailer[0] = 'X';
  npshm_array *b = npshm_attach("trl", NULL);
  assert_non_null(b);
  assert_int_equal(npshm_lifetime(b), NPSHM_LIFETIME_PERSISTENT);
  npshm_close(b);
  npshm_close(a); /* the creator's handle still knows LAST: unlinks */
  assert_int_equal(npshm_exists("trl", NULL), 0);
}

static void test_large_header_uses_v2(void **state) {
  (void)state;
  /* 3000 fields make a header longer than NPY 1.0's 65535 bytes */
  size_t cap = 3000 * 24 + 16;
  char *descr = malloc(cap);
  size_t len = 0;
  len += (size_t)snprintf(descr + len, cap - len, "[");
  for (int i = 0; i < 3000; ++i)
    len += (size_t)snprintf(descr + len, cap - len, "%s('field%05d', '<f4')", i ? ", " : "", i);
  snprintf(descr + len, cap - len, "]");
  const int64_t shape[1] = {2};
  npshm_array *a = create_or_fail("wide", descr, 1, shape, NPSHM_ORDER_C, NULL);
  assert_int_equal(npshm_itemsize(a), 12000);
  assert_int_equal(npshm_data_offset(a) % NPSHM_DATA_ALIGN, 0);
  assert_true(npshm_data_offset(a) > 65536);
  const unsigned char *file = (const unsigned char *)npshm_data(a) - npshm_data_offset(a);
  assert_int_equal(file[6], 2); /* format version 2.0 */
  npshm_array *b = npshm_attach("wide", NULL);
  assert_non_null(b);
  assert_string_equal(npshm_dtype(b), npshm_dtype(a));
  npshm_close(b);
  npshm_close(a);
  free(descr);

  /* a header over 1 MiB could never be attached: refused at create */
  cap = 60000 * 24 + 16;
  descr = malloc(cap);
  len = (size_t)snprintf(descr, cap, "[");
  for (int i = 0; i < 60000; ++i)
    len += (size_t)snprintf(descr + len, cap - len, "%s('f%05d', '<f4')", i ? ", " : "", i);
  snprintf(descr + len, cap - len, "]");
  assert_null(npshm_create("wider", descr, 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "shm://wider", "too long");
  assert_int_equal(npshm_exists("wider", NULL), 0);
  free(descr);
}

static void test_load_and_save(void **state) {
  (void)state;
  char buf[4096], src[600], out[600];
  const int16_t data[6] = {1, -2, 3, -4, 5, -6};
  size_t n = npy_bytes(buf, "{'descr': '>i2', 'fortran_order': True, 'shape': (3, 2), }", data, sizeof data);
  snprintf(src, sizeof src, "%s", private_path("source.npy"));
  write_file(src, buf, n);

  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_OWNER);
  npshm_array *a = npshm_load(src, "loaded", o);
  if (!a) fail_msg("%s", npshm_last_message());
  assert_string_equal(npshm_dtype(a), ">i2");
  assert_int_equal(npshm_order(a), NPSHM_ORDER_F);
  assert_int_equal(npshm_shape(a)[0], 3);
  assert_int_equal(npshm_data_offset(a), NPSHM_DATA_ALIGN);
  assert_int_equal(npshm_lifetime(a), NPSHM_LIFETIME_OWNER);
  assert_memory_equal(npshm_data(a), data, sizeof data);
  npshm_array *b = npshm_attach("loaded", NULL);
  assert_non_null(b);
  assert_memory_equal(npshm_data(b), data, sizeof data);
  npshm_close(b);

  /* the name is taken: nothing changes */
  assert_null(npshm_load(src, "loaded", NULL));
  assert_last_error(NPSHM_E_EXISTS, "shm://loaded", NULL);

  /* save writes a plain .npy (no trailer) that loads back the same */
  snprintf(out, sizeof out, "%s", private_path("saved.npy"));
  write_file(out, "old contents", 12); /* replaced atomically */
  assert_int_equal(npshm_save(a, out, NULL), NPSHM_OK);
  npshm_array *c = npshm_load(out, "again", NULL);
  assert_non_null(c);
  assert_memory_equal(npshm_data(c), data, sizeof data);
  assert_string_equal(npshm_dtype(c), ">i2");
  npshm_close(c);
  assert_int_equal(npshm_remove("again", NULL), NPSHM_OK);
  char url[700];
  snprintf(url, sizeof url, "file://%s", out);
  c = npshm_attach(url, NULL);
  assert_non_null(c);
  assert_int_equal(npshm_lifetime(c), NPSHM_LIFETIME_PERSISTENT);
  npshm_close(c);

  assert_int_equal(npshm_save(a, "/nonexistent-npshm-dir/x.npy", NULL), NPSHM_E_NOT_FOUND);
  assert_last_error(NPSHM_E_NOT_FOUND, "shm://loaded", "/nonexistent-npshm-dir/x.npy");
  /* never replaces what is not a regular file */
  char fifo[600], link[600];
  snprintf(fifo, sizeof fifo, "%s", private_path("a-fifo"));
  snprintf(link, sizeof link, "%s", private_path("a-link"));
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(symlink(out, link), 0);
  assert_int_equal(npshm_save(a, fifo, NULL), NPSHM_E_INVALID);
  assert_last_error(NPSHM_E_INVALID, "not a regular file", fifo);
  assert_int_equal(npshm_save(a, link, NULL), NPSHM_E_INVALID);
  struct stat st;
  assert_int_equal(lstat(fifo, &st), 0);
  assert_true(S_ISFIFO(st.st_mode));
  assert_int_equal(lstat(link, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  unlink(fifo);
  unlink(link);
  assert_int_equal(npshm_save(NULL, out, NULL), NPSHM_E_INVALID);
  assert_int_equal(npshm_save(a, NULL, NULL), NPSHM_E_INVALID);
  npshm_close(a); /* owner: gone */
  assert_int_equal(npshm_exists("loaded", NULL), 0);
  npshm_options_free(o);
  /* source, saved file: nothing else, no temporary files */
  assert_int_equal(count_entries(private_dir()), 2);
}

static void test_load_errors(void **state) {
  (void)state;
  assert_null(npshm_load("/nonexistent/file.npy", "x", NULL));
  assert_last_error(NPSHM_E_NOT_FOUND, "/nonexistent/file.npy", "shm://x");
  write_file(private_path("junk.bin"), "not numpy", 9);
  char junk[600];
  snprintf(junk, sizeof junk, "%s", private_path("junk.bin"));
  assert_null(npshm_load(junk, "x", NULL));
  assert_last_error(NPSHM_E_FORMAT, "junk.bin", "not a .npy");
  char buf[4096];
  const char zeros[8] = {0};
  /* the header promises more data than the file has */
  size_t n = npy_bytes(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }", zeros, 8);
  write_file(private_path("short.npy"), buf, n);
  char shortp[600];
  snprintf(shortp, sizeof shortp, "%s", private_path("short.npy"));
  assert_null(npshm_load(shortp, "x", NULL));
  assert_last_error(NPSHM_E_FORMAT, "truncated", NULL);
  assert_null(npshm_load(junk, "bad/name", NULL));
  assert_last_error(NPSHM_E_INVALID, "invalid name", NULL);
  assert_null(npshm_load(NULL, "x", NULL));
  assert_last_error(NPSHM_E_INVALID, "NULL", NULL);
  assert_int_equal(count_entries(private_dir()), 2); /* only the two sources */
}

struct progress_log {
  int calls;
  uint64_t last_done, total;
  int cancel_after; /* 0: never */
};

static int record_progress(uint64_t done, uint64_t total, void *context) {
  struct progress_log *log = context;
  if (done < log->last_done || done > total) return 2; /* must not go back */
  log->calls++;
  log->last_done = done;
  log->total = total;
  return log->cancel_after && log->calls >= log->cancel_after;
}

static void test_progress_and_cancel(void **state) {
  (void)state;
  /* 200 MiB: several 64 MiB steps */
  const int64_t shape[1] = {25 << 20};
  npshm_array *a = create_or_fail("big", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  ((double *)npshm_data(a))[(25 << 20) - 1] = 9.0;
  char saved[600];
  snprintf(saved, sizeof saved, "%s", private_path("big.npy"));
  struct progress_log log = {0, 0, 0, 0};
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_progress(o, record_progress, &log), NPSHM_OK);
  assert_int_equal(npshm_save(a, saved, o), NPSHM_OK);
  assert_int_equal(log.calls, 5); /* 0, 64, 128, 192, 200 MiB */
  assert_int_equal(log.last_done, (uint64_t)25 << 23);
  assert_int_equal(log.total, (uint64_t)25 << 23);
  npshm_close(a);
  npshm_remove("big", NULL);

  memset(&log, 0, sizeof log);
  npshm_array *b = npshm_load(saved, "big2", o);
  assert_non_null(b);
  assert_int_equal(log.calls, 5);
  assert_true(((double *)npshm_data(b))[(25 << 20) - 1] == 9.0);
  npshm_close(b);
  npshm_remove("big2", NULL);

  /* a callback that says stop: canceled, nothing left behind */
  memset(&log, 0, sizeof log);
  log.cancel_after = 2;
  assert_null(npshm_load(saved, "big3", o));
  assert_last_error(NPSHM_E_CANCELED, "shm://big3", "canceled");
  memset(&log, 0, sizeof log);
  log.cancel_after = 3;
  npshm_array *c = npshm_attach(saved[0] == '/' ? "big.npy" : saved, NULL);
  assert_non_null(c);
  char other[600];
  snprintf(other, sizeof other, "%s", private_path("other.npy"));
  assert_int_equal(npshm_save(c, other, o), NPSHM_E_CANCELED);
  npshm_close(c);
  assert_int_equal(count_entries(private_dir()), 1); /* only big.npy */
  assert_int_equal(npshm_options_set_progress(NULL, NULL, NULL), NPSHM_E_INVALID);
  npshm_options_free(o);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_dtypes_normalised),
      T(test_dtype_normalize),
      T(test_bad_dtypes),
      T(test_attach_numpy_style_file),
      T(test_corrupt_files),
      T(test_truncated_segment),
      T(test_damaged_trailer_means_persistent),
      T(test_large_header_uses_v2),
      T(test_load_and_save),
      T(test_load_errors),
      T(test_progress_and_cancel),
  };
  return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
