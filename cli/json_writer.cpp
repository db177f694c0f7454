#include "json_writer.hpp"

#include "text_escape.hpp"

namespace npshm_cli {

void JsonWriter::newline_indent() {
  out_ << '\n';
  for (std::size_t i = 0; i < levels_.size(); ++i) out_ << "  ";
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  if (!levels_.back().empty) out_ << ',';
  levels_.back().empty = false;
  newline_indent();
}

JsonWriter &JsonWriter::key(std::string_view name) {
  before_value();
  out_ << json_quote(name) << ": ";
  after_key_ = true;
  return *this;
}

JsonWriter &JsonWriter::begin_object() {
  before_value();
  out_ << '{';
  levels_.push_back(Level{});
  return *this;
}

JsonWriter &JsonWriter::begin_array() {
  before_value();
  out_ << '[';
  levels_.push_back(Level{});
  return *this;
}

void JsonWriter::close(char bracket) {
  const bool empty = levels_.back().empty;
  levels_.pop_back();
  if (!empty) newline_indent();
  out_ << bracket;
}

JsonWriter &JsonWriter::end_object() {
  close('}');
  return *this;
}

JsonWriter &JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter &JsonWriter::string(std::string_view text) {
  before_value();
  out_ << json_quote(text);
  return *this;
}

JsonWriter &JsonWriter::number(std::int64_t value) {
  before_value();
  out_ << value;
  return *this;
}

JsonWriter &JsonWriter::number(std::uint64_t value) {
  before_value();
  out_ << value;
  return *this;
}

JsonWriter &JsonWriter::boolean(bool value) {
  before_value();
  out_ << (value ? "true" : "false");
  return *this;
}

JsonWriter &JsonWriter::null() {
  before_value();
  out_ << "null";
  return *this;
}

void JsonWriter::finish() { out_ << '\n'; }

}  // namespace npshm_cli
