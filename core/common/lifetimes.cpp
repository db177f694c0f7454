// The table of lifetime policies (see lifetimes.hpp).
#include "common/lifetimes.hpp"

#include <cstddef>
#include <cstring>
#include <string>

#include "npshm.h"

namespace npshm {

namespace {

struct Lifetime {
  int value;
  const char *name;
};

// One line per lifetime policy, in the order of the values.
constexpr Lifetime kLifetimes[] = {
    {NPSHM_LIFETIME_PERSISTENT, "persistent"},
    {NPSHM_LIFETIME_OWNER, "owner"},
    {NPSHM_LIFETIME_LAST, "last"},
};
constexpr std::size_t kCount = sizeof kLifetimes / sizeof kLifetimes[0];

constexpr bool rows_run_from_zero() {
  for (std::size_t i = 0; i < kCount; ++i)
    if (kLifetimes[i].value != static_cast<int>(i)) return false;
  return true;
}
static_assert(rows_run_from_zero(), "lifetimes run from 0 up, one row each, in order");
static_assert(kCount == NPSHM_LIFETIME_COUNT, "NPSHM_LIFETIME_COUNT (npshm.h) is the table's size");

}  // namespace

const char *lifetime_name(int lifetime) noexcept {
  return lifetime >= 0 && lifetime < static_cast<int>(kCount) ? kLifetimes[lifetime].name : nullptr;
}

int lifetime_from_name(const char *name) noexcept {
  if (!name) return -1;
  for (const Lifetime &l : kLifetimes)
    if (std::strcmp(name, l.name) == 0) return l.value;
  return -1;
}

const char *lifetime_names() noexcept {
  static const std::string names = [] {
    std::string text;
    for (const Lifetime &l : kLifetimes) text += (text.empty() ? "" : ", ") + std::string(l.name);
    return text;
  }();
  return names.c_str();
}

}  // namespace npshm
