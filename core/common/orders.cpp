// The table of memory orders (see orders.hpp).
#include "common/orders.hpp"

#include <cstddef>
#include <cstring>

#include "npshm.h"

namespace npshm {

namespace {

struct Order {
  int value;
  const char *name;
};

constexpr Order kOrders[] = {
    {NPSHM_ORDER_C, "C"},
    {NPSHM_ORDER_F, "F"},
};
constexpr std::size_t kCount = sizeof kOrders / sizeof kOrders[0];

constexpr bool rows_run_from_zero() {
  for (std::size_t i = 0; i < kCount; ++i)
    if (kOrders[i].value != static_cast<int>(i)) return false;
  return true;
}
static_assert(rows_run_from_zero(), "orders run from 0 up, one row each, in order");
static_assert(kCount == NPSHM_ORDER_COUNT, "NPSHM_ORDER_COUNT (npshm.h) is the table's size");

}  // namespace

const char *order_name(int order) noexcept {
  return order >= 0 && order < static_cast<int>(kCount) ? kOrders[order].name : nullptr;
}

int order_from_name(const char *name) noexcept {
  if (!name) return -1;
  for (const Order &o : kOrders)
    if (std::strcmp(name, o.name) == 0) return o.value;
  return -1;
}

}  // namespace npshm
