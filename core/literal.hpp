// A parser for the small subset of Python literals that NPY headers use:
// strings, non-negative integers, True/False, tuples, lists and dicts.
// The input is untrusted (it comes from a file header), so the parser never
// reads past the given text, limits nesting depth, and reports errors as
// messages instead of failing in any other way.
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
// allowed).  On failure returns false and sets error.
bool parse_literal(std::string_view text, Literal &out, std::string &error);

// Python repr of a string: single quotes, backslash escapes as needed.
std::string quote_string(std::string_view s);

}  // namespace npshm
