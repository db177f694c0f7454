#include "file_paths.hpp"

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

}  // namespace npshm_cli
