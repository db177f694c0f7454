// A streaming JSON writer with two-space indentation; it places the commas
// and escapes strings (see json_quote()).
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace npshm_cli {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream &out) : out_(out) {}

  JsonWriter &begin_object();
  JsonWriter &end_object();
  JsonWriter &begin_array();
  JsonWriter &end_array();
  // The key of the next value inside an object.
  JsonWriter &key(std::string_view name);

  JsonWriter &string(std::string_view text);
  JsonWriter &number(std::int64_t value);
  JsonWriter &number(std::uint64_t value);
  JsonWriter &number(int value) { return number(static_cast<std::int64_t>(value)); }
  JsonWriter &number(unsigned int value) { return number(static_cast<std::uint64_t>(value)); }
  JsonWriter &boolean(bool value);
  JsonWriter &null();

  // Ends the document with a newline (all containers must be closed).
  void finish();

 private:
  void before_value();
  void close(char bracket);
  void newline_indent();

  struct Level {
    bool empty = true;
  };
  std::ostream &out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace npshm_cli
