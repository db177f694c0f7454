// Whole reads and writes at an offset, retrying short transfers and EINTR.
#pragma once

#include <cstddef>
#include <cstdint>

namespace npshm {

// Read exactly len bytes at offset.  Returns 0, an errno, or EIO if the
// file ends first.
int pread_all(int fd, void *buf, std::size_t len, std::uint64_t offset);

// Write exactly len bytes at offset.  Returns 0 or an errno.
int pwrite_all(int fd, const void *buf, std::size_t len, std::uint64_t offset);

}  // namespace npshm
