// libFuzzer target: the Python-literal parser under NPY headers and dtypes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "format/literal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    npshm::parse_literal(text);
  } catch (const npshm::Error &e) {
    if (e.code() != npshm::Errc::invalid) __builtin_trap();  // a refused literal: a normal outcome
  }
  // quote_string's output is a literal that parses back to the same string
  // (a throw here escapes and libFuzzer reports it).
  const npshm::Literal again = npshm::parse_literal(npshm::quote_string(text));
  if (again.kind != npshm::Literal::Kind::String || again.text != std::string(text)) __builtin_trap();
  return 0;
}
