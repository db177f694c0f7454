#include "text_escape.hpp"

#include <utf8proc.h>

#include <cstdio>

namespace npshm_cli {

namespace {

bool must_escape(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_CC:  // C0, DEL, C1
    case UTF8PROC_CATEGORY_CF:  // bidi controls, zero-width characters, BOM
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return true;
    default:
      return false;
  }
}

void append_escape(std::string &out, const char *format, unsigned long value) {
  char text[16];
  std::snprintf(text, sizeof text, format, value);
  out += text;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto *bytes = reinterpret_cast<const utf8proc_uint8_t *>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    utf8proc_int32_t code_point = -1;
    const utf8proc_ssize_t length = utf8proc_iterate(
        bytes + i, static_cast<utf8proc_ssize_t>(text.size() - i), &code_point);
    if (length <= 0 || code_point < 0) {
      append_escape(out, "\\x%02x", bytes[i]);
      ++i;
      continue;
    }
    if (!must_escape(code_point)) {
      out.append(text.substr(i, static_cast<std::size_t>(length)));
    } else if (code_point < 0x80) {
      append_escape(out, "\\x%02lx", static_cast<unsigned long>(code_point));
    } else if (code_point <= 0xFFFF) {
      append_escape(out, "\\u%04lx", static_cast<unsigned long>(code_point));
    } else {
      append_escape(out, "\\U%08lx", static_cast<unsigned long>(code_point));
    }
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::size_t display_width(std::string_view printable_text) {
  std::size_t width = 0;
  const auto *bytes = reinterpret_cast<const utf8proc_uint8_t *>(printable_text.data());
  for (std::size_t i = 0; i < printable_text.size();) {
    utf8proc_int32_t code_point = -1;
    const utf8proc_ssize_t length = utf8proc_iterate(
        bytes + i, static_cast<utf8proc_ssize_t>(printable_text.size() - i), &code_point);
    if (length <= 0) {
      ++width;
      ++i;
      continue;
    }
    width += static_cast<std::size_t>(utf8proc_charwidth(code_point));
    i += static_cast<std::size_t>(length);
  }
  return width;
}

}  // namespace npshm_cli
