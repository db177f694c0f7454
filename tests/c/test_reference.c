/* Saved references (npshm_ref_*), name resolution (npshm_resolve) and the
   dtype query (npshm_dtype_info_*). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* FNV-1a 64, as the reference format's damage check (core/store/reference.hpp):
   anyone can compute it. */
static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* text with the first occurrence of from replaced by to and its damage check
   made right again: what someone crafting a reference would write. */
static char *crafted(const char *text, const char *from, const char *to) {
  const char *at = strstr(text, from);
  assert_non_null(at);
  const char *sum = strstr(text, " sum=");
  assert_non_null(sum);
  size_t head = (size_t)(at - text);
  size_t body = (size_t)(sum - text);
  char *out = malloc(strlen(text) + strlen(to) + 32);
  assert_non_null(out);
  memcpy(out, text, head);
  strcpy(out + head, to);
  size_t n = head + strlen(to);
  memcpy(out + n, at + strlen(from), body - head - strlen(from));
  n += body - head - strlen(from);
  sprintf(out + n, " sum=%016llx", (unsigned long long)fnv1a(out, n));
  return out;
}

static npshm_array *make_f8(const char *name, int lifetime) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, lifetime);
  const int64_t shape[2] = {3, 4};
  npshm_array *a = create_or_fail(name, "<f8", 2, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  double *d = npshm_data(a);
  for (int i = 0; i < 12; ++i) d[i] = i;
  return a;
}

static void test_round_trip(void **state) {
  (void)state;
  npshm_array *a = make_f8("r", NPSHM_LIFETIME_PERSISTENT);
  npshm_ref *ref = npshm_ref_make(a, 0, 2, npshm_shape(a), NULL, 0);
  assert_non_null(ref);
  const char *text = npshm_ref_text(ref);
  assert_true(strncmp(text, "npshm-ref/1 uri=shm://r dir=", 28) == 0);
  assert_non_null(strstr(text, " shape=3,4 strides=32,8 ro=0 dtype=%3Cf8 sum="));

  npshm_ref *back = npshm_ref_parse(text);
  assert_non_null(back);
  assert_string_equal(npshm_ref_text(back), text);
  assert_string_equal(npshm_ref_name(back), "shm://r");
  assert_string_equal(npshm_ref_directory(back), private_dir());
  assert_string_equal(npshm_ref_path(back), private_path("r"));
  assert_true(npshm_ref_id(back) == npshm_id(a));
  assert_true(npshm_ref_id(back) != 0);
  assert_string_equal(npshm_ref_dtype(back), "<f8");
  assert_int_equal(npshm_ref_offset(back), 0);
  assert_int_equal(npshm_ref_ndim(back), 2);
  assert_int_equal(npshm_ref_shape(back)[1], 4);
  assert_int_equal(npshm_ref_strides(back)[0], 32);
  assert_int_equal(npshm_ref_is_readonly(back), 0);

  npshm_array *b = npshm_ref_attach(back, NULL);
  assert_non_null(b);
  assert_int_equal(npshm_is_readonly(b), 0);
  assert_true(npshm_id(b) == npshm_id(a));
  assert_true(((double *)npshm_data(b))[7] == 7.0);
  assert_int_equal(npshm_ref_check(back, b), NPSHM_OK);
  assert_int_equal(npshm_ref_check(back, a), NPSHM_OK);
  npshm_close(b);
  npshm_ref_free(back);
  npshm_ref_free(ref);
  npshm_close(a);
}

