// Byte counts printed for people, in IEC units.
#include "common/byte_size.hpp"

#include <cstdio>

namespace npshm {

std::string human_bytes(double bytes) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  constexpr int kLast = sizeof units / sizeof units[0] - 1;
  double value = bytes > 0 ? bytes : 0;
  int unit = 0;
  while (value >= 1024.0 && unit < kLast) {
    value /= 1024.0;
    ++unit;
  }
  char text[48];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

}  // namespace npshm
