#include "exit_codes.hpp"

#include <cctype>
#include <cstring>

#include "npshm.h"

namespace npshm_cli {

namespace {

constexpr int kLowestCode = -100;  // far below the last code the library names

bool library_names(int code) { return std::strcmp(npshm_error_name(code), "unknown") != 0; }

}  // namespace

int exit_code_for_error(int npshm_error) {
  if (npshm_error < 0 && npshm_error >= kLowestCode && library_names(npshm_error))
    return 1 - npshm_error;
  return npshm_error == NPSHM_OK ? kExitOk : kExitFailed;
}

std::string error_slug(int npshm_error) {
  if (npshm_error >= 0 || !library_names(npshm_error)) return "failed";
  std::string name = npshm_error_name(npshm_error);
  const std::string prefix = "NPSHM_E_";
  if (name.rfind(prefix, 0) == 0) name.erase(0, prefix.size());
  for (char &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::vector<ErrorCodeRow> error_code_table() {
  std::vector<ErrorCodeRow> rows;
  for (int code = -1; code >= kLowestCode && library_names(code); --code)
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
