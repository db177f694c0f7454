#include "shape_text.hpp"

#include <cerrno>
#include <cstdlib>

#include "failure.hpp"
#include "text_trim.hpp"
#include "npshm.h"

namespace npshm_cli {

namespace {

std::int64_t parse_extent(const std::string &item, const std::string &whole) {
  const std::string digits = trim_blanks(item);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError("bad shape '" + whole + "': '" + digits +
                     "' is not a non-negative integer (example: --shape 1000x1000 or 1000,1000)");
  errno = 0;
  const long long value = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) throw UsageError("bad shape '" + whole + "': '" + digits + "' is too large");
  return static_cast<std::int64_t>(value);
}

}  // namespace

std::vector<std::int64_t> parse_shape(const std::string &text) {
  std::string body = trim_blanks(text);
  if (!body.empty() && body.front() == '(') {
    if (body.back() != ')') throw UsageError("bad shape '" + text + "': unbalanced parenthesis");
    body = trim_blanks(body.substr(1, body.size() - 2));
  }
  std::vector<std::int64_t> shape;
  if (body.empty()) return shape;
  if (body.back() == ',') body.pop_back();  // "5," as in a Python 1-tuple
  // Separated by commas (as Python writes tuples) or by 'x' (as ls shows them).
  const char separator = body.find(',') == std::string::npos ? 'x' : ',';
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = body.find(separator, start);
    shape.push_back(parse_extent(body.substr(start, comma - start), text));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (shape.size() > NPSHM_MAX_NDIM)
    throw UsageError("bad shape '" + text + "': more than " + std::to_string(NPSHM_MAX_NDIM) +
                     " dimensions");
  return shape;
}

std::string shape_tuple(int ndim, const std::int64_t *shape) {
  std::string text = "(";
  for (int i = 0; i < ndim; ++i) {
    if (i) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (ndim == 1) text += ",";
  return text + ")";
}

std::string shape_compact(int ndim, const std::int64_t *shape) {
  if (ndim == 0) return "()";
  std::string text;
  for (int i = 0; i < ndim; ++i) {
    if (i) text += "x";
    text += std::to_string(shape[i]);
  }
  return text;
}

}  // namespace npshm_cli
