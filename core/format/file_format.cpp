// The on-file format: NPY header, data, npshm trailer and sync block.
#include "format/file_format.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "platform/whole_io.hpp"
#include "common/error.hpp"
#include "common/escape.hpp"
#include "format/literal.hpp"

namespace npshm {

namespace {

const unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
const char kTrailerMagic[8] = {'N', 'P', 'S', 'H', 'M', 'T', 'R', 'L'};
constexpr std::uint32_t kTrailerVersion = 1;

// A bad header: the cause alone (callers add the file, see error.hpp).
[[noreturn]] void fail(const std::string &why) { throw Error(Errc::format, why); }

void put_le(unsigned char *p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint64_t get_le(const unsigned char *p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Where the padding (spaces, a final newline) after the header dict starts.
// Headers are a page long and mostly padding: skip it 8 bytes at a time.
std::size_t padding_start(std::string_view text) {
  constexpr std::uint64_t kSpaces = 0x2020202020202020ULL;
  std::size_t end = text.size();
  for (;;) {
    std::uint64_t word;
    if (end >= 8 && (std::memcpy(&word, text.data() + end - 8, 8), word == kSpaces)) {
      end -= 8;
    } else if (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' ||
                           text[end - 1] == '\t')) {
      --end;
    } else {
      return end;
    }
  }
}

const Literal *dict_get(const Literal &dict, const char *key) {
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2)
    if (dict.items[i].kind == Literal::Kind::String && dict.items[i].text == key)
      return &dict.items[i + 1];
  return nullptr;
}

// Every byte is one latin-1 character.
std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Re-encode UTF-8 text as latin-1 in place if every character is below
// U+0100; returns false (text unchanged) otherwise.
bool utf8_to_latin1(std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += text[i];
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
      ++i;
    } else {
      return false;
    }
  }
  text = std::move(out);
  return true;
}

}  // namespace

std::string format_header(const Layout &layout, std::size_t align) {
  const bool simple = layout.dtype.descr[0] != '[';
  std::string dict = "{'descr': ";
  dict += simple ? quote_string(layout.dtype.descr) : layout.dtype.descr;
  dict += ", 'fortran_order': ";
  dict += layout.fortran_order ? "True" : "False";
  dict += ", 'shape': " + shape_text(layout.shape) + ", }";
  // Versions 1.0 and 2.0 are latin-1; a header with other characters (a
  // field name such as '\u65e5') needs 3.0, which is UTF-8.
  const bool latin1 = utf8_to_latin1(dict);
  // Version 1.0 has a 2-byte length field; larger headers need 2.0.
  std::size_t prefix = latin1 ? 10 : 12;
  std::size_t total = align;
  while (total < prefix + dict.size() + 1) total += align;
  if (total - prefix > 0xFFFF && prefix == 10) {
    prefix = 12;
    while (total < prefix + dict.size() + 1) total += align;
  }
  std::string out(total, ' ');
  std::memcpy(&out[0], kMagic, 6);
  out[6] = static_cast<char>(!latin1 ? 3 : prefix == 10 ? 1 : 2);
  out[7] = 0;
  unsigned char len[4];
  put_le(len, total - prefix, prefix == 10 ? 2 : 4);
  std::memcpy(&out[8], len, prefix - 8);
  std::memcpy(&out[prefix], dict.data(), dict.size());
  out[total - 1] = '\n';
  return out;
}

