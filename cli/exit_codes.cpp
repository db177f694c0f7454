#include "exit_codes.hpp"

#include "npshm.h"

namespace npshm_cli {

int exit_code_for_error(int npshm_error) {
  switch (npshm_error) {
    case NPSHM_OK: return kExitOk;
    case NPSHM_E_INVALID: return kExitUsage;
    case NPSHM_E_NOT_FOUND: return kExitNotFound;
    case NPSHM_E_EXISTS: return kExitExists;
    default: return kExitFailed;
  }
}

}  // namespace npshm_cli