static void test_views_inside_and_outside(void **state) {
  (void)state;
  npshm_array *a = make_f8("v", NPSHM_LIFETIME_PERSISTENT);
  /* the last column, walked backwards: offset of element (2, 3), strides
     (-32, ...) */
  const int64_t col[1] = {3};
  const int64_t back_col[1] = {-32};
  npshm_ref *ref = npshm_ref_make(a, 88, 1, col, back_col, 0);
  assert_non_null(ref);
  npshm_array *b = npshm_ref_attach(ref, NULL);
  assert_non_null(b);
  npshm_close(b);
  npshm_ref_free(ref);
  /* a transposed view, an empty view at the end, a 0-d view */
  const int64_t t_shape[2] = {4, 3}, t_strides[2] = {8, 32};
  ref = npshm_ref_make(a, 0, 2, t_shape, t_strides, 0);
  assert_non_null(ref);
  npshm_ref_free(ref);
  const int64_t empty[1] = {0};
  ref = npshm_ref_make(a, 96, 1, empty, NULL, 0);
  assert_non_null(ref);
  npshm_ref_free(ref);
  ref = npshm_ref_make(a, 88, 0, NULL, NULL, 1);
  assert_non_null(ref);
  assert_non_null(strstr(npshm_ref_text(ref), " shape= strides= ro=1 "));
  npshm_ref_free(ref);

  /* outside: one element too far, backwards before the start, an offset
     past the end, a stride that overflows */
  const int64_t four[1] = {4}, big[1] = {INT64_MAX / 2}, two[1] = {2};
  assert_null(npshm_ref_make(a, 72, 1, four, NULL, 0));
  assert_last_error(NPSHM_E_INVALID, "reference shm://v", "outside the data");
  assert_null(npshm_ref_make(a, 56, 1, col, back_col, 0));
  assert_last_error(NPSHM_E_INVALID, "outside", NULL);
  assert_null(npshm_ref_make(a, 97, 1, empty, NULL, 0));
  assert_last_error(NPSHM_E_INVALID, "offset 97", NULL);
  assert_null(npshm_ref_make(a, -8, 0, NULL, NULL, 0));
  assert_last_error(NPSHM_E_INVALID, "offset -8", NULL);
  assert_null(npshm_ref_make(a, 0, 1, two, big, 0));
  assert_last_error(NPSHM_E_INVALID, "outside", NULL);
  const int64_t huge_shape[2] = {INT64_MAX, INT64_MAX}, huge_strides[2] = {INT64_MAX, INT64_MIN + 1};
  assert_null(npshm_ref_make(a, 0, 2, huge_shape, huge_strides, 0));
  assert_last_error(NPSHM_E_INVALID, "outside", NULL);
  npshm_close(a);
}

/* npshm_check_view answers as npshm_ref_make decides, for every view of
   a small grid of geometries (1-d and 2-d, offsets, extents, strides of
   either sign, item sizes). */
static void test_check_view_agrees_with_ref_make(void **state) {
  (void)state;
  npshm_array *a = make_f8("cv", NPSHM_LIFETIME_PERSISTENT); /* 96 bytes */
  const int64_t offsets[] = {-8, 0, 8, 88, 95, 96, 97};
  const int64_t extents[] = {0, 1, 3, 4, 12, 13};
  const int64_t strides[] = {-32, -8, 0, 8, 32, INT64_MAX / 2};
  int accepted = 0, refused = 0;
  for (size_t o = 0; o < sizeof offsets / sizeof *offsets; ++o)
    for (size_t e = 0; e < sizeof extents / sizeof *extents; ++e)
      for (size_t k = 0; k < sizeof strides / sizeof *strides; ++k)
        for (int ndim = 1; ndim <= 2; ++ndim) {
          const int64_t shape[2] = {extents[e], 2}, st[2] = {strides[k], 8};
          npshm_ref *ref = npshm_ref_make(a, offsets[o], ndim, shape, st, 1);
          const int rc = npshm_check_view(a, offsets[o], ndim, shape, st, 8);
          assert_int_equal(rc, ref ? NPSHM_OK : NPSHM_E_INVALID);
          if (!ref) assert_last_error(NPSHM_E_INVALID, "view of shm://cv", NULL);
          ref ? ++accepted : ++refused;
          npshm_ref_free(ref);
        }
  assert_true(accepted > 20 && refused > 20);
  /* the item size counts: 8 bytes fit at offset 88, 16 do not */
  const int64_t one[1] = {1};
  assert_int_equal(npshm_check_view(a, 88, 1, one, one, 8), NPSHM_OK);
  assert_int_equal(npshm_check_view(a, 88, 1, one, one, 16), NPSHM_E_INVALID);
  assert_last_error(NPSHM_E_INVALID, "view of shm://cv", "outside the data");
  assert_int_equal(npshm_check_view(NULL, 0, 0, NULL, NULL, 8), NPSHM_E_INVALID);
  npshm_close(a);
}

