// A parser for the small subset of Python literals that NPY headers use:
// strings, non-negative integers, True/False, tuples, lists and dicts.
// The input is untrusted (it comes from a file header), so the parser never
// reads past the given text, limits nesting depth, and reports errors only
// by throwing npshm::Error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace npshm {

struct Literal {
  enum class Kind { String, Integer, Boolean, Tuple, List, Dict };
  Kind kind = Kind::Integer;
  std::string text;                // String
  std::uint64_t integer = 0;       // Integer (never negative in NPY)
  bool boolean = false;            // Boolean
  std::vector<Literal> items;      // Tuple, List; Dict: key, value, key, ...
};

// Parse exactly one literal filling all of text (surrounding whitespace
// allowed).  Throws Error(Errc::invalid) with the cause and its offset
// (the caller adds the context, see error.hpp).
Literal parse_literal(std::string_view text);

// Python repr of a string: single quotes, backslash escapes as needed.
std::string quote_string(std::string_view s);

// Python repr of a tuple of integers, as a shape is written in an NPY
// header: "(3, 4)", "(5,)", "()".
std::string shape_text(const std::vector<std::int64_t> &shape);

}  // namespace npshm
