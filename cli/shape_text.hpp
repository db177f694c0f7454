// Shapes as text: parsing "--shape 1000,1000" or "1000x1000" and printing shapes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npshm_cli {

// "1000,1000", "1000x1000", "(3, 4)", "5", "5," -> extents; "" or "()" -> a
// 0-d shape (one separator per shape: commas or 'x').
// Throws UsageError for anything else (negative, not a number, too many
// dimensions, empty extents).
std::vector<std::int64_t> parse_shape(const std::string &text);

// Python tuple syntax: "(1000, 1000)", "(5,)", "()".
std::string shape_tuple(int ndim, const std::int64_t *shape);

// Compact, for tables: "1000x1000", "5", "()".
std::string shape_compact(int ndim, const std::int64_t *shape);

}  // namespace npshm_cli
