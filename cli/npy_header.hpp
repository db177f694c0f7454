// The header of a plain .npy file, as numpy.save writes it.
#pragma once

#include <cstdint>
#include <string>

namespace npshm_cli {

// Magic, version, length and the header dict, padded with spaces and a
// final newline to a multiple of 64 bytes.  descr is a normalised dtype as
// npshm_dtype() returns it: a type string ("<f8") or a structured list
// ("[('x', '<f4')]").  Version 1.0 when the dict is ASCII and shorter than
// 64 KiB, 2.0 when longer, 3.0 when it holds non-ASCII (UTF-8) field names.
std::string npy_header(const std::string &descr, bool fortran_order, int ndim,
                       const std::int64_t *shape);

}  // namespace npshm_cli
