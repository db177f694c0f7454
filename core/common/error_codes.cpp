// The table of error codes (see error_codes.hpp).
#include "common/error_codes.hpp"

#include <cerrno>
#include <cstddef>

#include "npshm.h"

namespace npshm {

namespace {

// One line per code: NPSHM_E_<NAME>, its slug, its usual errno.
#define NPSHM_ERROR_ROW(NAME, slug, err) {NPSHM_E_##NAME, "NPSHM_E_" #NAME, #slug, err}
constexpr ErrorCode kErrorCodes[] = {
    NPSHM_ERROR_ROW(INVALID, invalid, EINVAL),
    NPSHM_ERROR_ROW(NOT_FOUND, not_found, ENOENT),
    NPSHM_ERROR_ROW(EXISTS, exists, EEXIST),
    NPSHM_ERROR_ROW(NO_SPACE, no_space, ENOSPC),
    NPSHM_ERROR_ROW(PERMISSION, permission, EACCES),
    NPSHM_ERROR_ROW(FORMAT, format, EINVAL),
    NPSHM_ERROR_ROW(MISMATCH, mismatch, EINVAL),
    NPSHM_ERROR_ROW(READONLY, readonly, EACCES),
    NPSHM_ERROR_ROW(BUSY, busy, EBUSY),
    NPSHM_ERROR_ROW(NO_MEMORY, no_memory, ENOMEM),
    NPSHM_ERROR_ROW(SYSTEM, system, EIO),
    NPSHM_ERROR_ROW(CANCELED, canceled, ECANCELED),
    NPSHM_ERROR_ROW(TIMEOUT, timeout, ETIMEDOUT),
};
#undef NPSHM_ERROR_ROW

constexpr ErrorCode kOk = {NPSHM_OK, "NPSHM_OK", "ok", 0};
constexpr std::size_t kCount = sizeof kErrorCodes / sizeof kErrorCodes[0];

constexpr bool rows_run_from_minus_one() {
  for (std::size_t i = 0; i < kCount; ++i)
    if (kErrorCodes[i].code != -static_cast<int>(i) - 1) return false;
  return true;
}
static_assert(rows_run_from_minus_one(), "error codes run from -1 down, one row each, in order");
static_assert(kErrorCodes[kCount - 1].code == NPSHM_E_LAST, "NPSHM_E_LAST (npshm.h) is the table's last code");

}  // namespace

const ErrorCode *find_error_code(int code) noexcept {
  if (code == NPSHM_OK) return &kOk;
  if (code >= 0 || code < -static_cast<int>(kCount)) return nullptr;
  return &kErrorCodes[-code - 1];
}

}  // namespace npshm
