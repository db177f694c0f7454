// Facts from the system that the library does not give: user names,
// command names of processes, free space of a directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

}  // namespace npshm_cli
