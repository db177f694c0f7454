// The error codes of the C ABI as data: one row per code, with its symbolic
// name, its slug and the errno a failure of that kind usually carries.
// This table is the only place those are written; the C ABI serves it
// (npshm_error_name, npshm_error_slug, npshm_error_errno) and the bindings
// and the CLI build their own tables from it.  Codes run from -1 down to
// NPSHM_E_LAST without gaps (checked at compile time).
#pragma once

namespace npshm {

struct ErrorCode {
  int code;           // NPSHM_E_NOT_FOUND
  const char *name;   // "NPSHM_E_NOT_FOUND"
  const char *slug;   // "not_found"
  int usual_errno;    // ENOENT: what the code means in errno's terms
};

// The row of code (NPSHM_OK included, slug "ok"), or nullptr for a code
// the library does not have.
const ErrorCode *find_error_code(int code) noexcept;

}  // namespace npshm
