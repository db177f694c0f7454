// libFuzzer target: the npshm trailer reader (the last 64 bytes of a file
// anyone may have written).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "format/file_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < npshm::kTrailerSize + 16) return 0;
  std::uint64_t data_offset = 0;
  std::uint64_t nbytes = 0;
  std::memcpy(&data_offset, data, 8);
  std::memcpy(&nbytes, data + 8, 8);
  npshm::Trailer trailer;
  if (npshm::parse_trailer(data + 16, data_offset, nbytes, trailer)) {
    // A trailer that parses is one format_trailer writes.
    unsigned char again[npshm::kTrailerSize];
    npshm::format_trailer(trailer, data_offset, nbytes, again);
    if (std::memcmp(again, data + 16, npshm::kTrailerSize) != 0) __builtin_trap();
  }
  return 0;
}
