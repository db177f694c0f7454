// Saved references: the npshm-ref/1 text naming one view of one array.
#include "store/reference.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "common/error.hpp"
#include "common/options.hpp"
#include "store/segment.hpp"

namespace npshm {

namespace {

constexpr std::string_view kMagic = "npshm-ref/1";
// A header is at most 1 MiB, so is a dtype: encoded, at most three times that.
constexpr std::size_t kMaxText = std::size_t{4} << 20;

[[noreturn]] void bad(const std::string &why) { throw Error(Errc::invalid, "malformed reference: " + why); }

// The damage check (the "sum" field): FNV-1a 64.  It catches accidental
// damage only; anyone can compute it for a text of their own.
std::uint64_t damage_check(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool plain(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == ':' || c == '/';
}

std::string encode(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (plain(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s, const char *field) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) bad(std::string("bad %-escape in ") + field);
      const auto byte = static_cast<unsigned char>(hi * 16 + lo);
      if (plain(byte)) bad(std::string("needless %-escape in ") + field);
      out += static_cast<char>(byte);
      i += 2;
    } else if (plain(c)) {
      out += static_cast<char>(c);
    } else {
      bad(std::string("unexpected byte in ") + field);
    }
  }
  return out;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t parse_hex64(std::string_view s, const char *field) {
  if (s.size() != 16) bad(std::string(field) + " must be 16 hex digits");
  std::uint64_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) bad(std::string(field) + " must be 16 lower-case hex digits");
    v = v * 16 + static_cast<unsigned>(d);
  }
  return v;
}

std::int64_t parse_int(std::string_view s, bool allow_negative, const char *field) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) {
    if (!allow_negative) bad(std::string(field) + " must not be negative");
    s.remove_prefix(1);
  }
  if (s.empty() || (s.size() > 1 && s[0] == '0') || (negative && s == "0"))
    bad(std::string(field) + " is not a canonical decimal number");
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') bad(std::string(field) + " is not a decimal number");
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (static_cast<std::uint64_t>(INT64_MAX) - d) / 10) bad(std::string(field) + " is too large");
    v = v * 10 + d;
  }
  return negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
}

std::vector<std::int64_t> parse_list(std::string_view s, bool allow_negative, const char *field) {
  std::vector<std::int64_t> out;
  if (s.empty()) return out;
  for (;;) {
    const std::size_t comma = s.find(',');
    if (out.size() == kMaxNdim) bad(std::string(field) + " has more than " + std::to_string(kMaxNdim) + " items");
    out.push_back(parse_int(s.substr(0, comma), allow_negative, field));
    if (comma == std::string_view::npos) return out;
    s.remove_prefix(comma + 1);
  }
}

std::string list_text(const std::vector<std::int64_t> &v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

// The next " key=value" field of text (which starts after the previous one).
std::string_view field(std::string_view &text, const char *key) {
  const std::string prefix = std::string(" ") + key + "=";
  if (text.substr(0, prefix.size()) != prefix) bad(std::string("expected field '") + key + "'");
  text.remove_prefix(prefix.size());
  const std::size_t end = text.find(' ');
  std::string_view value = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end);
  return value;
}

}  // namespace

bool may_carry_write(const Location &loc, std::uint64_t id) { return loc.is_shm && id != 0; }

std::string format_reference(const Reference &ref) {
  std::string s(kMagic);
  s += " uri=" + encode(ref.location.name);
  s += " dir=" + (ref.location.is_shm ? encode(ref.location.directory) : std::string());
  s += " id=" + hex64(ref.id);
  s += " offset=" + std::to_string(ref.offset);
  s += " shape=" + list_text(ref.shape);
  s += " strides=" + list_text(ref.strides);
  s += std::string(" ro=") + (ref.readonly ? "1" : "0");
  s += " dtype=" + encode(ref.dtype.descr);
  s += " sum=" + hex64(damage_check(s));
  return s;
}

