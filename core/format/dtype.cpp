// NPY dtype descriptions: parsing, validation and normalisation.
#include "format/dtype.hpp"

#include <cstdint>
#include <set>
#include <vector>

#include "common/error.hpp"
#include "common/escape.hpp"

namespace npshm {

namespace {

constexpr std::size_t kMaxItemsize = std::size_t{1} << 31;
constexpr int kMaxDepth = 16;

[[noreturn]] void fail(const std::string &why) { throw Error(Errc::invalid, why); }

char native_order() {
  const std::uint16_t probe = 1;
  return *reinterpret_cast<const unsigned char *>(&probe) == 1 ? '<' : '>';
}

bool valid_time_unit(std::string_view unit) {
  // Optional multiplier, then one of NumPy's datetime units.
  std::size_t i = 0;
  while (i < unit.size() && unit[i] >= '0' && unit[i] <= '9') ++i;
  if (i > 9) return false;
  std::string_view base = unit.substr(i);
  static const char *const units[] = {"Y", "M", "W", "D", "h", "m", "s",
                                      "ms", "us", "ns", "ps", "fs", "as"};
  for (const char *u : units)
    if (base == u) return true;
  return false;
}

// One type string such as "<f8", "f8", "|S10", "<M8[ns]".
void parse_simple(std::string_view text, Dtype &out) {
  const std::string shown = quote_string(text);
  std::string_view s = text;
  char order = '=';
  if (!s.empty() && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=')) {
    order = s[0];
    s.remove_prefix(1);
  }
  if (s.empty()) {
    fail("empty dtype " + shown);
  }
  const char kind = s[0];
  s.remove_prefix(1);
  if (std::string_view("biufcSUVMm").find(kind) == std::string_view::npos) {
    fail("unsupported dtype " + shown +
            " (kinds b i u f c S U V M m only; Python objects and other types cannot be shared)");
  }
  std::string_view unit;
  if (kind == 'M' || kind == 'm') {
    std::size_t open = s.find('[');
    if (open != std::string_view::npos) {
      if (s.back() != ']') {
        fail("bad datetime unit in dtype " + shown);
      }
      unit = s.substr(open + 1, s.size() - open - 2);
      s = s.substr(0, open);
      if (!valid_time_unit(unit)) {
        fail("unknown datetime unit in dtype " + shown);
      }
    }
  }
  if (s.empty() || s.size() > 10) {
    fail("dtype " + shown + " needs an item size (for example '<f8')");
  }
  std::uint64_t size = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      fail("bad item size in dtype " + shown);
    }
    size = size * 10 + static_cast<unsigned>(c - '0');
  }
  bool size_ok = false;
  std::uint64_t itemsize = size;
  switch (kind) {
    case 'b': size_ok = size == 1; break;
    case 'i':
    case 'u': size_ok = size == 1 || size == 2 || size == 4 || size == 8; break;
    case 'f': size_ok = size == 2 || size == 4 || size == 8 || size == 16; break;
    case 'c': size_ok = size == 8 || size == 16 || size == 32; break;
    case 'M':
    case 'm': size_ok = size == 8; break;
    case 'S':
    case 'V': size_ok = size >= 1 && size < kMaxItemsize; break;
    case 'U':
      size_ok = size >= 1 && size < kMaxItemsize / 4;
      itemsize = size * 4;
      break;
    default:
      break;  // excluded above
  }
  if (!size_ok) {
    fail("unsupported item size in dtype " + shown);
  }
  // Byte order: '|' when it cannot matter, else explicit.
  const bool one_byte = kind == 'b' || kind == 'S' || kind == 'V' || size == 1;
  if (one_byte)
    order = '|';
  else if (order == '=' || order == '|')
    order = native_order();
  out.descr = std::string(1, order) + kind + std::to_string(size);
  if (!unit.empty()) out.descr += "[" + std::string(unit) + "]";
  out.itemsize = static_cast<std::size_t>(itemsize);
  out.kind = kind;
  out.byteorder = order;
  out.unit = std::string(unit);
  out.fields.clear();
}

void from_literal(const Literal &value, Dtype &out, int depth);

