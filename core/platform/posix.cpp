// The parts of platform.hpp that every POSIX system has in the same form,
// and the building blocks (platform/posix.hpp) that the system-specific
// files, platform/linux.cpp and platform/posix_fallback.cpp, share.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <vector>

#include "platform/platform.hpp"
#include "platform/posix.hpp"
#include "platform/temp_names.hpp"

namespace npshm {
namespace platform {

int HolderCounts::count(dev_t dev, ino_t ino) const {
  if (!known_) return -1;
  auto it = counts_.find({dev, ino});
  return it == counts_.end() ? 0 : it->second;
}

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

int reserve(int fd, std::uint64_t size) {
  if (size == 0) return 0;
  int err = posix_fallocate(fd, 0, static_cast<off_t>(size));
  if (err != EOPNOTSUPP && err != ENOSYS && err != EINVAL) return err;
  // The file system cannot reserve: write every byte instead, so the pages
  // (or disk blocks) exist, or ENOSPC says now that they cannot.
  static const std::vector<char> zeros(std::size_t{1} << 20, 0);
  for (std::uint64_t done = 0; done < size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), size - done));
    ssize_t w = ::pwrite(fd, zeros.data(), n, static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno;
    done += static_cast<std::uint64_t>(w);
  }
  return 0;
}

int file_system_space(int fd, uid_t uid, Space &out) {
  struct statvfs fs;
  if (::fstatvfs(fd, &fs) != 0) return errno;
  const std::uint64_t unit = fs.f_frsize ? fs.f_frsize : fs.f_bsize;
  out.size = static_cast<std::uint64_t>(fs.f_blocks) * unit;
  out.available = static_cast<std::uint64_t>(fs.f_bavail) * unit;
  out.quota = uid != 0 && quota_left(fd, uid, out.quota_left);
  return 0;
}

void pin_library(const void *address) {
  Dl_info info;
  if (::dladdr(address, &info) == 0 || !info.dli_fname) return;
  // RTLD_NOLOAD: only what is loaded already (the library itself, or the
  // program it is linked into), one more reference that dlclose never
  // drops.
  ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

int regular_or_not(int f, int &fd, struct stat &st) {
  fd = -1;
  if (::fstat(f, &st) != 0) {
    const int err = errno;
    ::close(f);
    return err;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(f);
    return kNotRegular;
  }
  fd = f;
  return 0;
}

int open_regular_at(int dirfd, const std::string &name, int access, int &fd, struct stat &st) {
  fd = -1;
  int f = ::openat(dirfd, name.c_str(), access | kOpenUntrusted);
  if (f < 0) {
    const int err = errno;
    // A symbolic link (ELOOP), a directory opened for writing (EISDIR), a
    // socket or a FIFO without reader (ENXIO): say what it is.
    if ((err == ELOOP || err == EISDIR || err == ENXIO || err == EOPNOTSUPP) &&
        ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
      return kNotRegular;
    return err;
  }
  return regular_or_not(f, fd, st);
}

int open_regular(const std::string &path, int access, int &fd, struct stat &st) {
  return open_regular_at(AT_FDCWD, path, access, fd, st);
}

const char *file_kind(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

int unlink_if_same(int fd, const std::string &path, int wait_ms) {
  for (int waited = 0; ::flock(fd, LOCK_EX | LOCK_NB) != 0; waited += 5) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return errno;
    if (waited >= wait_ms) return EWOULDBLOCK;
    struct timespec pause = {0, 5 * 1000 * 1000};
    ::nanosleep(&pause, nullptr);
  }
  struct stat ours, named;
  int err = 0;
  if (::fstat(fd, &ours) != 0)
    err = errno;
  else if (::lstat(path.c_str(), &named) != 0 || named.st_dev != ours.st_dev || named.st_ino != ours.st_ino)
    err = ESTALE;
  else if (::unlink(path.c_str()) != 0)
    err = errno;
  ::flock(fd, LOCK_UN);
  return err;
}

NewFile::~NewFile() {
  if (!temp_name.empty()) ::unlinkat(dirfd, in_directory(*this, temp_name).c_str(), 0);
}

std::string in_directory(const NewFile &file, const std::string &name) {
  if (file.directory.empty()) return name;
  return file.directory.back() == '/' ? file.directory + name : file.directory + "/" + name;
}

int directory_identity(const std::string &directory, dev_t &dev, ino_t &ino) {
  struct stat st;
  if (::stat(directory.c_str(), &st) != 0) return errno;
  if (!S_ISDIR(st.st_mode)) return ENOTDIR;
  dev = st.st_dev;
  ino = st.st_ino;
  return 0;
}

namespace {

std::uint64_t mix64(std::uint64_t z) {  // splitmix64's finaliser: a bijection
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

// The generator: a random seed and a counter; id = mix64(seed + counter).
// Distinct counters give distinct ids within a process; a forked child
// draws a new seed, so it does not repeat its parent's ids.
std::atomic<std::uint64_t> id_seed{0};
std::atomic<std::uint64_t> id_counter{0};
std::once_flag id_once;

void reseed() { id_seed.store(fresh_seed(), std::memory_order_relaxed); }

}  // namespace

std::uint64_t clock_seed() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return mix64(static_cast<std::uint64_t>(ts.tv_sec) * 1000000007u + static_cast<std::uint64_t>(ts.tv_nsec) +
               (static_cast<std::uint64_t>(::getpid()) << 32));
}

std::uint64_t random_id() {
  std::call_once(id_once, [] {
    reseed();
    ::pthread_atfork(nullptr, nullptr, reseed);
  });
  for (;;) {
    const std::uint64_t n = id_counter.fetch_add(0x9E3779B97F4A7C15u, std::memory_order_relaxed);
    const std::uint64_t id = mix64(id_seed.load(std::memory_order_relaxed) + n);
    if (id != 0) return id;
  }
}

int create_temp_named(int dirfd, const std::string &directory, mode_t mode, NewFile &file) {
  file.dirfd = dirfd;
  file.directory = directory;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = make_temp_name(file.base, random_id());
    const int fd = ::openat(dirfd, in_directory(file, name).c_str(),
                            O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) {
      file.fd = fd;
      file.temp_name = std::move(name);
      return 0;
    }
    if (errno != EEXIST) return errno;  // EEXIST: left by a dead process with our pid
  }
  return EEXIST;
}

int publish_temp_name(NewFile &file, const std::string &name, bool replace) {
  const std::string temp = in_directory(file, file.temp_name);
  const std::string target = in_directory(file, name);
  int err = 0;
  if (replace) {
    if (::renameat(file.dirfd, temp.c_str(), file.dirfd, target.c_str()) != 0) err = errno;
  } else if (::linkat(file.dirfd, temp.c_str(), file.dirfd, target.c_str(), 0) != 0) {
    err = errno;  // never replaces: EEXIST if anything has the name
  }
  if (err || !replace) ::unlinkat(file.dirfd, temp.c_str(), 0);
  file.temp_name.clear();
  return err;
}

int copy_by_reads(int src, off_t in, int dst, off_t out, std::uint64_t left) {
  std::vector<char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(left, 1 << 20)));
  while (left > 0) {
    ssize_t n = ::pread(src, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size())), in);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::pwrite(dst, buf.data() + done, static_cast<std::size_t>(n - done), out + done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return errno;
      done += w;
    }
    in += n;
    out += n;
    left -= static_cast<std::uint64_t>(n);
  }
  return 0;
}

}  // namespace platform
}  // namespace npshm