static void test_crafted_references_refused(void **state) {
  (void)state;
  npshm_array *a = make_f8("c", NPSHM_LIFETIME_PERSISTENT);
  npshm_ref *ref = npshm_ref_make(a, 0, 2, npshm_shape(a), NULL, 1);
  const char *text = npshm_ref_text(ref);
  struct {
    const char *from, *to;
    int code;
    const char *fragment;
  } cases[] = {
      /* another dtype of the same size */
      {"dtype=%3Cf8", "dtype=%3Ci8", NPSHM_E_MISMATCH, "dtype"},
      /* an object dtype never parses */
      {"dtype=%3Cf8", "dtype=%7CO", NPSHM_E_INVALID, "unsupported dtype"},
      /* a larger view than the data */
      {"shape=3,4", "shape=4,4", NPSHM_E_INVALID, "outside the data"},
      {"strides=32,8", "strides=33,8", NPSHM_E_INVALID, "outside the data"},
      {"strides=32,8", "strides=9223372036854775807,8", NPSHM_E_INVALID, "outside"},
      {"offset=0", "offset=8", NPSHM_E_INVALID, "outside the data"},
      /* another array's id */
      {" id=", " id=0000000000000001 ignored=", NPSHM_E_INVALID, "malformed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char *t = crafted(text, cases[i].from, cases[i].to);
    npshm_ref *r = npshm_ref_parse(t);
    if (r) {
      assert_null(npshm_ref_attach(r, NULL));
      assert_int_equal(npshm_ref_check(r, a), cases[i].code);
      npshm_ref_free(r);
    }
    if (npshm_last_error() != cases[i].code || !strstr(npshm_last_message(), cases[i].fragment))
      fail_msg("case %zu (%s): %s: %s", i, t, npshm_error_name(npshm_last_error()), npshm_last_message());
    free(t);
  }
  /* read-only stays read-only, even when the caller asks for writable */
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 0);
  npshm_array *b = npshm_ref_attach(ref, o);
  assert_non_null(b);
  assert_int_equal(npshm_is_readonly(b), 1);
  char *writable = crafted(text, " ro=1 ", " ro=0 ");
  npshm_ref *w = npshm_ref_parse(writable);
  assert_non_null(w);
  assert_int_equal(npshm_ref_check(w, b), NPSHM_E_READONLY);
  npshm_ref_free(w);
  free(writable);
  npshm_close(b);
  npshm_options_free(o);
  npshm_ref_free(ref);
  npshm_close(a);
}

static void test_malformed_text(void **state) {
  (void)state;
  npshm_array *a = make_f8("m", NPSHM_LIFETIME_PERSISTENT);
  npshm_ref *ref = npshm_ref_make(a, 8, 1, npshm_shape(a), NULL, 0);
  const char *good = npshm_ref_text(ref);
  char damaged[1024];
  snprintf(damaged, sizeof damaged, "%s", good);
  damaged[strlen("npshm-ref/1 uri=shm://")] = 'x'; /* "m" -> "x" */
  const char *bad[] = {
      "", "garbage", "npshm-ref/2 uri=shm://m sum=0000000000000000", "npshm-ref/1", damaged,
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    assert_null(npshm_ref_parse(bad[i]));
    assert_last_error(NPSHM_E_INVALID, "parse reference: malformed reference", NULL);
  }
  assert_null(npshm_ref_parse(NULL));
  assert_last_error(NPSHM_E_INVALID, "NULL", NULL);
  /* well-formed checksums around malformed fields */
  struct {
    const char *from, *to, *fragment;
  } fields[] = {
      {"offset=8", "offset=08", "canonical"},
      {"offset=8", "offset=-8", "negative"},
      {"offset=8", "offset=99999999999999999999", "too large"},
      {"shape=3", "shape=3,", "canonical"},
      {"shape=3", "shape=-3", "negative"},
      {"strides=8", "strides=-0", "canonical"},
      {"strides=8", "strides=8,8", "differ in length"},
      {" ro=0", " ro=2", "ro must be"},
      {"uri=shm://m", "uri=shm://%6D", "needless"},
      {"uri=shm://m", "uri=m", "not canonical"},
      {"uri=shm://m", "uri=shm://a/b", "invalid name"},
      {"uri=shm://m", "uri=shm://.h", "invalid name"},
      {"uri=shm://m", "uri=shm://a%00b", "NUL"},
      {"uri=shm://m", "uri=shm://%1", "escape"},
      {" dir=", " dir=relative", "absolute"},
      {"dtype=%3Cf8", "dtype=f8", "not normalised"},
      {"dtype=%3Cf8", "dtype=%3Cf8 extra=1", "before the damage check"},
      {" id=", " id=12 x=", "16 hex"},
      {"npshm-ref/1 ", "npshm-ref/1  ", "expected field"},
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i) {
    char *t = crafted(good, fields[i].from, fields[i].to);
    npshm_ref *r = npshm_ref_parse(t);
    if (r || npshm_last_error() != NPSHM_E_INVALID || !strstr(npshm_last_message(), fields[i].fragment))
      fail_msg("field case %zu (%s): %s", i, t, r ? "accepted" : npshm_last_message());
    free(t);
  }
  npshm_ref_free(ref);
  npshm_close(a);
}

