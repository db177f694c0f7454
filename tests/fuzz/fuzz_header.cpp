// libFuzzer target: the NPY header parser and the dtype parser, the two
// places where libnpshm reads untrusted bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/dtype.hpp"
#include "common/error.hpp"
#include "format/file_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Claim a few file sizes around the real one: the parser must check every
  // field against whatever size it is told.
  for (std::uint64_t file_size : {std::uint64_t{size}, std::uint64_t{size} + 4096, std::uint64_t{1} << 40}) {
    npshm::ParsedHeader header;
    try {
      header = npshm::parse_header(data, size, file_size);
    } catch (const npshm::Error &e) {
      if (e.code() != npshm::Errc::format) __builtin_trap();  // a refused header: a normal outcome
      continue;
    }
    // A header that parses describes data inside the file.
    if (header.data_offset + header.layout.nbytes > file_size) __builtin_trap();
    if (header.layout.shape.size() != header.layout.strides.size()) __builtin_trap();
    // Its normalised dtype parses again to itself (a throw escapes: a bug).
    const npshm::Dtype again = npshm::parse_dtype(header.layout.dtype.descr);
    if (again.descr != header.layout.dtype.descr || again.itemsize != header.layout.dtype.itemsize)
      __builtin_trap();
  }
  try {
    npshm::parse_dtype(std::string_view(reinterpret_cast<const char *>(data), size));
  } catch (const npshm::Error &e) {
    if (e.code() != npshm::Errc::invalid) __builtin_trap();
  }
  return 0;
}
