#include "platform.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

bool processes_mapping(dev_t dev, ino_t ino, std::vector<pid_t> &pids, std::size_t &mappings) {
  pids.clear();
  mappings = 0;
#if defined(__linux__)
  DIR *proc = opendir("/proc");
  if (!proc) return false;
  while (struct dirent *e = readdir(proc)) {
    char *end;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/maps", pid);
    std::FILE *f = std::fopen(path, "re");
    if (!f) continue;  // gone, or not ours to inspect
    // "7f00-7f80 rw-s 00000000 00:1a 4711   /dev/shm/name"
    char line[4096];
    std::size_t found = 0;
    while (std::fgets(line, sizeof line, f)) {
      unsigned maj, min;
      unsigned long long inode;
      if (std::sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &inode) == 3 && maj == major(dev) &&
          min == minor(dev) && inode == static_cast<unsigned long long>(ino))
        ++found;
      // A line longer than the buffer continues in the next read.
      while (!std::strchr(line, '\n') && std::fgets(line, sizeof line, f)) {
      }
    }
    std::fclose(f);
    if (found) {
      pids.push_back(static_cast<pid_t>(pid));
      mappings += found;
    }
  }
  closedir(proc);
  std::sort(pids.begin(), pids.end());
  return true;
#else
  (void)dev;
  (void)ino;
  return false;
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
