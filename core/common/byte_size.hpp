// Byte counts for people, in IEC units: the one printer used by the
// library's messages and by the CLI (which compiles byte_size.cpp in; it is
// not part of the C ABI).
#pragma once

#include <cstdint>
#include <string>

namespace npshm {

// "0 B", "512 B", "1.0 KiB", "7.6 MiB", ... up to "EiB": whole bytes below
// 1 KiB, else one decimal in the largest unit that keeps the number under
// 1024 (EiB is the last unit).  Negative counts print as "0 B".
std::string human_bytes(double bytes);
inline std::string human_bytes(std::uint64_t bytes) { return human_bytes(static_cast<double>(bytes)); }

}  // namespace npshm
