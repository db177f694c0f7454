// libFuzzer target: the Python-literal parser under NPY headers and dtypes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "literal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npshm::Literal value;
  std::string error;
  npshm::parse_literal(std::string_view(reinterpret_cast<const char *>(data), size), value, error);
  // quote_string's output is a literal that parses back to the same string.
  const std::string quoted = npshm::quote_string(std::string_view(reinterpret_cast<const char *>(data), size));
  npshm::Literal again;
  if (!npshm::parse_literal(quoted, again, error) || again.kind != npshm::Literal::Kind::String ||
      again.text != std::string(reinterpret_cast<const char *>(data), size))
    __builtin_trap();
  return 0;
}