static void test_removed_and_created_again(void **state) {
  (void)state;
  npshm_array *a = make_f8("again", NPSHM_LIFETIME_PERSISTENT);
  npshm_ref *ref = npshm_ref_make(a, 0, 2, npshm_shape(a), NULL, 0);
  assert_int_equal(npshm_unlink(a), NPSHM_OK);
  npshm_close(a);
  assert_null(npshm_ref_attach(ref, NULL));
  assert_last_error(NPSHM_E_NOT_FOUND, "shm://again", NULL);
  npshm_array *b = make_f8("again", NPSHM_LIFETIME_PERSISTENT);
  assert_null(npshm_ref_attach(ref, NULL));
  assert_last_error(NPSHM_E_NOT_FOUND, "attach shm://again", "removed and created again");
  assert_int_equal(npshm_ref_check(ref, b), NPSHM_E_NOT_FOUND);
  npshm_close(b);
  npshm_ref_free(ref);
}

static void test_directory_travels_with_the_reference(void **state) {
  (void)state;
  npshm_array *a = make_f8("d", NPSHM_LIFETIME_PERSISTENT);
  npshm_ref *ref = npshm_ref_make(a, 0, 2, npshm_shape(a), NULL, 0);
  char *text = strdup(npshm_ref_text(ref));
  npshm_ref_free(ref);
  char saved[256];
  snprintf(saved, sizeof saved, "%s", private_dir());
  setenv("NPSHM_DIR", "/nonexistent-npshm-dir", 1);
  ref = npshm_ref_parse(text);
  assert_non_null(ref);
  npshm_array *b = npshm_ref_attach(ref, NULL);
  setenv("NPSHM_DIR", saved, 1);
  assert_non_null(b);
  npshm_close(b);
  /* opts' directory, when set, wins */
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, "/nonexistent-npshm-dir");
  assert_null(npshm_ref_attach(ref, o));
  assert_last_error(NPSHM_E_NOT_FOUND, NULL, NULL);
  npshm_options_free(o);
  npshm_ref_free(ref);
  free(text);
  npshm_close(a);
}

static void test_file_reference(void **state) {
  (void)state;
  npshm_array *a = make_f8("f", NPSHM_LIFETIME_PERSISTENT);
  char uri[600];
  snprintf(uri, sizeof uri, "file://%s", private_path("plain.npy"));
  assert_int_equal(npshm_save(a, private_path("plain.npy"), NULL), NPSHM_OK);
  npshm_close(a);
  npshm_array *p = npshm_attach(uri, NULL);
  assert_non_null(p);
  npshm_ref *ref = npshm_ref_make(p, 0, 2, npshm_shape(p), NULL, 0);
  assert_non_null(ref);
  assert_non_null(strstr(npshm_ref_text(ref), " dir= id=0000000000000000 "));
  npshm_ref *back = npshm_ref_parse(npshm_ref_text(ref));
  assert_non_null(back);
  assert_string_equal(npshm_ref_directory(back), "");
  assert_string_equal(npshm_ref_name(back), uri);
  npshm_array *b = npshm_ref_attach(back, NULL);
  assert_non_null(b);
  npshm_close(b);
  npshm_ref_free(back);
  npshm_ref_free(ref);
  npshm_close(p);
}

