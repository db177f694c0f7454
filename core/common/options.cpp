// The optional settings of create, attach, list and gc.
#include "common/options.hpp"

#include "common/error.hpp"
#include "common/lifetimes.hpp"

namespace npshm {

namespace {
[[noreturn]] void invalid(const std::string &why) { throw Error(Errc::invalid, why); }
}  // namespace

void Options::set_lifetime(int value) {
  const std::optional<Lifetime> known = lifetime_from_value(value);
  if (!known) invalid("unknown lifetime " + std::to_string(value));
  lifetime = *known;
}

void Options::set_mode(unsigned int value) {
  if (value > 0777) invalid("mode " + std::to_string(value) + " is not within 0..0777");
  mode = value;
}

void Options::set_fill(const void *item, std::size_t size) {
  if (item && size == 0) invalid("fill item has size 0");
  const auto *bytes = static_cast<const unsigned char *>(item);
  fill.assign(bytes, item ? bytes + size : bytes);
}

void Options::set_directory(const char *value) {
  if (value && value[0] != '/') invalid(std::string("directory '") + value + "' is not an absolute path");
  if (value)
    directory = value;
  else
    directory.reset();
}

void Options::set_gc_min_age(int seconds) {
  if (seconds < 0) invalid("gc minimum age " + std::to_string(seconds) + " is negative");
  gc_min_age = seconds;
}

const Options &default_options() {
  static const Options defaults;
  return defaults;
}

}  // namespace npshm
