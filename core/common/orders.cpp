// The table of memory orders, made from NPSHM_ORDERS (see orders.hpp).
#include "common/orders.hpp"

#include "common/named_values.hpp"

namespace npshm {

namespace {

#define NPSHM_ORDER_ROW(NAME, value) {Order::NAME, #NAME},
constexpr NamedValue<Order> kOrders[] = {NPSHM_ORDERS(NPSHM_ORDER_ROW)};
#undef NPSHM_ORDER_ROW
static_assert(runs_from_zero(kOrders), "NPSHM_ORDERS: values run from 0 up, one row each, in order");
static_assert(sizeof kOrders / sizeof kOrders[0] == kOrderCount, "one row per order");

}  // namespace

std::optional<Order> order_from_value(int value) noexcept { return value_of(kOrders, value); }
const char *order_name(int value) noexcept { return name_of(kOrders, value); }
std::optional<Order> order_from_name(const char *name) noexcept { return value_of_name(kOrders, name); }

}  // namespace npshm