/* Fills every element of a writable handle of "<f8" with v. */
static void fill_f8(npshm_array *a, double v) {
  double *d = npshm_data(a);
  for (size_t i = 0; i < npshm_nbytes(a) / sizeof(double); ++i) d[i] = v;
}

static double first_f8(const char *name) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_array *a = npshm_attach(name, o);
  npshm_options_free(o);
  assert_non_null(a);
  double v = ((const double *)npshm_data(a))[0];
  npshm_close(a);
  return v;
}

/* Issue 20, class 2: a reference someone else wrote, naming your own
   file:// array (or a plain .npy, id 0, under a shm:// name) with ro=0 and
   a valid damage check, attaches read-only: the text's ro=0 is never
   honoured for them, and references made of them say ro=1.  Old texts
   (ro=0) still parse and attach, read-only. */
static void test_file_and_plain_references_attach_read_only(void **state) {
  (void)state;
  npshm_array *a = make_f8("src", NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(npshm_save(a, private_path("model.npy"), NULL), NPSHM_OK);
  npshm_close(a);
  char uri[600];
  snprintf(uri, sizeof uri, "file://%s", private_path("model.npy"));
  const char *names[] = {uri, "shm://model.npy"}; /* the second: id 0 in the shm dir */
  for (size_t i = 0; i < 2; ++i) {
    npshm_array *p = npshm_attach(names[i], NULL); /* the owner's writable handle */
    assert_non_null(p);
    assert_int_equal(npshm_is_readonly(p), 0);
    assert_true(npshm_id(p) == 0);
    /* made from a writable handle: still ro=1 */
    npshm_ref *made = npshm_ref_make(p, 0, 2, npshm_shape(p), NULL, 0);
    assert_non_null(made);
    assert_non_null(strstr(npshm_ref_text(made), " ro=1 "));
    assert_int_equal(npshm_ref_is_readonly(made), 1);
    /* forged: ro=0 with a valid damage check, as an attacker (or an older
       version) writes it */
    char *forged = crafted(npshm_ref_text(made), " ro=1 ", " ro=0 ");
    npshm_ref *ref = npshm_ref_parse(forged);
    assert_non_null(ref);
    assert_int_equal(npshm_ref_is_readonly(ref), 1);
    npshm_array *b = npshm_ref_attach(ref, NULL);
    assert_non_null(b);
    assert_int_equal(npshm_is_readonly(b), 1);
    npshm_close(b);
    /* opts with readonly 0 (the default, or said explicitly) is no request */
    npshm_options *o = npshm_options_new();
    npshm_options_set_readonly(o, 0);
    b = npshm_ref_attach(ref, o);
    assert_non_null(b);
    assert_int_equal(npshm_is_readonly(b), 1);
    npshm_close(b);
    npshm_options_free(o);
    /* a writable handle of it is fine, but the reference stays read-only */
    assert_int_equal(npshm_ref_check(ref, p), NPSHM_OK);
    npshm_ref_free(ref);
    npshm_ref_free(made);
    free(forged);
    npshm_close(p);
  }
  assert_true(first_f8(uri) == 0.0); /* nothing wrote */
}

/* The explicit request: npshm_options_set_ref_writable makes the handle
   writable for any reference (file://, id 0, read-only), and the writes
   reach the file; with read-only too it is INVALID.  A shm:// reference
   by id with ro=0 attaches writable without it (test_round_trip). */
static void test_ref_writable_is_the_callers_request(void **state) {
  (void)state;
  npshm_array *a = make_f8("w", NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(npshm_save(a, private_path("mine.npy"), NULL), NPSHM_OK);
  npshm_ref *by_id = npshm_ref_make(a, 0, 2, npshm_shape(a), NULL, 1); /* ro=1 */
  char uri[600];
  snprintf(uri, sizeof uri, "file://%s", private_path("mine.npy"));
  npshm_array *p = npshm_attach(uri, NULL);
  assert_non_null(p);
  npshm_ref *file = npshm_ref_make(p, 0, 2, npshm_shape(p), NULL, 0);
  npshm_close(p);
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_ref_writable(o, 1), NPSHM_OK);
  npshm_ref *refs[] = {by_id, file};
  const char *names[] = {"shm://w", uri};
  for (size_t i = 0; i < 2; ++i) {
    npshm_array *b = npshm_ref_attach(refs[i], o);
    assert_non_null(b);
    assert_int_equal(npshm_is_readonly(b), 0);
    fill_f8(b, 42.0 + (double)i);
    npshm_close(b);
    assert_true(first_f8(names[i]) == 42.0 + (double)i);
  }
  npshm_options_set_readonly(o, 1);
  assert_null(npshm_ref_attach(file, o));
  assert_last_error(NPSHM_E_INVALID, "attach", "both read-only and writable");
  assert_int_equal(npshm_options_set_ref_writable(NULL, 1), NPSHM_E_INVALID);
  npshm_options_free(o);
  npshm_ref_free(file);
  npshm_ref_free(by_id);
  npshm_close(a);
}

static int create_last_and_die(void *arg) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  const int64_t shape[1] = {4};
  npshm_array *a = npshm_create((const char *)arg, "<f8", 1, shape, NPSHM_ORDER_C, o);
  return a ? 0 : 1; /* exits holding it: nobody holds it afterwards */
}

