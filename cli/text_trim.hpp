// Trimming the blanks around a word of option text ("  3, 4 ").
#pragma once

#include <string>

namespace npshm_cli {

// text without its leading and trailing spaces and tabs.
inline std::string trim_blanks(const std::string &text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const std::size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

}  // namespace npshm_cli
