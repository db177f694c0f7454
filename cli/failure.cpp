#include "failure.hpp"

#include "exit_codes.hpp"
#include "npshm.h"

namespace npshm_cli {

Failure Failure::from_code(int npshm_error, const std::string &message) {
  return Failure(exit_code_for_error(npshm_error), error_slug(npshm_error), message);
}

UsageError::UsageError(const std::string &message)
    : Failure(Failure::from_code(NPSHM_E_INVALID, message)) {}

Failure library_failure() {
  const int code = npshm_last_error();
  std::string message = npshm_last_message();
  if (message.empty()) message = std::string("library error ") + npshm_error_name(code);
  return Failure::from_code(code, message);
}

}  // namespace npshm_cli
