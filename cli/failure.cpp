#include "failure.hpp"

#include "exit_codes.hpp"
#include "npshm.h"

namespace npshm_cli {

Failure library_failure() {
  const int code = npshm_last_error();
  std::string message = npshm_last_message();
  if (message.empty()) message = std::string("library error ") + npshm_error_name(code);
  return Failure(code == NPSHM_OK ? kExitFailed : exit_code_for_error(code), message);
}

}  // namespace npshm_cli
