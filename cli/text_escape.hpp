// Making untrusted text (file names, library messages, paths) safe to show
// on a terminal: a file in the shm directory may have any bytes in its name,
// and a hostile .npy header may put any text into an error message.
#pragma once

#include <string>
#include <string_view>

namespace npshm_cli {

// The text with everything a terminal would act on or hide made visible:
//   a byte that is not valid UTF-8                    -> \xNN
//   C0 controls and DEL (ESC, CR, BS, ...)            -> \xNN
//   C1 controls (U+0080..U+009F), format characters
//   (bidi overrides and isolates, zero-width marks,
//   U+FEFF...), line and paragraph separators        -> \uNNNN (\UNNNNNNNN)
// The character classes come from Unicode's general categories (Cc, Cf, Zl,
// Zp), looked up with utf8proc.  Everything else, backslashes included, is
// kept: the result is for reading, like the library's own messages, which
// it escapes the same way (so escaping one of them again changes nothing).
std::string printable(std::string_view text);

// Terminal columns the printable text takes (wide characters count 2).
std::size_t display_width(std::string_view printable_text);

}  // namespace npshm_cli