ParsedHeader parse_header(const unsigned char *bytes, std::size_t len, std::uint64_t file_size) {
  ParsedHeader out;
  if (len < 10 || std::memcmp(bytes, kMagic, 6) != 0) {
    fail("not a .npy file (no \\x93NUMPY magic)");
  }
  const unsigned major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  const std::size_t prefix = major == 1 ? 10 : 12;
  if (len < prefix) {
    fail("truncated .npy header");
  }
  const std::uint64_t header_len = get_le(bytes + 8, major == 1 ? 2 : 4);
  if (header_len > kMaxHeaderBytes) {
    fail("header length " + std::to_string(header_len) + " is too large");
  }
  if (prefix + header_len > len || prefix + header_len > file_size) {
    fail("truncated .npy header (header says " + std::to_string(header_len) +
            " bytes, file has " + std::to_string(file_size) + ")");
  }
  std::string_view text(reinterpret_cast<const char *>(bytes + prefix), header_len);
  if (text.find('\0') != std::string_view::npos) {
    fail("NUL byte in .npy header");
  }
  text = text.substr(0, padding_start(text));
  // Versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8; inside, text is UTF-8.
  std::string decoded;
  if (major < 3) {
    decoded = latin1_to_utf8(text);
    text = decoded;
  } else if (!valid_utf8(text)) {
    fail("a version 3.0 .npy header that is not valid UTF-8");
  }
  Literal dict;
  try {
    dict = parse_literal(text);
  } catch (const Error &e) {
    fail(std::string("cannot parse .npy header: ") + e.what());
  }
  if (dict.kind != Literal::Kind::Dict || dict.items.size() != 6) {
    fail(".npy header must be a dict with exactly 'descr', 'fortran_order' and 'shape'");
  }
  const Literal *descr = dict_get(dict, "descr");
  const Literal *fortran = dict_get(dict, "fortran_order");
  const Literal *shape = dict_get(dict, "shape");
  if (!descr || !fortran || !shape) {
    fail(".npy header must be a dict with exactly 'descr', 'fortran_order' and 'shape'");
  }
  if (fortran->kind != Literal::Kind::Boolean) {
    fail(".npy header: 'fortran_order' is not True or False");
  }
  if (shape->kind != Literal::Kind::Tuple) {
    fail(".npy header: 'shape' is not a tuple");
  }
  if (shape->items.size() > kMaxNdim) {
    fail(".npy header: too many dimensions (" + std::to_string(shape->items.size()) + ")");
  }
  std::vector<std::int64_t> extents;
  for (const Literal &d : shape->items) {
    if (d.kind != Literal::Kind::Integer || d.integer > static_cast<std::uint64_t>(INT64_MAX)) {
      fail(".npy header: 'shape' holds something other than a non-negative integer");
    }
    extents.push_back(static_cast<std::int64_t>(d.integer));
  }
  try {
    out.layout = make_layout(dtype_from_literal(*descr), static_cast<int>(extents.size()), extents.data(),
                             fortran->boolean);
  } catch (const Error &e) {
    fail(std::string(".npy header: ") + e.what());
  }
  out.data_offset = prefix + header_len;
  if (out.layout.nbytes > file_size - out.data_offset) {
    fail("truncated: the header needs " + std::to_string(out.data_offset + out.layout.nbytes) +
            " bytes, the file has " + std::to_string(file_size));
  }
  return out;
}

std::uint64_t sync_distance(std::uint64_t data_offset, std::uint64_t nbytes) {
  const std::uint64_t end = data_offset + nbytes;
  return (end + kTrailerSize + 7) / 8 * 8 - end;
}

std::uint64_t created_file_size(std::uint64_t data_offset, std::uint64_t nbytes) {
  return data_offset + nbytes + sync_distance(data_offset, nbytes) + kSyncSize;
}

std::uint64_t sync_offset(const FileHeader &fh, std::uint64_t file_size) {
  if (!fh.has_trailer || !fh.trailer.has_sync) return 0;
  const std::uint64_t end = fh.header.data_offset + fh.header.layout.nbytes;
  const std::uint64_t at = end + sync_distance(fh.header.data_offset, fh.header.layout.nbytes);
  if (at > file_size || file_size - at < kSyncSize) return 0;
  return at;
}

