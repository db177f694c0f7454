// Making untrusted text (file names, messages) safe to print or to put in
// JSON: a foreign file in the shm directory may have any bytes in its name.
#pragma once

#include <string>
#include <string_view>

namespace npshm_cli {

// For terminals: control characters and invalid UTF-8 bytes become "\xNN".
std::string printable(std::string_view text);

// A JSON string literal with quotes; invalid UTF-8 bytes become U+FFFD.
std::string json_quote(std::string_view text);

// Number of terminal columns the printable text takes (code points).
std::size_t display_width(std::string_view printable_text);

}  // namespace npshm_cli
