// libFuzzer target: the dtype parser (npshm_create's dtype argument and
// every header's 'descr').
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format/dtype.hpp"
#include "common/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npshm::Dtype dtype;
  try {
    dtype = npshm::parse_dtype(std::string_view(reinterpret_cast<const char *>(data), size));
  } catch (const npshm::Error &e) {
    if (e.code() != npshm::Errc::invalid) __builtin_trap();  // a refused dtype: a normal outcome
    return 0;
  }
  // The normalised text parses to itself, with the same description (a
  // throw here escapes and libFuzzer reports it).
  const npshm::Dtype again = npshm::parse_dtype(dtype.descr);
  if (again.descr != dtype.descr || again.itemsize != dtype.itemsize || again.kind != dtype.kind ||
      again.fields.size() != dtype.fields.size())
    __builtin_trap();
  // Fields lie inside the item, in order.
  std::size_t end = 0;
  for (const npshm::DtypeField &f : dtype.fields) {
    if (f.offset != end || f.offset > dtype.itemsize) __builtin_trap();
    std::size_t count = 1;
    for (std::int64_t d : f.shape) count *= static_cast<std::size_t>(d);
    end = f.offset + f.type.itemsize * count;
  }
  if (!dtype.fields.empty() && end != dtype.itemsize) __builtin_trap();
  return 0;
}
