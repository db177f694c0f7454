// The byte-size printer that the library's messages and the CLI share
// (core/common/byte_size.hpp, internal: not in the C ABI): IEC units up to EiB.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <cmocka.h>
}

#include <string>

#include "common/byte_size.hpp"

static void expect(double bytes, const char *text) {
  const std::string got = npshm::human_bytes(bytes);
  if (got != text) fail_msg("human_bytes(%.0f) is '%s', expected '%s'", bytes, got.c_str(), text);
}

static void test_units_up_to_eib(void **state) {
  (void)state;
  expect(0, "0 B");
  expect(1, "1 B");
  expect(1023, "1023 B");
  expect(1024, "1.0 KiB");
  expect(1536, "1.5 KiB");
  expect(7.6 * 1024 * 1024, "7.6 MiB");
  expect(1024.0 * 1024 * 1024, "1.0 GiB");
  expect(1024.0 * 1024 * 1024 * 1024, "1.0 TiB");
  expect(1024.0 * 1024 * 1024 * 1024 * 1024, "1.0 PiB");
  expect(1024.0 * 1024 * 1024 * 1024 * 1024 * 1024, "1.0 EiB");
  // EiB is the last unit: larger counts stay in it.
  expect(2048.0 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024, "2048.0 EiB");
  expect(-5, "0 B");
}

static void test_integers_and_doubles_agree(void **state) {
  (void)state;
  const std::uint64_t counts[] = {0, 999, 4096, std::uint64_t{3} << 40, UINT64_MAX};
  for (std::uint64_t n : counts)
    assert_string_equal(npshm::human_bytes(n).c_str(), npshm::human_bytes(static_cast<double>(n)).c_str());
  assert_string_equal(npshm::human_bytes(UINT64_MAX).c_str(), "16.0 EiB");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_units_up_to_eib),
      cmocka_unit_test(test_integers_and_doubles_agree),
  };
  return cmocka_run_group_tests_name("byte_size", tests, NULL, NULL);
}
