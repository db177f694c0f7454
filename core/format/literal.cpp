// A parser for the Python literals of NPY headers (untrusted input).
#include "format/literal.hpp"

#include "common/error.hpp"

namespace npshm {

namespace {

constexpr int kMaxDepth = 32;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Literal parse() {
    Literal out;
    value(out, 0);
    skip_space();
    if (pos_ != text_.size())
      throw Error(Errc::invalid, "unexpected text after the literal at offset " + std::to_string(pos_));
    return out;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  [[noreturn]] void fail(const char *message) const {
    throw Error(Errc::invalid, std::string(message) + " at offset " + std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++pos_;
  }
  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void value(Literal &out, int depth) {
    if (depth > kMaxDepth) return fail("literal nested too deeply");
    skip_space();
    if (at_end()) return fail("unexpected end of text");
    char c = peek();
    if (c == '\'' || c == '"') return string(out);
    if (c >= '0' && c <= '9') return integer(out);
    if (c == '(') return sequence(out, Literal::Kind::Tuple, ')', depth);
    if (c == '[') return sequence(out, Literal::Kind::List, ']', depth);
    if (c == '{') return dict(out, depth);
    if (consume("True")) {
      out.kind = Literal::Kind::Boolean;
      out.boolean = true;
      return;
    }
    if (consume("False")) {
      out.kind = Literal::Kind::Boolean;
      out.boolean = false;
      return;
    }
    return fail("unexpected character");
  }

  void integer(Literal &out) {
    std::uint64_t v = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      unsigned digit = static_cast<unsigned>(peek() - '0');
      if (v > (UINT64_MAX - digit) / 10) return fail("integer too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (!at_end() && (peek() == 'L' || peek() == 'l')) ++pos_;  // Python 2 longs
    out.kind = Literal::Kind::Integer;
    out.integer = v;
    return;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void append_utf8(std::string &s, std::uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  void hex_escape(int digits, std::string &s) {
    std::uint32_t cp = 0;
    for (int i = 0; i < digits; ++i) {
      if (at_end()) return fail("truncated escape in string");
      int h = hex_value(peek());
      if (h < 0) return fail("bad hex escape in string");
      cp = cp * 16 + static_cast<std::uint32_t>(h);
      ++pos_;
    }
    if (cp > 0x10FFFF) return fail("escape out of Unicode range");
    append_utf8(s, cp);
    return;
  }

  void string(Literal &out) {
    char quote = peek();
    ++pos_;
    std::string s;
    for (;;) {
      if (at_end()) return fail("unterminated string");
      char c = peek();
      ++pos_;
      if (c == quote) break;
      if (c == '\n') return fail("newline in string");
      if (c != '\\') {
        s += c;
        continue;
      }
      if (at_end()) return fail("unterminated string");
      char e = peek();
      ++pos_;
      switch (e) {
        case '\\': s += '\\'; break;
        case '\'': s += '\''; break;
        case '"': s += '"'; break;
        case 'n': s += '\n'; break;
        case 't': s += '\t'; break;
        case 'r': s += '\r'; break;
        case '0': s += '\0'; break;
        case 'x': hex_escape(2, s); break;
        case 'u': hex_escape(4, s); break;
        case 'U': hex_escape(8, s); break;
        default: return fail("unsupported escape in string");
      }
    }
    out.kind = Literal::Kind::String;
    out.text = std::move(s);
    return;
  }

  void sequence(Literal &out, Literal::Kind kind, char close, int depth) {
    ++pos_;  // opening bracket
    out.kind = kind;
    out.items.clear();
    bool saw_comma = false;
    for (;;) {
      skip_space();
      if (at_end()) return fail("unterminated tuple or list");
      if (peek() == close) {
        ++pos_;
        break;
      }
      if (!out.items.empty() && !saw_comma) return fail("expected ',' between items");
      Literal item;
      value(item, depth + 1);
      out.items.push_back(std::move(item));
      skip_space();
      saw_comma = false;
      if (peek() == ',') {
        ++pos_;
        saw_comma = true;
      }
    }
    // "(5)" is the integer 5 in Python, not a tuple.
    if (kind == Literal::Kind::Tuple && out.items.size() == 1 && !saw_comma) {
      Literal inner = std::move(out.items[0]);
      out = std::move(inner);
    }
    return;
  }

  void dict(Literal &out, int depth) {
    ++pos_;  // '{'
    out.kind = Literal::Kind::Dict;
    out.items.clear();
    bool saw_comma = true;
    for (;;) {
      skip_space();
      if (at_end()) return fail("unterminated dict");
      if (peek() == '}') {
        ++pos_;
        return;
      }
      if (!saw_comma) return fail("expected ',' between dict items");
      Literal key, value_;
      value(key, depth + 1);
      skip_space();
      if (peek() != ':') return fail("expected ':' in dict");
      ++pos_;
      value(value_, depth + 1);
      out.items.push_back(std::move(key));
      out.items.push_back(std::move(value_));
      skip_space();
      saw_comma = false;
      if (peek() == ',') {
        ++pos_;
        saw_comma = true;
      }
    }
  }
};

}  // namespace

Literal parse_literal(std::string_view text) { return Parser(text).parse(); }

std::string quote_string(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\x00"; break;
      default: out += c;
    }
  }
  out += '\'';
  return out;
}

std::string shape_text(const std::vector<std::int64_t> &shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace npshm
