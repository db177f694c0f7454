// Parsing option values shared by several commands.
#pragma once

#include <string>

namespace npshm_cli {

// "--order C|F" -> NPSHM_ORDER_*.
int parse_order(const std::string &text);
// "--lifetime persistent|owner|last" -> NPSHM_LIFETIME_*.
int parse_lifetime(const std::string &text);
// "--mode 0600" (octal, 0..0777; "600" and "0o600" too).
unsigned int parse_mode(const std::string &text);

}  // namespace npshm_cli
