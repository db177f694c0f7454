#include "exit_codes.hpp"

#include "npshm.h"

namespace npshm_cli {

int exit_code_for_error(int npshm_error) {
  if (npshm_error < 0 && npshm_error >= NPSHM_E_LAST) return 1 - npshm_error;
  return npshm_error == NPSHM_OK ? kExitOk : kExitFailed;
}

std::string exit_text(int npshm_error) { return std::to_string(exit_code_for_error(npshm_error)); }

std::string error_slug(int npshm_error) {
  const char *slug = npshm_error < 0 ? npshm_error_slug(npshm_error) : nullptr;
  return slug ? slug : "failed";
}

std::vector<ErrorCodeRow> error_code_table() {
  std::vector<ErrorCodeRow> rows;
  for (int code = -1; code >= NPSHM_E_LAST; --code)
    rows.push_back({code, error_slug(code), exit_code_for_error(code)});
  return rows;
}

std::string exit_status_help() {
  std::string text =
      "Exit status:\n"
      "  0    success\n"
      "  1    failed (failures of several kinds, or output could not be written)\n";
  for (const ErrorCodeRow &row : error_code_table()) {
    std::string status = std::to_string(row.exit_status);
    status.resize(5, ' ');
    text += "  " + status + row.slug;
    if (row.code == NPSHM_E_INVALID) text += " (also a command-line usage error)";
    text += "\n";
  }
  text += "  130  interrupted by a signal (nothing partial is left)\n";
  return text;
}

}  // namespace npshm_cli