Reference parse_reference(std::string_view text) {
  if (text.size() > kMaxText) bad("longer than " + std::to_string(kMaxText) + " bytes");
  if (text.substr(0, kMagic.size()) != kMagic) {
    if (text.substr(0, 10) == "npshm-ref/") bad("unsupported version (this library reads npshm-ref/1)");
    bad("it does not start with 'npshm-ref/1'");
  }
  const std::size_t sum_at = text.rfind(" sum=");
  if (sum_at == std::string_view::npos) bad("no damage check (sum)");
  std::string_view sum_text = text.substr(sum_at + 5);
  if (parse_hex64(sum_text, "sum") != damage_check(text.substr(0, sum_at)))
    bad("the damage check (sum) does not match: the text was damaged");

  std::string_view rest = text.substr(kMagic.size(), sum_at - kMagic.size());
  const std::string uri = decode(field(rest, "uri"), "uri");
  const std::string dir = decode(field(rest, "dir"), "dir");
  Reference ref;
  ref.id = parse_hex64(field(rest, "id"), "id");
  ref.offset = parse_int(field(rest, "offset"), false, "offset");
  ref.shape = parse_list(field(rest, "shape"), false, "shape");
  ref.strides = parse_list(field(rest, "strides"), true, "strides");
  const std::string_view ro = field(rest, "ro");
  if (ro != "0" && ro != "1") bad("ro must be 0 or 1");
  ref.readonly = ro == "1";
  const std::string dtype = decode(field(rest, "dtype"), "dtype");
  if (!rest.empty()) bad("unexpected text before the damage check (sum)");
  if (ref.shape.size() != ref.strides.size()) bad("shape and strides differ in length");

  if (uri.find('\0') != std::string::npos || dir.find('\0') != std::string::npos) bad("a NUL byte in uri or dir");
  const bool shm = uri.rfind("file://", 0) != 0;
  if (shm && (dir.empty() || dir[0] != '/')) bad("a shm:// reference needs an absolute dir");
  if (!shm && !dir.empty()) bad("a file:// reference has no dir");
  try {
    ref.location = resolve_name(uri.c_str(), shm ? &dir : nullptr, "reference");
  } catch (const Error &e) {
    bad(std::string("bad uri: ") + e.what());
  }
  if (ref.location.name != uri) bad("the uri is not canonical (expected " + encode(ref.location.name) + ")");
  try {
    ref.dtype = parse_dtype(dtype);
  } catch (const Error &e) {
    bad(std::string("bad dtype: ") + e.what());
  }
  if (ref.dtype.descr != dtype) bad("the dtype is not normalised (expected " + encode(ref.dtype.descr) + ")");
  if (!may_carry_write(ref.location, ref.id)) ref.readonly = true;
  return ref;
}

void check_reference(const Reference &ref, const Layout &layout, std::uint64_t id, const std::string &what) {
  if (ref.id != id)
    throw Error(Errc::not_found,
                what + ": the array of that name is not the one referenced (it was removed and created again)",
                ENOENT);
  if (ref.dtype.descr != layout.dtype.descr)
    throw Error(Errc::mismatch,
                what + ": the reference's dtype " + ref.dtype.descr + " differs from the array's " + layout.dtype.descr);
  try {
    check_view_inside(ref.offset, ref.shape, ref.strides, layout.dtype.itemsize, layout.nbytes);
  } catch (const Error &e) {
    throw e.in(what);
  }
}

Reference make_reference(const Segment &seg, std::int64_t offset, const std::vector<std::int64_t> &shape,
                         std::vector<std::int64_t> strides, bool readonly) {
  const std::string what = "reference " + seg.location().name;
  const Layout &layout = seg.layout();
  if (shape.size() > kMaxNdim)
    throw Error(Errc::invalid, what + ": ndim " + std::to_string(shape.size()) + " is out of range 0.." +
                                     std::to_string(kMaxNdim));
  if (strides.empty() && !shape.empty()) {  // C-contiguous
    strides.assign(shape.size(), 0);
    std::int64_t step = static_cast<std::int64_t>(layout.dtype.itemsize);
    for (std::size_t k = shape.size(); k-- > 0;) {
      strides[k] = step;
      if (shape[k] > 0 && __builtin_mul_overflow(step, shape[k], &step))
        throw Error(Errc::invalid, what + ": the view's shape " + shape_text(shape) + " is too large");
    }
  }
  Reference ref;
  ref.location = seg.location();
  ref.id = seg.id();
  ref.offset = offset;
  ref.shape = shape;
  ref.strides = std::move(strides);
  ref.readonly = readonly || seg.readonly() || !may_carry_write(ref.location, ref.id);
  ref.dtype = layout.dtype;
  check_reference(ref, layout, seg.id(), what);
  return ref;
}

std::unique_ptr<Segment> attach_reference(const Reference &ref, const Options &opts) {
  const Location loc = opts.directory && ref.location.is_shm
                           ? resolve_name(ref.location.name.c_str(), &*opts.directory, "attach")
                           : ref.location;
  const std::string what = "attach " + loc.name;
  if (opts.readonly && opts.ref_writable)
    throw Error(Errc::invalid, what + ": the options ask for both read-only and writable");
  Options o = opts;
  const auto attach = [&](bool readonly) {
    o.readonly = readonly;
    return Segment::attach(loc, o, nullptr, [&](const FileHeader &file) {
      check_reference(ref, file.header.layout, file.has_trailer ? file.trailer.id : 0, what);
    });
  };
  // The caller's own request, or the caller's refusal, decides first.
  if (opts.ref_writable) return attach(false);
  if (opts.readonly || ref.readonly) return attach(true);
  // The reference grants write access: taken only where this process can
  // open the file for writing, else the handle is read-only.
  try {
    return attach(false);
  } catch (const Error &e) {
    const int err = e.sys_errno();
    if (err != EACCES && err != EPERM && err != EROFS) throw;
  }
  return attach(true);
}

void check_reference(const Reference &ref, const Segment &seg) {
  const std::string what = "check reference " + ref.location.name;
  if (seg.location().path != ref.location.path)
    throw Error(Errc::mismatch, what + ": the handle is " + seg.location().name + " at " + seg.location().path +
                                      ", not " + ref.location.path);
  check_reference(ref, seg.layout(), seg.id(), what);
  if (!ref.readonly && seg.readonly())
    throw Error(Errc::readonly, what + ": the reference is writable but the handle is read-only");
}

}  // namespace npshm
