#include "dtype_names.hpp"

#include <cctype>

#include "failure.hpp"
#include "npshm.h"

namespace npshm_cli {

namespace {

struct NamedDtype {
  const char *name;
  const char *descr;
};

// NumPy's names on a little-endian Linux x86-64/aarch64 (numpy.dtype(name).str).
constexpr NamedDtype kNamedDtypes[] = {
    {"bool", "|b1"},        {"bool_", "|b1"},
    {"int8", "|i1"},        {"byte", "|i1"},
    {"uint8", "|u1"},       {"ubyte", "|u1"},
    {"int16", "<i2"},       {"short", "<i2"},
    {"uint16", "<u2"},      {"ushort", "<u2"},
    {"int32", "<i4"},       {"intc", "<i4"},
    {"uint32", "<u4"},      {"uintc", "<u4"},
    {"int64", "<i8"},       {"int", "<i8"},        {"int_", "<i8"},
    {"intp", "<i8"},        {"longlong", "<i8"},
    {"uint64", "<u8"},      {"uint", "<u8"},       {"uintp", "<u8"},
    {"ulonglong", "<u8"},
    {"float16", "<f2"},     {"half", "<f2"},
    {"float32", "<f4"},     {"single", "<f4"},
    {"float64", "<f8"},     {"float", "<f8"},      {"double", "<f8"},
    {"float_", "<f8"},
    {"float128", "<f16"},   {"longdouble", "<f16"},
    {"complex64", "<c8"},   {"csingle", "<c8"},
    {"complex128", "<c16"}, {"complex", "<c16"},   {"cdouble", "<c16"},
    {"complex_", "<c16"},
    {"complex256", "<c32"}, {"clongdouble", "<c32"},
    {"datetime64", "<M8"},  {"timedelta64", "<m8"},
};

const char kNameHint[] =
    "use a NumPy name (bool, int8, int16, int32, int64, uint8, ..., uint64, float16, float32, "
    "float64, float128, complex64, complex128, complex256, datetime64[UNIT], timedelta64[UNIT]) "
    "or an NPY type string (<f8, |u1, >i4, <U10, S3, V16, <M8[ns]) or a structured descr";

bool accepted_by_library(const std::string &descr) {
  const int length = npshm_dtype_normalize(descr.c_str(), nullptr, 0, nullptr);
  npshm_clear_error();
  return length >= 0;
}

// A word of three or more letters first ("float65", "object", "str"): meant
// as a NumPy name, not as a type string.
bool looks_like_a_name(const std::string &text) {
  std::size_t letters = 0;
  while (letters < text.size() && std::isalpha(static_cast<unsigned char>(text[letters])))
    ++letters;
  return letters >= 3;
}

}  // namespace

std::string dtype_descr(const std::string &text, const std::string &what) {
  // "datetime64[ns]" -> base "datetime64", unit "[ns]".
  const std::size_t bracket = text.find('[');
  const std::string base = bracket == std::string::npos ? text : text.substr(0, bracket);
  const std::string unit = bracket == std::string::npos ? "" : text.substr(bracket);
  for (const NamedDtype &named : kNamedDtypes) {
    if (base != named.name) continue;
    const bool is_time = named.descr[1] == 'M' || named.descr[1] == 'm';
    if (!unit.empty() && !is_time) break;
    const std::string descr = named.descr + unit;
    if (!accepted_by_library(descr))
      throw UsageError(what + ": bad dtype '" + text + "': " +
                       (is_time ? "the unit must be one of Y M W D h m s ms us ns ps fs as "
                                  "(for example datetime64[ns])"
                                : kNameHint));
    return descr;
  }
  if (!accepted_by_library(text) && looks_like_a_name(text))
    throw UsageError(what + ": unknown dtype '" + text + "': " + kNameHint);
  return text;
}

std::vector<std::string> dtype_names() {
  std::vector<std::string> names;
  for (const NamedDtype &named : kNamedDtypes) {
    const std::string name = named.name;
    if (name == "datetime64" || name == "timedelta64") {
      for (const char *unit : {"s", "ms", "us", "ns"}) names.push_back(name + "[" + unit + "]");
    } else {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace npshm_cli
