// "--fill VALUE": the text of one value, encoded as one item of a dtype.
#pragma once

#include <string>
#include <vector>

namespace npshm_cli {

// Encodes text as one item of the type string descr, in the dtype's byte
// order ('<', '>', or native for '=', '|' or none):
//   b          true, false, True, False, 1, 0
//   i1..i8, u1..u8   integers (decimal, or 0x hex), range-checked
//   f2 f4 f8 f16     real numbers, nan, inf, -inf; a finite value that
//                    would overflow the type is refused
//   c8 c16 c32       complex as Python writes it: 1+2j, -0.5j, 3, (1-2j)
//   M8[...] m8[...]  NaT or an integer count of the unit
// Throws UsageError for other dtypes (S, U, V, structured) and for text that
// is not a value of the type or does not fit.
std::vector<unsigned char> encode_fill_value(const std::string &descr, const std::string &text);

}  // namespace npshm_cli