void format_trailer(const Trailer &trailer, std::uint64_t data_offset, std::uint64_t nbytes,
                    unsigned char out[kTrailerSize]) {
  std::memset(out, 0, kTrailerSize);
  std::memcpy(out, kTrailerMagic, 8);
  put_le(out + 8, kTrailerVersion, 4);
  put_le(out + 12, static_cast<std::uint32_t>(trailer.lifetime), 4);
  put_le(out + 16, data_offset, 8);
  put_le(out + 24, nbytes, 8);
  put_le(out + 32, trailer.id, 8);
  put_le(out + 40, trailer.dev, 8);
  put_le(out + 48, trailer.ino, 8);
  if (trailer.has_sync) {
    put_le(out + 56, sync_distance(data_offset, nbytes), 4);
    put_le(out + 60, kSyncSize, 4);
  }
}

bool parse_trailer(const unsigned char bytes[kTrailerSize], std::uint64_t data_offset,
                   std::uint64_t nbytes, Trailer &out) {
  if (std::memcmp(bytes, kTrailerMagic, 8) != 0) return false;
  if (get_le(bytes + 8, 4) != kTrailerVersion) return false;
  if (get_le(bytes + 16, 8) != data_offset || get_le(bytes + 24, 8) != nbytes) return false;
  const std::optional<Lifetime> lifetime = lifetime_from_value(static_cast<long long>(get_le(bytes + 12, 4)));
  if (!lifetime) return false;
  out.lifetime = *lifetime;
  out.id = get_le(bytes + 32, 8);
  out.dev = get_le(bytes + 40, 8);
  out.ino = get_le(bytes + 48, 8);
  const std::uint64_t distance = get_le(bytes + 56, 4);
  const std::uint64_t sync_size = get_le(bytes + 60, 4);
  if (distance == 0 && sync_size == 0) {
    out.has_sync = false;
  } else if (distance == sync_distance(data_offset, nbytes) && sync_size == kSyncSize) {
    out.has_sync = true;
  } else {
    return false;
  }
  return true;
}

Lifetime effective_lifetime(const FileHeader &fh, std::uint64_t dev, std::uint64_t ino, bool in_shm_directory) {
  if (!fh.has_trailer || !in_shm_directory) return Lifetime::persistent;
  if (fh.trailer.ino == 0 || fh.trailer.dev != dev || fh.trailer.ino != ino) return Lifetime::persistent;
  return fh.trailer.lifetime;
}

ParsedHeader read_header(int fd, std::uint64_t file_size) {
  // Read one page first: npshm headers fit in it; a longer header says its
  // length in the first 12 bytes, and then the rest is read.
  std::vector<unsigned char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 4096)));
  if (int err = pread_all(fd, buf.data(), buf.size(), 0)) throw_system("cannot read the header", err);
  const bool v1 = buf.size() >= 10 && buf[6] == 1;
  const bool v2 = buf.size() >= 12 && (buf[6] == 2 || buf[6] == 3);
  if (v1 || v2) {
    const std::uint64_t prefix = v1 ? 10 : 12;
    const std::uint64_t header_len = get_le(buf.data() + 8, v1 ? 2 : 4);
    const std::uint64_t wanted =
        std::min<std::uint64_t>(file_size, prefix + std::min<std::uint64_t>(header_len, kMaxHeaderBytes + 1));
    if (wanted > buf.size()) {
      const std::size_t have = buf.size();
      buf.resize(static_cast<std::size_t>(wanted));
      if (int err = pread_all(fd, buf.data() + have, buf.size() - have, have))
        throw_system("cannot read the header", err);
    }
  }
  return parse_header(buf.data(), buf.size(), file_size);
}

FileHeader read_file_header(int fd, std::uint64_t file_size) {
  FileHeader out;
  out.header = read_header(fd, file_size);
  const std::uint64_t end = out.header.data_offset + out.header.layout.nbytes;
  out.has_trailer = false;
  out.trailer = Trailer{};
  if (file_size - end >= kTrailerSize) {
    unsigned char trailer[kTrailerSize];
    if (int err = pread_all(fd, trailer, kTrailerSize, end)) throw_system("cannot read the header", err);
    out.has_trailer = parse_trailer(trailer, out.header.data_offset, out.header.layout.nbytes,
                                    out.trailer);
  }
  return out;
}

}  // namespace npshm
