// The lifetime policies of the C ABI as data: each value with its name.
// This table is the only place the names are written; the C ABI serves it
// (npshm_lifetime_name, npshm_lifetime_from_name) and the bindings and the
// CLI build their lists from it.  Values run from 0 to
// NPSHM_LIFETIME_COUNT - 1 (checked at compile time).
#pragma once

namespace npshm {

// "persistent", "owner", "last"; nullptr for a value that is no lifetime.
const char *lifetime_name(int lifetime) noexcept;
// The inverse; -1 for a name that is no lifetime (or nullptr).
int lifetime_from_name(const char *name) noexcept;
// The names, comma-separated ("persistent, owner, last"), for messages.
const char *lifetime_names() noexcept;

}  // namespace npshm
