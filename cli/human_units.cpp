#include "human_units.hpp"

#include "common/byte_size.hpp"

namespace npshm_cli {

std::string human_bytes(std::uint64_t bytes) { return npshm::human_bytes(bytes); }

std::string human_rate(double bytes_per_second) { return npshm::human_bytes(bytes_per_second) + "/s"; }

std::string human_age(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

}  // namespace npshm_cli
