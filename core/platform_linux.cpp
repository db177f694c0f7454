#include "platform.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#if defined(__linux__)
#include <sys/random.h>
#endif

namespace npshm {
namespace platform {

#if defined(__linux__) && defined(F_OFD_SETLK)

namespace {
int set_lock(int fd, short type) {
  struct flock lk;
  std::memset(&lk, 0, sizeof lk);
  lk.l_type = type;
  lk.l_whence = SEEK_SET;
  lk.l_start = 0;
  lk.l_len = 1;
  if (fcntl(fd, F_OFD_SETLK, &lk) == 0) return 0;
  return (errno == EACCES || errno == EAGAIN) ? EAGAIN : errno;
}
}  // namespace

int try_lock_shared(int fd) { return set_lock(fd, F_RDLCK); }
int try_lock_exclusive(int fd) { return set_lock(fd, F_WRLCK); }

#else  // POSIX fallback: flock locks also belong to the open file description.

int try_lock_shared(int fd) {
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

int try_lock_exclusive(int fd) {
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

#endif

int count_holders(dev_t dev, ino_t ino) {
#if defined(__linux__)
  // Lines look like "12: OFDLCK ADVISORY  READ  -1 00:1a:4711 0 0";
  // blocked waiters start with "12: ->" and are not holders.
  std::FILE *f = std::fopen("/proc/locks", "re");
  if (!f) return -1;
  char line[256];
  int count = 0;
  while (std::fgets(line, sizeof line, f)) {
    char kind[16], mode[16], access[16];
    long pid;
    unsigned maj, min;
    unsigned long long inode;
    char start[32];
    if (std::sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu %31s", kind, mode, access, &pid,
                    &maj, &min, &inode, start) != 8)
      continue;  // includes "->" waiter lines, whose fields do not parse
    if (std::strcmp(kind, "OFDLCK") != 0 && std::strcmp(kind, "FLOCK") != 0) continue;
    if (maj != major(dev) || min != minor(dev) || inode != static_cast<unsigned long long>(ino))
      continue;
    if (std::strcmp(start, "0") != 0) continue;
    ++count;
  }
  std::fclose(f);
  return count;
#else
  (void)dev;
  (void)ino;
  return -1;
#endif
}

int reserve(int fd, std::uint64_t size) {
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) return errno;
  int err = posix_fallocate(fd, 0, static_cast<off_t>(size));
  // File systems that cannot reserve keep the plain ftruncate.
  if (err == EOPNOTSUPP || err == ENOSYS) return 0;
  return err;
}

void random_bytes(void *buf, std::size_t len) {
  auto *out = static_cast<unsigned char *>(buf);
#if defined(__linux__)
  std::size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(out + done, len - done, GRND_NONBLOCK);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done == len) return;
#endif
  static thread_local std::mt19937_64 fallback(
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      static_cast<std::uint64_t>(getpid()));
  for (std::size_t i = 0; i < len; ++i) out[i] = static_cast<unsigned char>(fallback());
}

}  // namespace platform
}  // namespace npshm
