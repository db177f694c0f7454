// The library's error codes: one row each in NPSHM_ERROR_CODES, the only
// place the core writes a code.  From the list come the enum Errc that
// npshm::Error carries, the table of names, slugs and errnos that the C ABI
// serves (npshm_error_name, npshm_error_slug, npshm_error_errno; the
// bindings and the CLI build their tables from it), and capi.cpp's
// compile-time check that include/npshm.h declares every code as
// NPSHM_E_<NAME> with the same value.  Codes run from -1 down without gaps
// (checked at compile time); 0 is ok.
#pragma once

// row(NAME, slug, value, usual_errno): NPSHM_E_<NAME> in the C ABI; the short
// name ("not_found"), also Errc's enumerator; the stable value (never
// renumbered); the errno a failure of that kind usually carries (what the
// code means in errno's terms).  A new code is a new last row, with the
// next value down, and its NPSHM_E_ constant in npshm.h (NPSHM_E_LAST too).
#define NPSHM_ERROR_CODES(row)                 \
  row(INVALID, invalid, -1, EINVAL)            \
  row(NOT_FOUND, not_found, -2, ENOENT)        \
  row(EXISTS, exists, -3, EEXIST)              \
  row(NO_SPACE, no_space, -4, ENOSPC)          \
  row(PERMISSION, permission, -5, EACCES)      \
  row(FORMAT, format, -6, EINVAL)              \
  row(MISMATCH, mismatch, -7, EINVAL)          \
  row(READONLY, readonly, -8, EACCES)          \
  row(BUSY, busy, -9, EBUSY)                   \
  row(NO_MEMORY, no_memory, -10, ENOMEM)       \
  row(SYSTEM, system, -11, EIO)                \
  row(CANCELED, canceled, -12, ECANCELED)      \
  row(TIMEOUT, timeout, -13, ETIMEDOUT)        \
  /* (the end of the list) */

namespace npshm {

enum class Errc : int {
  ok = 0,
#define NPSHM_ERRC_ENUMERATOR(NAME, slug, value, usual_errno) slug = value,
  NPSHM_ERROR_CODES(NPSHM_ERRC_ENUMERATOR)
#undef NPSHM_ERRC_ENUMERATOR
};

// How many codes there are besides ok, and the last (most negative) one.
#define NPSHM_ERRC_ONE(NAME, slug, value, usual_errno) +1
constexpr int kErrorCodeCount = 0 NPSHM_ERROR_CODES(NPSHM_ERRC_ONE);
#undef NPSHM_ERRC_ONE
constexpr Errc kLastErrc = static_cast<Errc>(-kErrorCodeCount);

struct ErrorCodeRow {
  Errc code;          // Errc::not_found
  const char *name;   // "NPSHM_E_NOT_FOUND"
  const char *slug;   // "not_found"
  int usual_errno;    // ENOENT
};

// The row of a code's value (0, ok, included: "NPSHM_OK", slug "ok"), or
// nullptr for a value that is no code.
const ErrorCodeRow *find_error_code(int value) noexcept;

}  // namespace npshm
