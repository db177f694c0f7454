#include "human_units.hpp"

#include <cstdio>

namespace npshm_cli {

namespace {

std::string scaled(double value, const char *suffix) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (value >= 1024.0 && unit < 6) {
    value /= 1024.0;
    ++unit;
  }
  char text[48];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s%s" : "%.1f %s%s", value, units[unit],
                suffix);
  return text;
}

}  // namespace

std::string human_bytes(std::uint64_t bytes) { return scaled(static_cast<double>(bytes), ""); }

std::string human_rate(double bytes_per_second) {
  return scaled(bytes_per_second < 0 ? 0 : bytes_per_second, "/s");
}

std::string human_age(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

}  // namespace npshm_cli
