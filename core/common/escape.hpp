// Text from outside (array names, header text, paths) made safe to show on
// a terminal: one function, used for every message the library produces.
#pragma once

#include <string>
#include <string_view>

namespace npshm {

// text with every byte or character that could control a terminal or
// reorder what is shown replaced by a visible escape: C0 controls and DEL
// ("\x1b"), C1 controls (U+0080..U+009F: "\u009b"), bidirectional
// formatting characters (U+061C, U+200E, U+200F, U+202A..U+202E,
// U+2066..U+2069: "\u202e"), and bytes that are not valid UTF-8 ("\xff").
// Every other character, including non-ASCII letters and backslashes, is
// kept (the result is for reading, not for parsing back).
std::string escape_text(std::string_view text);

// text as one word a POSIX shell reads back as text: unchanged if it holds
// only letters, digits and _ . , : = @ % + / - (and does not start with -),
// else in single quotes (a quote inside as '\''), so that a name shown in a
// suggested command ("npshm rm NAME") runs nothing when pasted.
std::string shell_word(std::string_view text);

// true if text is well-formed UTF-8 (no overlong forms, no surrogates).
bool valid_utf8(std::string_view text);

}  // namespace npshm
