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
#include <cstdint>
#include <vector>

#include "format/literal.hpp"

namespace npshm {

struct DtypeField;

struct Dtype {
  std::string descr;      // normalised descr text
  std::size_t itemsize = 0;
  char kind = 'V';        // b i u f c S U V M m; 'V' for a structured dtype
  char byteorder = '|';   // '<', '>' or '|' (not applicable)
  std::string unit;       // datetime unit ("ns", "10s"), "" if none
  std::vector<DtypeField> fields;  // non-empty exactly for structured dtypes
};

// One field of a structured dtype, at offset bytes into the item.
struct DtypeField {
  std::string name;
  std::string title;      // "" if none
  bool has_title = false;
  std::size_t offset = 0;
  Dtype type;
  std::vector<std::int64_t> shape;  // sub-array extents; empty: a scalar
};

// Parse a descr given as text (as a user passes it or as it appears in a
// header's 'descr' value).  Throws Error(Errc::invalid) with the cause
// alone (the caller adds the context, see error.hpp).
Dtype parse_dtype(std::string_view text);

// The same for an already parsed header value.
Dtype dtype_from_literal(const Literal &value);

}  // namespace npshm
