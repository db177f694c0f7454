// The parts of platform.hpp that every POSIX system has in the same form.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "platform.hpp"

namespace npshm {
namespace platform {

int map_file(int fd, std::size_t len, bool writable, void *&addr) {
  void *map = ::mmap(nullptr, len, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return errno;
  addr = map;
  return 0;
}

void unmap_file(void *addr, std::size_t len) { ::munmap(addr, len); }

int file_status(int fd, struct stat &st) { return ::fstat(fd, &st) == 0 ? 0 : errno; }

int set_mode(int fd, mode_t mode) { return ::fchmod(fd, mode) == 0 ? 0 : errno; }

bool name_taken(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

int sync_mapping(void *addr, std::size_t len, bool async, bool invalidate) {
  const int flags = (async ? MS_ASYNC : MS_SYNC) | (invalidate ? MS_INVALIDATE : 0);
  return ::msync(addr, len, flags) == 0 ? 0 : errno;
}

int lock_mapping(void *addr, std::size_t len) { return ::mlock(addr, len) == 0 ? 0 : errno; }

int unlock_mapping(void *addr, std::size_t len) { return ::munlock(addr, len) == 0 ? 0 : errno; }

}  // namespace platform
}  // namespace npshm
