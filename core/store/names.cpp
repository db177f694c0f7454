// Array names: shm:// names in the shm directory and file:// paths.
#include "store/names.hpp"

#include <cstdlib>
#include <cstring>

#include "common/error.hpp"
#include "format/literal.hpp"
#include "store/user_path.hpp"

namespace npshm {

std::string shm_directory(const std::string *explicit_dir) {
  if (explicit_dir && !explicit_dir->empty()) return *explicit_dir;
  const char *env = std::getenv("NPSHM_DIR");
  if (env && *env) return env;
  return "/dev/shm";
}

Location shm_location(const std::string &directory, const std::string &basename) {
  Location loc;
  loc.is_shm = true;
  loc.name = "shm://" + basename;
  loc.directory = directory;
  loc.basename = basename;
  loc.path = directory + (directory.back() == '/' ? "" : "/") + basename;
  return loc;
}

std::string cli_name(const Location &loc) {
  if (!loc.is_shm || (!loc.basename.empty() && loc.basename[0] == '-')) return loc.name;
  return loc.basename;
}

namespace {

[[noreturn]] void invalid(const char *what, const std::string &name, const std::string &why) {
  throw Error(Errc::invalid, std::string(what) + " " + quote_string(name) + ": invalid name: " + why);
}

}  // namespace

Location resolve_name(const char *name, const std::string *explicit_dir, const char *what) {
  if (name == nullptr) throw Error(Errc::invalid, std::string(what) + ": name is NULL");
  const std::string full(name);
  std::string rest = full;
  if (rest.rfind("file://", 0) == 0) {
    std::string path = rest.substr(7);
    if (path.empty() || path[0] != '/')
      invalid(what, full, "a file:// name needs an absolute path (file:///dir/x.npy)");
    if (path.back() == '/') invalid(what, full, "the path names a directory");
    Location loc;
    loc.is_shm = false;
    loc.name = "file://" + path;
    loc.path = path;
    split_path(path, loc.directory, loc.basename);
    return loc;
  }
  if (rest.rfind("shm://", 0) == 0) {
    rest = rest.substr(6);
  } else if (rest.find("://") != std::string::npos) {
    invalid(what, full, "unknown scheme (use shm://NAME or file:///path)");
  }
  if (rest.empty()) invalid(what, full, "the name is empty");
  if (rest.size() > kMaxNameBytes)
    invalid(what, full, "longer than " + std::to_string(kMaxNameBytes) + " bytes");
  if (rest.find('/') != std::string::npos) invalid(what, full, "'/' is not allowed in shm names");
  if (rest[0] == '.') invalid(what, full, "shm names must not start with '.'");
  for (unsigned char c : rest)
    if (c < 0x20 || c == 0x7f) invalid(what, full, "control characters are not allowed");
  return shm_location(shm_directory(explicit_dir), rest);
}

}  // namespace npshm