// One field: its normalised text into out, and its description into info
// (offset left to the caller).
void parse_field(const Literal &field, Dtype &out, DtypeField &info, int depth) {
  if (field.kind != Literal::Kind::Tuple || field.items.size() < 2 || field.items.size() > 3) {
    fail("a structured dtype field must be (name, dtype) or (name, dtype, shape)");
  }
  const Literal &name = field.items[0];
  std::string name_text;
  if (name.kind == Literal::Kind::String) {
    name_text = quote_string(name.text);
    info.name = name.text;
  } else if (name.kind == Literal::Kind::Tuple && name.items.size() == 2 &&
             name.items[0].kind == Literal::Kind::String &&
             name.items[1].kind == Literal::Kind::String) {
    name_text = "(" + quote_string(name.items[0].text) + ", " + quote_string(name.items[1].text) + ")";
    info.title = name.items[0].text;
    info.has_title = true;
    info.name = name.items[1].text;
  } else {
    fail("a structured dtype field name must be a string or (title, name)");
  }
  Dtype inner;
  from_literal(field.items[1], inner, depth + 1);
  std::uint64_t count = 1;
  std::string shape_suffix;
  if (field.items.size() == 3) {
    const Literal &shape = field.items[2];
    std::vector<std::int64_t> dims;
    if (shape.kind == Literal::Kind::Integer || shape.kind == Literal::Kind::Tuple) {
      const bool single = shape.kind == Literal::Kind::Integer;
      for (const Literal &d : single ? std::vector<Literal>{shape} : shape.items) {
        if (d.kind != Literal::Kind::Integer || d.integer > kMaxItemsize) {
          fail("a structured dtype field shape must hold integers below 2**31");
        }
        dims.push_back(static_cast<std::int64_t>(d.integer));
      }
    } else {
      fail("a structured dtype field shape must be an integer or a tuple");
    }
    for (std::int64_t extent : dims) {
      const auto d = static_cast<std::uint64_t>(extent);
      if (d != 0 && count > kMaxItemsize / d) {
        fail("structured dtype field too large");
      }
      count *= d;
    }
    shape_suffix = ", " + shape_text(dims);
    info.shape = dims;
  }
  if (count != 0 && inner.itemsize > kMaxItemsize / count) {
    fail("structured dtype field too large");
  }
  const std::string inner_text = inner.descr[0] == '[' ? inner.descr : quote_string(inner.descr);
  out.descr = "(" + name_text + ", " + inner_text + shape_suffix + ")";
  out.itemsize = static_cast<std::size_t>(inner.itemsize * count);
  info.type = std::move(inner);
}

void from_literal(const Literal &value, Dtype &out, int depth) {
  if (depth > kMaxDepth) {
    fail("structured dtype nested too deeply");
  }
  if (value.kind == Literal::Kind::String) return parse_simple(value.text, out);
  if (value.kind != Literal::Kind::List) {
    fail("a dtype must be a type string or a list of fields");
  }
  if (value.items.empty()) {
    fail("a structured dtype needs at least one field");
  }
  std::string descr = "[";
  std::size_t itemsize = 0;
  std::set<std::string> names;  // field names and titles, unique as numpy requires
  std::vector<DtypeField> fields(value.items.size());
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    Dtype field;
    parse_field(value.items[i], field, fields[i], depth);
    fields[i].offset = itemsize;
    const Literal &name = value.items[i].items[0];
    // Padding, as numpy.save writes a struct with gaps: fields named '' of
    // a plain void type, as many as there are gaps (numpy.load skips them).
    const bool padding = name.kind == Literal::Kind::String && name.text.empty() &&
                         fields[i].type.kind == 'V' && fields[i].type.fields.empty();
    for (const Literal *n : padding ? std::vector<const Literal *>{}
                            : name.kind == Literal::Kind::String
                                ? std::vector<const Literal *>{&name}
                                : std::vector<const Literal *>{&name.items[0], &name.items[1]}) {
      if (!valid_utf8(n->text)) {
        fail("a structured dtype field name is not valid UTF-8");
      }
      if (!names.insert(n->text).second) {
        fail("duplicate field name " + quote_string(n->text) + " in a structured dtype");
      }
    }
    if (itemsize + field.itemsize >= kMaxItemsize) {
      fail("structured dtype too large");
    }
    itemsize += field.itemsize;
    if (i) descr += ", ";
    descr += field.descr;
  }
  if (itemsize == 0) {
    fail("a structured dtype must not have size 0");
  }
  out.descr = descr + "]";
  out.itemsize = itemsize;
  out.kind = 'V';
  out.byteorder = '|';
  out.unit.clear();
  out.fields = std::move(fields);
}

}  // namespace

Dtype dtype_from_literal(const Literal &value) {
  Dtype out;
  from_literal(value, out, 0);
  return out;
}

Dtype parse_dtype(std::string_view text) {
  std::size_t start = text.find_first_not_of(" \t");
  if (start != std::string_view::npos && (text[start] == '[' || text[start] == '\'' || text[start] == '"')) {
    Literal value;
    try {
      value = parse_literal(text);
    } catch (const Error &e) {
      throw e.in("cannot parse dtype " + quote_string(text));
    }
    return dtype_from_literal(value);
  }
  Dtype out;
  parse_simple(text, out);
  return out;
}

}  // namespace npshm
