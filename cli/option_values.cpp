#include "option_values.hpp"

#include <cstdlib>

#include "failure.hpp"
#include "npshm.h"

namespace npshm_cli {

int parse_order(const std::string &text) {
  if (text == "C" || text == "c") return NPSHM_ORDER_C;
  if (text == "F" || text == "f") return NPSHM_ORDER_F;
  throw UsageError("bad --order '" + text + "': use C (row-major) or F (column-major)");
}

int parse_lifetime(const std::string &text) {
  const int lifetime = npshm_lifetime_from_name(text.c_str());
  if (lifetime < 0)
    throw UsageError("bad --lifetime '" + text + "': use persistent, owner or last");
  return lifetime;
}

unsigned int parse_mode(const std::string &text) {
  std::string digits = text;
  if (digits.rfind("0o", 0) == 0 || digits.rfind("0O", 0) == 0) digits.erase(0, 2);
  if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("01234567") != std::string::npos)
    throw UsageError("bad --mode '" + text + "': use octal permission bits such as 0600");
  const unsigned long mode = std::strtoul(digits.c_str(), nullptr, 8);
  if (mode > 0777)
    throw UsageError("bad --mode '" + text + "': only permission bits (0..0777) are allowed");
  return static_cast<unsigned int>(mode);
}

}  // namespace npshm_cli
