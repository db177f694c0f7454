// The memory orders of the C ABI as data: each value with its name ("C",
// "F", NumPy's spelling).  The C ABI serves it (npshm_order_name,
// npshm_order_from_name).  Values run from 0 to NPSHM_ORDER_COUNT - 1.
#pragma once

namespace npshm {

// "C", "F"; nullptr for a value that is no order.
const char *order_name(int order) noexcept;
// The inverse; -1 for a name that is no order (or nullptr).
int order_from_name(const char *name) noexcept;

}  // namespace npshm
