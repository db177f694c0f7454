// Exit codes of the npshm program, and how library errors map onto them.
#pragma once

namespace npshm_cli {

enum ExitCode : int {
  kExitOk = 0,           // success
  kExitFailed = 1,       // the operation failed (library or system error)
  kExitUsage = 2,        // bad command line or invalid argument
  kExitNotFound = 3,     // no array (or file) of that name
  kExitExists = 4,       // create/load: the name is taken
  kExitInterrupted = 130 // stopped by SIGINT/SIGTERM/SIGHUP after cleaning up
};

// The exit code for a negative NPSHM_E_* code.
int exit_code_for_error(int npshm_error);

}  // namespace npshm_cli
