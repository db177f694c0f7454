#include "system_info.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <memory>
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

namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "directory";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "device";
  return "other";
}

struct DirCloser {
  void operator()(DIR *dir) const { ::closedir(dir); }
};

}  // namespace

std::vector<OtherFile> other_files(const std::string &directory) {
  std::vector<OtherFile> found;
  // O_DIRECTORY | O_NOFOLLOW: only the directory itself is opened, never a
  // file in it.
  const int fd = ::open(directory.c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return found;
  const std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
  if (!dir) {
    ::close(fd);
    return found;
  }
  while (const dirent *entry = ::readdir(dir.get())) {
    if (entry->d_name[0] == '.') continue;
    struct stat st;
    if (::fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISREG(st.st_mode))
      continue;
    found.push_back({entry->d_name, kind_of(st.st_mode), static_cast<std::uint64_t>(st.st_size),
                     st.st_uid, static_cast<unsigned int>(st.st_mode & 07777),
                     static_cast<std::int64_t>(st.st_mtime)});
  }
  return found;
}

}  // namespace npshm_cli
