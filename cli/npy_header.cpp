#include "npy_header.hpp"

#include "shape_text.hpp"

namespace npshm_cli {

namespace {

constexpr std::size_t kAlign = 64;

std::string little_endian(std::uint64_t value, std::size_t bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

}  // namespace

std::string npy_header(const std::string &descr, bool fortran_order, int ndim,
                       const std::int64_t *shape) {
  const std::string descr_literal = !descr.empty() && descr[0] == '[' ? descr : "'" + descr + "'";
  std::string dict = "{'descr': " + descr_literal +
                     ", 'fortran_order': " + (fortran_order ? "True" : "False") +
                     ", 'shape': " + shape_tuple(ndim, shape) + ", }";
  bool ascii = true;
  for (char c : dict)
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;

  const std::string magic = "\x93NUMPY";
  std::size_t length_bytes = 2;
  char major = 1;
  if (!ascii) {
    major = 3;
    length_bytes = 4;
  }
  auto padded_length = [&](std::size_t prefix) {
    const std::size_t unpadded = prefix + dict.size() + 1;  // + '\n'
    return (unpadded + kAlign - 1) / kAlign * kAlign - prefix;
  };
  std::size_t dict_length = padded_length(magic.size() + 2 + length_bytes);
  if (major == 1 && dict_length > 0xFFFF) {
    major = 2;
    length_bytes = 4;
    dict_length = padded_length(magic.size() + 2 + length_bytes);
  }
  dict.append(dict_length - dict.size() - 1, ' ');
  dict += '\n';
  return magic + major + '\0' + little_endian(dict_length, length_bytes) + dict;
}

}  // namespace npshm_cli
