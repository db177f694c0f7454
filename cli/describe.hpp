// Words for the library's enumerations and file attributes, shared by the
// commands that print arrays.
#pragma once

#include <string>
#include <vector>

namespace npshm_cli {

std::string order_text(int order);        // "C", "F", "?"
std::string lifetime_text(int lifetime);  // "persistent", "owner", "last", "?"
// Every name the library has, in the order of the values (for choices).
std::vector<std::string> order_names();     // {"C", "F"}
std::vector<std::string> lifetime_names();  // {"persistent", "owner", "last"}
std::string mode_text(unsigned int mode); // "0600"

}  // namespace npshm_cli
