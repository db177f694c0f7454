/* The enumerations the C ABI lists: error codes (NPSHM_E_LAST,
   npshm_error_name, npshm_error_slug, npshm_error_errno), lifetimes
   (NPSHM_LIFETIME_COUNT, npshm_lifetime_name, npshm_lifetime_from_name)
   and orders (NPSHM_ORDER_COUNT, npshm_order_name, npshm_order_from_name). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

/* Every code from -1 to NPSHM_E_LAST has a name, a slug that is the name
   without "NPSHM_E_" in lower case, and an errno; all distinct. */
static void test_error_codes_listed(void **state) {
  (void)state;
  assert_true(NPSHM_E_LAST <= NPSHM_E_CANCELED);
  for (int code = -1; code >= NPSHM_E_LAST; --code) {
    const char *name = npshm_error_name(code);
    const char *slug = npshm_error_slug(code);
    assert_non_null(slug);
    assert_string_not_equal(name, "unknown");
    assert_int_equal(strncmp(name, "NPSHM_E_", 8), 0);
    assert_int_equal(strlen(name + 8), strlen(slug));
    for (size_t i = 0; slug[i]; ++i) assert_int_equal(tolower((unsigned char)name[8 + i]), slug[i]);
    assert_true(npshm_error_errno(code) > 0);
    for (int other = -1; other > code; --other) {
      assert_string_not_equal(slug, npshm_error_slug(other));
      assert_string_not_equal(name, npshm_error_name(other));
    }
  }
}

static void test_error_codes_known_values(void **state) {
  (void)state;
  assert_string_equal(npshm_error_slug(NPSHM_E_NOT_FOUND), "not_found");
  assert_string_equal(npshm_error_slug(NPSHM_E_NO_SPACE), "no_space");
  assert_string_equal(npshm_error_slug(NPSHM_OK), "ok");
  assert_string_equal(npshm_error_name(NPSHM_OK), "NPSHM_OK");
  assert_int_equal(npshm_error_errno(NPSHM_E_NOT_FOUND), ENOENT);
  assert_int_equal(npshm_error_errno(NPSHM_E_EXISTS), EEXIST);
  assert_int_equal(npshm_error_errno(NPSHM_E_INVALID), EINVAL);
  assert_int_equal(npshm_error_errno(NPSHM_E_BUSY), EBUSY);
  assert_int_equal(npshm_error_errno(NPSHM_OK), 0);
  /* Just outside the table, and far from it. */
  const int outside[] = {NPSHM_E_LAST - 1, -1000, 1, 12345, -2147483647 - 1};
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; ++i) {
    assert_null(npshm_error_slug(outside[i]));
    assert_string_equal(npshm_error_name(outside[i]), "unknown");
    assert_int_equal(npshm_error_errno(outside[i]), 0);
  }
}

static void test_lifetimes_listed(void **state) {
  (void)state;
  assert_true(NPSHM_LIFETIME_COUNT >= 3);
  for (int l = 0; l < NPSHM_LIFETIME_COUNT; ++l) {
    const char *name = npshm_lifetime_name(l);
    assert_non_null(name);
    assert_int_equal(npshm_lifetime_from_name(name), l);
  }
  assert_string_equal(npshm_lifetime_name(NPSHM_LIFETIME_PERSISTENT), "persistent");
  assert_string_equal(npshm_lifetime_name(NPSHM_LIFETIME_OWNER), "owner");
  assert_string_equal(npshm_lifetime_name(NPSHM_LIFETIME_LAST), "last");
  assert_null(npshm_lifetime_name(NPSHM_LIFETIME_COUNT));
  assert_null(npshm_lifetime_name(-1));
  npshm_clear_error();
  assert_int_equal(npshm_lifetime_from_name("Persistent"), -1);
  assert_last_error(NPSHM_E_INVALID, "Persistent", "persistent, owner, last");
  assert_int_equal(npshm_lifetime_from_name(NULL), -1);
  assert_last_error(NPSHM_E_INVALID, "lifetime", NULL);
}

static void test_orders_listed(void **state) {
  (void)state;
  assert_true(NPSHM_ORDER_COUNT >= 2);
  for (int o = 0; o < NPSHM_ORDER_COUNT; ++o) {
    const char *name = npshm_order_name(o);
    assert_non_null(name);
    assert_int_equal(npshm_order_from_name(name), o);
  }
  assert_string_equal(npshm_order_name(NPSHM_ORDER_C), "C");
  assert_string_equal(npshm_order_name(NPSHM_ORDER_F), "F");
  assert_null(npshm_order_name(NPSHM_ORDER_COUNT));
  assert_null(npshm_order_name(-1));
  npshm_clear_error();
  assert_int_equal(npshm_order_from_name("c"), -1);
  assert_last_error(NPSHM_E_INVALID, "order", "'c'");
  assert_int_equal(npshm_order_from_name(NULL), -1);
  assert_last_error(NPSHM_E_INVALID, "order", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_codes_listed),
      cmocka_unit_test(test_error_codes_known_values),
      cmocka_unit_test(test_lifetimes_listed),
      cmocka_unit_test(test_orders_listed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
