// Free space checked before reserving, so npshm never fills a file system.
#include "store/space.hpp"

#include <algorithm>

#include "common/byte_size.hpp"
#include "common/error.hpp"
#include "platform/platform.hpp"

namespace npshm {

std::uint64_t space_margin(std::uint64_t fs_size) {
  constexpr std::uint64_t kFloor = std::uint64_t{16} << 20;
  return std::max(fs_size / 100, std::min(kFloor, fs_size / 8));
}

std::uint64_t unallocated_bytes(const struct stat &st, std::uint64_t size) {
  const std::uint64_t unit = st.st_blksize > 0 ? static_cast<std::uint64_t>(st.st_blksize) : 4096;
  const std::uint64_t whole = (size + unit - 1) / unit * unit;
  const std::uint64_t allocated = static_cast<std::uint64_t>(st.st_blocks) * 512;
  return whole > allocated ? whole - allocated : 0;
}

void check_space(int fd, uid_t uid, std::uint64_t need, const std::string &what, const std::string &where) {
  if (need == 0) return;
  platform::Space space;
  if (platform::file_system_space(fd, uid, space) != 0) return;
  if (space.quota && need > space.quota_left)
    throw Error(Errc::no_space, what + ": no space left in " + where + " for " + human_bytes(need) +
                                      ": the block quota of uid " + std::to_string(uid) + " allows " +
                                      human_bytes(space.quota_left) + " more (nothing was reserved)",
                EDQUOT);
  if (space.size == 0) return;
  const std::uint64_t margin = space_margin(space.size);
  if (space.available >= margin && need <= space.available - margin) return;
  throw Error(Errc::no_space, what + ": no space left in " + where + " for " + human_bytes(need) +
                                    ": " + human_bytes(space.available) + " is free of " + human_bytes(space.size) +
                                    ", and npshm keeps " + human_bytes(margin) +
                                    " free for other programs' shared memory (nothing was reserved)",
              ENOSPC);
}

}  // namespace npshm
