// NumPy's dtype names ("float64", "uint8", "datetime64[ns]", ...) accepted
// wherever the CLI takes a dtype, mapped onto NPY descrs in one table; the
// library's npshm_dtype_normalize() stays the judge of descrs.
#pragma once

#include <string>
#include <vector>

namespace npshm_cli {

// The NPY descr for text: a NumPy name from the table ("float64" -> "<f8",
// "datetime64[ns]" -> "<M8[ns]"), else text itself (an NPY type string or
// a structured descr, for the library to check).  Throws UsageError naming
// `what` for a word that is neither a NumPy name nor a descr the library
// accepts ("float65", "obj").
std::string dtype_descr(const std::string &text, const std::string &what);

// The names of the table, for completion and help ("datetime64[ns]" etc.).
std::vector<std::string> dtype_names();

}  // namespace npshm_cli
