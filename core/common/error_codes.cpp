// The table of error codes, made from NPSHM_ERROR_CODES (see error_codes.hpp).
#include "common/error_codes.hpp"

#include <cerrno>
#include <cstddef>

namespace npshm {

namespace {

#define NPSHM_ERROR_ROW(NAME, slug, value, usual_errno) {Errc::slug, "NPSHM_E_" #NAME, #slug, usual_errno},
constexpr ErrorCodeRow kErrorCodes[] = {NPSHM_ERROR_CODES(NPSHM_ERROR_ROW)};
#undef NPSHM_ERROR_ROW

constexpr ErrorCodeRow kOk = {Errc::ok, "NPSHM_OK", "ok", 0};
constexpr std::size_t kCount = sizeof kErrorCodes / sizeof kErrorCodes[0];
static_assert(kCount == static_cast<std::size_t>(kErrorCodeCount), "one row per code");

constexpr bool rows_run_from_minus_one() {
  for (std::size_t i = 0; i < kCount; ++i)
    if (static_cast<int>(kErrorCodes[i].code) != -static_cast<int>(i) - 1) return false;
  return true;
}
static_assert(rows_run_from_minus_one(),
              "NPSHM_ERROR_CODES: codes run from -1 down, one row each, in order (a new code takes the next value)");

}  // namespace

const ErrorCodeRow *find_error_code(int value) noexcept {
  if (value == 0) return &kOk;
  if (value > 0 || value < -static_cast<int>(kCount)) return nullptr;
  return &kErrorCodes[-value - 1];
}

}  // namespace npshm
