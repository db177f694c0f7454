// The table of lifetime policies, made from NPSHM_LIFETIMES (see lifetimes.hpp).
#include "common/lifetimes.hpp"

#include <string>

#include "common/named_values.hpp"

namespace npshm {

namespace {

#define NPSHM_LIFETIME_ROW(NAME, name, value) {Lifetime::name, #name},
constexpr NamedValue<Lifetime> kLifetimes[] = {NPSHM_LIFETIMES(NPSHM_LIFETIME_ROW)};
#undef NPSHM_LIFETIME_ROW
static_assert(runs_from_zero(kLifetimes),
              "NPSHM_LIFETIMES: values run from 0 up, one row each, in order (a new policy takes the next value)");
static_assert(sizeof kLifetimes / sizeof kLifetimes[0] == kLifetimeCount, "one row per policy");

}  // namespace

std::optional<Lifetime> lifetime_from_value(long long value) noexcept { return value_of(kLifetimes, value); }
const char *lifetime_name(int value) noexcept { return name_of(kLifetimes, value); }
std::optional<Lifetime> lifetime_from_name(const char *name) noexcept { return value_of_name(kLifetimes, name); }

const char *lifetime_names() noexcept {
  static const std::string names = [] {
    std::string text;
    for (const NamedValue<Lifetime> &l : kLifetimes) text += (text.empty() ? "" : ", ") + std::string(l.name);
    return text;
  }();
  return names.c_str();
}

}  // namespace npshm
