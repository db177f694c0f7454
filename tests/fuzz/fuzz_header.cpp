// libFuzzer target: the NPY header parser and the dtype parser, the two
// places where libnpshm reads untrusted bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dtype.hpp"
#include "npy_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npshm::ParsedHeader header;
  std::string error;
  // Claim a few file sizes around the real one: the parser must check every
  // field against whatever size it is told.
  for (std::uint64_t file_size : {std::uint64_t{size}, std::uint64_t{size} + 4096, std::uint64_t{1} << 40}) {
    if (npshm::parse_header(data, size, file_size, header, error)) {
      // A header that parses describes data inside the file.
      if (header.data_offset + header.layout.nbytes > file_size) __builtin_trap();
      if (header.layout.shape.size() != header.layout.strides.size()) __builtin_trap();
      // Its normalised dtype parses again to itself.
      npshm::Dtype again;
      if (!npshm::parse_dtype(header.layout.dtype.descr, again, error)) __builtin_trap();
      if (again.descr != header.layout.dtype.descr || again.itemsize != header.layout.dtype.itemsize)
        __builtin_trap();
    }
  }
  npshm::Dtype dtype;
  npshm::parse_dtype(std::string_view(reinterpret_cast<const char *>(data), size), dtype, error);
  return 0;
}