/* attach checks the expected dtype and shape before it locks the file: a
   refused LAST array nobody holds is left alone, not removed as if the
   refusing attacher had been its last holder. */
static void test_refused_attach_holds_nothing(void **state) {
  (void)state;
  assert_int_equal(run_in_child(create_last_and_die, "orphan"), 0);
  npshm_options *o = npshm_options_new();
  npshm_options_set_expected_dtype(o, "<i4");
  assert_null(npshm_attach("orphan", o));
  assert_last_error(NPSHM_E_MISMATCH, "attach shm://orphan", "expected <i4");
  assert_int_equal(access(private_path("orphan"), F_OK), 0);
  npshm_options_free(o);
  assert_int_equal(npshm_remove("orphan", NULL), NPSHM_OK);
}

static void test_resolve(void **state) {
  (void)state;
  npshm_location *l = npshm_resolve("x", NULL);
  assert_non_null(l);
  assert_string_equal(npshm_location_name(l), "shm://x");
  assert_string_equal(npshm_location_path(l), private_path("x"));
  assert_string_equal(npshm_location_directory(l), private_dir());
  assert_string_equal(npshm_location_basename(l), "x");
  assert_int_equal(npshm_location_is_shm(l), 1);
  npshm_location_free(l);
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, "/somewhere/else/");
  l = npshm_resolve("shm://y", o);
  assert_string_equal(npshm_location_path(l), "/somewhere/else/y");
  npshm_location_free(l);
  npshm_options_free(o);
  l = npshm_resolve("file:///tmp/a b.npy", NULL);
  assert_string_equal(npshm_location_name(l), "file:///tmp/a b.npy");
  assert_string_equal(npshm_location_path(l), "/tmp/a b.npy");
  assert_string_equal(npshm_location_directory(l), "/tmp");
  assert_int_equal(npshm_location_is_shm(l), 0);
  npshm_location_free(l);
  const char *bad[] = {"", "a/b", ".hidden", "ftp://x", "file://relative", "a\tb"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    assert_null(npshm_resolve(bad[i], NULL));
    assert_last_error(NPSHM_E_INVALID, "resolve", "invalid name");
  }
  assert_null(npshm_resolve(NULL, NULL));
  assert_last_error(NPSHM_E_INVALID, "NULL", NULL);
}

