// Numbers for people: byte counts in IEC units, ages, rates.
#pragma once

#include <cstdint>
#include <string>

namespace npshm_cli {

// "512 B", "7.6 MiB", "1.0 GiB" (npshm::human_bytes, the core's printer).
std::string human_bytes(std::uint64_t bytes);
// "42s", "5m", "3h", "12d" (seconds since an event; negative shows "0s").
std::string human_age(std::int64_t seconds);
// "1.4 GiB/s" (bytes per second).
std::string human_rate(double bytes_per_second);

}  // namespace npshm_cli
