#include "system_info.hpp"

#include <pwd.h>
#include <sys/statvfs.h>

#include <fstream>
#include <vector>

namespace npshm_cli {

std::string user_name(unsigned int uid) {
  struct passwd entry;
  struct passwd *found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(), &found) == 0 &&
      found != nullptr)
    return found->pw_name;
  return std::to_string(uid);
}

std::string process_command(std::int64_t pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!comm || !std::getline(comm, name)) return "?";
  return name;
}

std::optional<SpaceInfo> directory_space(const std::string &directory) {
  struct statvfs fs;
  if (::statvfs(directory.c_str(), &fs) != 0) return std::nullopt;
  return SpaceInfo{static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize,
                   static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize};
}

}  // namespace npshm_cli
