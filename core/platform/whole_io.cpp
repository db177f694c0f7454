// Whole reads and writes at an offset, retrying short transfers and EINTR.
#include "platform/whole_io.hpp"

#include <unistd.h>

#include <cerrno>

namespace npshm {

int pread_all(int fd, void *buf, std::size_t len, std::uint64_t offset) {
  auto *p = static_cast<char *>(buf);
  while (len > 0) {
    ssize_t n = ::pread(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;  // the file is shorter than it said
    p += n;
    len -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return 0;
}

int pwrite_all(int fd, const void *buf, std::size_t len, std::uint64_t offset) {
  const auto *p = static_cast<const char *>(buf);
  while (len > 0) {
    ssize_t n = ::pwrite(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    p += n;
    len -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return 0;
}

}  // namespace npshm
