// Exit statuses of the npshm program, derived from the library's error-code
// table (npshm.h: NPSHM_E_*), so there is one table, the core's:
//   0    success
//   1    failure that has no library code (several kinds at once, output error)
//   1-C  the library's error code C (negative): NPSHM_E_INVALID (-1) -> 2,
//        which is also the status of a command-line usage error,
//        NPSHM_E_NOT_FOUND (-2) -> 3, NPSHM_E_EXISTS (-3) -> 4, ...
//   130  interrupted by SIGINT, SIGTERM or SIGHUP (after cleaning up)
#pragma once

#include <string>
#include <vector>

namespace npshm_cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,
  kExitUsage = 2,  // = exit_code_for_error(NPSHM_E_INVALID)
  kExitInterrupted = 130
};

// The exit status for a negative NPSHM_E_* code (kExitFailed for others).
// (A code of a newer library than the header the CLI was built with is
// "failed": the CLI ships with its library.)
int exit_code_for_error(int npshm_error);

// The exit status of a negative NPSHM_E_* code as text, for help texts
// ("4" for NPSHM_E_EXISTS), so that no help text spells a number.
std::string exit_text(int npshm_error);

// The error's slug, npshm_error_slug() ("not_found"); "failed" for a code
// the library does not know.
std::string error_slug(int npshm_error);

struct ErrorCodeRow {
  int code;            // NPSHM_E_*
  std::string slug;    // "not_found"
  int exit_status;     // 3
};
// Every error code, in order (-1 down to NPSHM_E_LAST).
std::vector<ErrorCodeRow> error_code_table();

// The "Exit status:" section of the help text, made from that table.
std::string exit_status_help();

}  // namespace npshm_cli
