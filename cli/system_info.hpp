// Facts from the system that the library does not give: user names,
// command names of processes, free space of a directory, the entries of the
// shm directory that are not regular files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace npshm_cli {

// The user name of uid, or the number as text if it has none.
std::string user_name(unsigned int uid);

// The command name of a process (/proc/PID/comm), or "?" if unreadable.
std::string process_command(std::int64_t pid);

struct SpaceInfo {
  std::uint64_t free_bytes;   // available to unprivileged users
  std::uint64_t total_bytes;
};
// statvfs of the directory; nullopt if it fails.
std::optional<SpaceInfo> directory_space(const std::string &directory);

// A directory entry that is not a regular file, from lstat (nothing is
// opened or followed).
struct OtherFile {
  std::string name;
  std::string kind;  // "directory", "symlink", "fifo", "socket", "device", "other"
  std::uint64_t size;
  unsigned int uid;
  unsigned int mode;  // permission bits
  std::int64_t mtime;
};
// The entries of directory that are not regular files, except hidden ones
// (names starting with '.'); empty if it cannot be read.
std::vector<OtherFile> other_files(const std::string &directory);

}  // namespace npshm_cli
