#include "file_paths.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "failure.hpp"

namespace npshm_cli {

std::string base_name(const std::string &path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const std::size_t slash = trimmed.rfind('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

std::string file_stem(const std::string &path) {
  const std::string base = base_name(path);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string::npos || dot == 0) return base;
  return base.substr(0, dot);
}

std::string parent_directory(const std::string &path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string absolute_path(const std::string &path) {
  if (!path.empty() && path[0] == '/') return path;
  std::vector<char> buffer(4096);
  while (::getcwd(buffer.data(), buffer.size()) == nullptr) {
    if (errno != ERANGE)
      throw Failure(1, std::string("cannot get the working directory (") + std::strerror(errno) + ")");
    buffer.resize(buffer.size() * 2);
  }
  std::string cwd = buffer.data();
  if (cwd.back() != '/') cwd += '/';
  return cwd + path;
}

}  // namespace npshm_cli
