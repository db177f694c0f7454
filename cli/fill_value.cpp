#include "fill_value.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cctype>
#include <limits>

#include "failure.hpp"
#include "text_trim.hpp"
#include "npshm.h"

namespace npshm_cli {

namespace {

struct SimpleType {
  char order;  // '<' or '>' (resolved)
  char kind;
  std::size_t size;
};

bool native_is_little() {
  const std::uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

SimpleType parse_type(const std::string &descr) {
  const std::string shown = "'" + descr + "'";
  // The library checks and normalises the dtype ("i4" -> "<i4"); what is
  // left to read is its byte order, kind and item size.
  char normalised[64];
  std::size_t size = 0;
  const int length = npshm_dtype_normalize(descr.c_str(), normalised, sizeof normalised, &size);
  if (length < 0) throw UsageError(std::string("bad dtype: ") + npshm_last_message());
  const std::string s(normalised, std::min<std::size_t>(static_cast<std::size_t>(length), sizeof normalised - 1));
  if (s[0] == '[')
    throw UsageError("--fill is not supported for the structured dtype " + shown +
                     " (only for bool, integer, float, complex and datetime dtypes)");
  const char kind = s[1];
  if (std::string("biufcMm").find(kind) == std::string::npos)
    throw UsageError("--fill is not supported for dtype " + shown +
                     " (only for bool, integer, float, complex and datetime dtypes)");
  const char order = s[0] == '|' ? (native_is_little() ? '<' : '>') : s[0];
  return SimpleType{order, kind, size};
}

[[noreturn]] void does_not_fit(const std::string &text, const std::string &why) {
  throw UsageError("bad --fill value '" + text + "': " + why);
}

// Stores the low `size` bytes of value in native order.
void store_integer(std::uint64_t value, std::size_t size, unsigned char *out) {
  for (std::size_t k = 0; k < size; ++k) {
    const std::size_t shift = 8 * (native_is_little() ? k : size - 1 - k);
    out[k] = static_cast<unsigned char>(value >> shift);
  }
}

void encode_bool(const std::string &text, unsigned char *out) {
  if (text == "true" || text == "True" || text == "1") {
    out[0] = 1;
  } else if (text == "false" || text == "False" || text == "0") {
    out[0] = 0;
  } else {
    does_not_fit(text, "not a bool (true, false, 1 or 0)");
  }
}

void encode_integer(const std::string &text, const SimpleType &type, unsigned char *out) {
  std::string body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.erase(0, 1);
  }
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    base = 16;
    body.erase(0, 2);
  }
  const char *digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
  if (body.empty() || body.find_first_not_of(digits) != std::string::npos)
    does_not_fit(text, "not an integer");
  errno = 0;
  const unsigned long long magnitude = std::strtoull(body.c_str(), nullptr, base);
  const unsigned bits = static_cast<unsigned>(8 * type.size);
  const std::string range_note = std::string("out of range for ") + type.kind +
                                 std::to_string(type.size);
  if (errno == ERANGE) does_not_fit(text, range_note);
  std::uint64_t value;
  if (type.kind == 'u') {
    if (negative && magnitude != 0) does_not_fit(text, range_note);
    if (bits < 64 && magnitude >> bits != 0) does_not_fit(text, range_note);
    value = magnitude;
  } else {
    const std::uint64_t limit = std::uint64_t{1} << (bits - 1);  // |min|
    if (magnitude > (negative ? limit : limit - 1)) does_not_fit(text, range_note);
    value = negative ? (~static_cast<std::uint64_t>(magnitude) + 1) : magnitude;
  }
  store_integer(value, type.size, out);
}

// Parses a whole real number of the given width (2, 4, 8, 16 bytes) and
// stores it in native order.
void encode_real(const std::string &text, std::size_t size, unsigned char *out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    does_not_fit(text, "not a number");
  char *end = nullptr;
  errno = 0;
  const std::string overflow = "does not fit in a " + std::to_string(8 * size) + "-bit float";
  if (size == 4) {
    const float value = std::strtof(text.c_str(), &end);
    if (*end != '\0' || end == text.c_str()) does_not_fit(text, "not a number");
    if (errno == ERANGE && std::isinf(value)) does_not_fit(text, overflow);
    std::memcpy(out, &value, 4);
  } else if (size == 8 || size == 2) {
    const double value = std::strtod(text.c_str(), &end);
    if (*end != '\0' || end == text.c_str()) does_not_fit(text, "not a number");
    if (errno == ERANGE && std::isinf(value)) does_not_fit(text, overflow);
    if (size == 8) {
      std::memcpy(out, &value, 8);
      return;
    }
    // IEEE binary16, rounding to nearest even.
    std::uint16_t half;
    const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0;
    const double magnitude = std::fabs(value);
    if (std::isnan(value)) {
      half = 0x7E00;
    } else if (std::isinf(value)) {
      half = sign | 0x7C00;
    } else if (magnitude < std::ldexp(1.0, -14)) {  // subnormal or zero
      half = sign | static_cast<std::uint16_t>(std::nearbyint(std::ldexp(magnitude, 24)));
    } else {
      int exponent;
      const double fraction = std::frexp(magnitude, &exponent);  // [0.5, 1)
      double mantissa = std::nearbyint(std::ldexp(fraction, 11));  // [1024, 2048]
      if (mantissa == 2048.0) {
        mantissa = 1024.0;
        ++exponent;
      }
      const int biased = exponent - 1 + 15;
      if (biased >= 31) does_not_fit(text, overflow);
      half = static_cast<std::uint16_t>(sign | (biased << 10) |
                                        (static_cast<int>(mantissa) - 1024));
    }
    std::memcpy(out, &half, 2);
  } else {
    static_assert(std::numeric_limits<long double>::digits >= 64, "x87 long double expected");
    const long double value = std::strtold(text.c_str(), &end);
    if (*end != '\0' || end == text.c_str()) does_not_fit(text, "not a number");
    if (errno == ERANGE && std::isinf(value)) does_not_fit(text, overflow);
    std::memset(out, 0, 16);
    std::memcpy(out, &value, std::min<std::size_t>(sizeof value, 16));
  }
}

// Splits Python complex syntax ("1+2j", "-2j", "3", "(1-2j)") into parts.
void split_complex(const std::string &text, std::string &real, std::string &imag) {
  std::string s = text;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = s.substr(1, s.size() - 2);
  if (s.empty()) does_not_fit(text, "not a complex number");
  if (s.back() != 'j' && s.back() != 'J') {
    real = s;
    imag = "0";
    return;
  }
  s.pop_back();
  std::size_t split = std::string::npos;
  for (std::size_t i = s.size(); i-- > 1;) {
    if ((s[i] == '+' || s[i] == '-') && s[i - 1] != 'e' && s[i - 1] != 'E') {
      split = i;
      break;
    }
  }
  if (split == std::string::npos) {
    real = "0";
    imag = s;
  } else {
    real = s.substr(0, split);
    imag = s.substr(split);
  }
  if (imag.empty() || imag == "+") imag = "1";
  if (imag == "-") imag = "-1";
}

void reverse_each(unsigned char *bytes, std::size_t total, std::size_t unit) {
  for (std::size_t at = 0; at < total; at += unit) std::reverse(bytes + at, bytes + at + unit);
}

}  // namespace

std::vector<unsigned char> encode_fill_value(const std::string &descr, const std::string &raw) {
  const SimpleType type = parse_type(descr);
  const std::string text = trim_blanks(raw);
  std::vector<unsigned char> item(type.size);
  std::size_t swap_unit = type.size;
  switch (type.kind) {
    case 'b':
      encode_bool(text, item.data());
      break;
    case 'i':
    case 'u':
      encode_integer(text, type, item.data());
      break;
    case 'f':
      encode_real(text, type.size, item.data());
      break;
    case 'c': {
      std::string real, imag;
      split_complex(text, real, imag);
      swap_unit = type.size / 2;
      encode_real(real, swap_unit, item.data());
      encode_real(imag, swap_unit, item.data() + swap_unit);
      break;
    }
    default:  // 'M', 'm': a 64-bit count, or NaT
      if (text == "NaT" || text == "nat")
        store_integer(std::uint64_t{1} << 63, 8, item.data());
      else
        encode_integer(text, SimpleType{type.order, 'i', 8}, item.data());
      break;
  }
  const bool target_little = type.order == '<';
  if (type.size > 1 && target_little != native_is_little())
    reverse_each(item.data(), item.size(), swap_unit);
  return item;
}

}  // namespace npshm_cli
