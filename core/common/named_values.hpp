// A table of an enumeration's values with their names, the values running
// from 0 up in the table's order: the lookups lifetimes.cpp and orders.cpp
// serve from their lists.
#pragma once

#include <cstddef>
#include <cstring>
#include <optional>

namespace npshm {

template <class E>
struct NamedValue {
  E value;
  const char *name;
};

// Whether row i holds value i, for every row (a static_assert of each table).
template <class E, std::size_t N>
constexpr bool runs_from_zero(const NamedValue<E> (&rows)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (static_cast<long long>(rows[i].value) != static_cast<long long>(i)) return false;
  return true;
}

// The enumerator of a number, or nullopt for a number the table does not have.
template <class E, std::size_t N>
constexpr std::optional<E> value_of(const NamedValue<E> (&rows)[N], long long value) noexcept {
  if (value < 0 || value >= static_cast<long long>(N)) return std::nullopt;
  return rows[value].value;
}

// The name of a number, or nullptr for a number the table does not have.
template <class E, std::size_t N>
constexpr const char *name_of(const NamedValue<E> (&rows)[N], long long value) noexcept {
  return value >= 0 && value < static_cast<long long>(N) ? rows[value].name : nullptr;
}

// The value named name, or nullopt (also for nullptr).
template <class E, std::size_t N>
std::optional<E> value_of_name(const NamedValue<E> (&rows)[N], const char *name) noexcept {
  if (!name) return std::nullopt;
  for (const NamedValue<E> &row : rows)
    if (std::strcmp(name, row.name) == 0) return row.value;
  return std::nullopt;
}

}  // namespace npshm
