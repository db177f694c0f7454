// NPY dtype descriptions ("descr"): parsing, validation and normalisation.
//
// A descr is either a type string ("<f8", "|S5", "<M8[ns]") or a structured
// list of fields ("[('x', '<f4'), ('v', '<i8', (3,))]").  Only fixed-size,
// pickle-free types are accepted: b i u f c S U V M m.  The normalised text
// is what npshm writes into headers and what two descrs are compared by.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "literal.hpp"

namespace npshm {

struct Dtype {
  std::string descr;      // normalised descr text
  std::size_t itemsize = 0;
};

// Parse a descr given as text (as a user passes it or as it appears in a
// header's 'descr' value).  On failure returns false and sets error.
bool parse_dtype(std::string_view text, Dtype &out, std::string &error);

// The same for an already parsed header value.
bool dtype_from_literal(const Literal &value, Dtype &out, std::string &error);

}  // namespace npshm
