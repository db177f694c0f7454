// The memory orders: one row each in NPSHM_ORDERS, the only place the core
// writes one.  From the list come the enum Order, the names the C ABI serves
// (npshm_order_name, npshm_order_from_name), and capi.cpp's compile-time
// check that include/npshm.h declares every order as NPSHM_ORDER_<NAME> with
// the same value.  Values run from 0 up without gaps (checked at compile
// time).
#pragma once

#include <optional>

// row(NAME, value): NPSHM_ORDER_<NAME> in the C ABI, its name (NumPy's
// spelling, "C" or "F") and Order's enumerator; the stable value.
#define NPSHM_ORDERS(row) \
  row(C, 0)               \
  row(F, 1)               \
  /* (the end of the list) */

namespace npshm {

enum class Order : int {
#define NPSHM_ORDER_ENUMERATOR(NAME, value) NAME = value,
  NPSHM_ORDERS(NPSHM_ORDER_ENUMERATOR)
#undef NPSHM_ORDER_ENUMERATOR
};

// How many orders there are.
#define NPSHM_ORDER_ONE(NAME, value) +1
constexpr int kOrderCount = 0 NPSHM_ORDERS(NPSHM_ORDER_ONE);
#undef NPSHM_ORDER_ONE

// The order of a value; nullopt for a value that is no order.
std::optional<Order> order_from_value(int value) noexcept;
// "C", "F"; nullptr for a value that is no order.
const char *order_name(int value) noexcept;
// The inverse; nullopt for a name that is no order (or nullptr).
std::optional<Order> order_from_name(const char *name) noexcept;

}  // namespace npshm