static void test_dtype_info(void **state) {
  (void)state;
  struct {
    const char *descr, *normalised;
    int kind, byteorder;
    size_t itemsize;
    const char *unit;
  } cases[] = {
      {"f8", "<f8", 'f', '<', 8, ""},         {">i2", ">i2", 'i', '>', 2, ""},
      {"<u1", "|u1", 'u', '|', 1, ""},        {"b1", "|b1", 'b', '|', 1, ""},
      {"c16", "<c16", 'c', '<', 16, ""},      {"S3", "|S3", 'S', '|', 3, ""},
      {">U2", ">U2", 'U', '>', 8, ""},        {"V5", "|V5", 'V', '|', 5, ""},
      {"M8[ns]", "<M8[ns]", 'M', '<', 8, "ns"}, {">m8[10s]", ">m8[10s]", 'm', '>', 8, "10s"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    npshm_dtype_info *d = npshm_dtype_info_new(cases[i].descr);
    assert_non_null(d);
    assert_string_equal(npshm_dtype_info_descr(d), cases[i].normalised);
    assert_int_equal(npshm_dtype_info_kind(d), cases[i].kind);
    assert_int_equal(npshm_dtype_info_byteorder(d), cases[i].byteorder);
    assert_int_equal(npshm_dtype_info_itemsize(d), cases[i].itemsize);
    assert_string_equal(npshm_dtype_info_unit(d), cases[i].unit);
    assert_int_equal(npshm_dtype_info_is_structured(d), 0);
    assert_int_equal(npshm_dtype_info_nfields(d), 0);
    assert_null(npshm_dtype_info_field_name(d, 0));
    npshm_dtype_info_free(d);
  }
  npshm_dtype_info *d =
      npshm_dtype_info_new("[('a', '<i4'), ('b', [('x', 'f4'), ('y', '>f8')]), (('T', 'c'), 'u1', (2, 3))]");
  assert_non_null(d);
  assert_int_equal(npshm_dtype_info_kind(d), 'V');
  assert_int_equal(npshm_dtype_info_is_structured(d), 1);
  assert_int_equal(npshm_dtype_info_itemsize(d), 4 + 12 + 6);
  assert_int_equal(npshm_dtype_info_nfields(d), 3);
  assert_string_equal(npshm_dtype_info_field_name(d, 0), "a");
  assert_null(npshm_dtype_info_field_title(d, 0));
  assert_int_equal(npshm_dtype_info_field_offset(d, 1), 4);
  const npshm_dtype_info *b = npshm_dtype_info_field_type(d, 1);
  assert_int_equal(npshm_dtype_info_nfields(b), 2);
  assert_int_equal(npshm_dtype_info_field_offset(b, 1), 4);
  assert_string_equal(npshm_dtype_info_descr(npshm_dtype_info_field_type(b, 1)), ">f8");
  assert_string_equal(npshm_dtype_info_field_name(d, 2), "c");
  assert_string_equal(npshm_dtype_info_field_title(d, 2), "T");
  assert_int_equal(npshm_dtype_info_field_offset(d, 2), 16);
  assert_int_equal(npshm_dtype_info_field_ndim(d, 2), 2);
  assert_int_equal(npshm_dtype_info_field_shape(d, 2)[1], 3);
  assert_int_equal(npshm_dtype_info_field_ndim(d, 0), 0);
  assert_int_equal(npshm_dtype_info_field_ndim(d, 3), -1);
  assert_null(npshm_dtype_info_field_type(d, 3));
  npshm_dtype_info_free(d);
  assert_null(npshm_dtype_info_new("O"));
  assert_last_error(NPSHM_E_INVALID, "unsupported", NULL);
  assert_null(npshm_dtype_info_new(NULL));
  assert_last_error(NPSHM_E_INVALID, "NULL", NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_round_trip),
      T(test_views_inside_and_outside),
      T(test_check_view_agrees_with_ref_make),
      T(test_crafted_references_refused),
      T(test_malformed_text),
      T(test_removed_and_created_again),
      T(test_directory_travels_with_the_reference),
      T(test_file_reference),
      T(test_file_and_plain_references_attach_read_only),
      T(test_ref_writable_is_the_callers_request),
      T(test_refused_attach_holds_nothing),
      T(test_resolve),
      T(test_dtype_info),
  };
  return cmocka_run_group_tests_name("reference", tests, NULL, NULL);
}
