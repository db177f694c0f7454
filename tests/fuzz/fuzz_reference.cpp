// libFuzzer target: the saved-reference parser (npshm_ref_parse), which
// reads text from pickles and serialized R objects anyone may hand over.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "store/reference.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  npshm::Reference ref;
  try {
    ref = npshm::parse_reference(text);
  } catch (const npshm::Error &e) {
    if (e.code() != npshm::Errc::invalid) __builtin_trap();
    return 0;
  }
  // What parses is canonical: formatting it gives the same text back.
  if (npshm::format_reference(ref) != text) __builtin_trap();
  if (ref.shape.size() != ref.strides.size()) __builtin_trap();
  // Checking the view against a small array never fails other than by Error.
  npshm::Layout layout;
  layout.dtype = ref.dtype;
  layout.nbytes = 4096;
  try {
    npshm::check_reference(ref, layout, ref.id, "fuzz");
  } catch (const npshm::Error &) {
  }
  return 0;
}
