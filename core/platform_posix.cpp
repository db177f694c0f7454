// The parts of platform.hpp that every POSIX system has in the same form.
#include <sys/mman.h>

#include <cerrno>

#include "platform.hpp"

namespace npshm {
namespace platform {

int sync_mapping(void *addr, std::size_t len, bool async, bool invalidate) {
  const int flags = (async ? MS_ASYNC : MS_SYNC) | (invalidate ? MS_INVALIDATE : 0);
  return ::msync(addr, len, flags) == 0 ? 0 : errno;
}

int lock_mapping(void *addr, std::size_t len) { return ::mlock(addr, len) == 0 ? 0 : errno; }

int unlock_mapping(void *addr, std::size_t len) { return ::munlock(addr, len) == 0 ? 0 : errno; }

}  // namespace platform
}  // namespace npshm
