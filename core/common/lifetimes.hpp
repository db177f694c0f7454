// The lifetime policies: one row each in NPSHM_LIFETIMES, the only place
// the core writes one.  From the list come the enum Lifetime, the names the
// C ABI serves (npshm_lifetime_name, npshm_lifetime_from_name; the bindings
// and the CLI build their lists from them), and capi.cpp's compile-time
// check that include/npshm.h declares every policy as NPSHM_LIFETIME_<NAME>
// with the same value.  Values run from 0 up without gaps (checked at
// compile time).
#pragma once

#include <optional>

// row(NAME, name, value): NPSHM_LIFETIME_<NAME> in the C ABI; the name
// ("owner"), also Lifetime's enumerator; the stable value (it is written
// into files: never renumbered).  A new policy is a new last row, with the
// next value, and its NPSHM_LIFETIME_ constant in npshm.h
// (NPSHM_LIFETIME_COUNT too); what it does is segment.cpp's and
// exit_hook.cpp's.
#define NPSHM_LIFETIMES(row)      \
  row(PERSISTENT, persistent, 0)  \
  row(OWNER, owner, 1)            \
  row(LAST, last, 2)              \
  /* (the end of the list) */

namespace npshm {

enum class Lifetime : int {
#define NPSHM_LIFETIME_ENUMERATOR(NAME, name, value) name = value,
  NPSHM_LIFETIMES(NPSHM_LIFETIME_ENUMERATOR)
#undef NPSHM_LIFETIME_ENUMERATOR
};

// How many policies there are.
#define NPSHM_LIFETIME_ONE(NAME, name, value) +1
constexpr int kLifetimeCount = 0 NPSHM_LIFETIMES(NPSHM_LIFETIME_ONE);
#undef NPSHM_LIFETIME_ONE

// The policy of a value (from a caller or a file); nullopt for a value that
// is no lifetime.  The one check of a lifetime's value.
std::optional<Lifetime> lifetime_from_value(long long value) noexcept;
// "persistent", "owner", "last"; nullptr for a value that is no lifetime.
const char *lifetime_name(int value) noexcept;
// The inverse; nullopt for a name that is no lifetime (or nullptr).
std::optional<Lifetime> lifetime_from_name(const char *name) noexcept;
// The names, comma-separated ("persistent, owner, last"), for messages.
const char *lifetime_names() noexcept;

}  // namespace npshm
