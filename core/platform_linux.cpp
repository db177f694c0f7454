#include "platform.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__linux__)
#include <linux/magic.h>
#include <sys/random.h>
#include <sys/vfs.h>
#include <sys/sendfile.h>
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

int is_held(int fd) {
  struct flock lk;
  std::memset(&lk, 0, sizeof lk);
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  lk.l_start = 0;
  lk.l_len = 1;
  if (fcntl(fd, F_OFD_GETLK, &lk) != 0) return -1;
  return lk.l_type == F_UNLCK ? 0 : 1;
}

int try_lock_shared(int fd) { return set_lock(fd, F_RDLCK); }
void unlock(int fd) { set_lock(fd, F_UNLCK); }
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

void unlock(int fd) { flock(fd, LOCK_UN); }

int is_held(int fd) {
  (void)fd;
  return -1;
}

#endif

HolderCounts::HolderCounts() {
#if defined(__linux__)
  // Lines look like "12: OFDLCK ADVISORY  READ  -1 00:1a:4711 0 0";
  // blocked waiters ("12: -> ...") are not holders.
  std::FILE *f = std::fopen("/proc/locks", "re");
  if (!f) return;
  known_ = true;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    char kind[16], mode[16], access[16];
    long pid;
    unsigned maj, min;
    unsigned long long inode;
    char start[32];
    if (std::sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu %31s", kind, mode, access, &pid, &maj,
                    &min, &inode, start) != 8)
      continue;  // includes waiter lines, whose fields do not parse
#if defined(F_OFD_SETLK)
    // flock locks are removers (unlink_if_same), not holders.
    if (std::strcmp(kind, "OFDLCK") != 0) continue;
#else
    if (std::strcmp(kind, "FLOCK") != 0) continue;
#endif
    if (std::strcmp(start, "0") != 0) continue;
    ++counts_[{makedev(maj, min), static_cast<ino_t>(inode)}];
  }
  std::fclose(f);
#endif
}

int HolderCounts::count(dev_t dev, ino_t ino) const {
  if (!known_) return -1;
  auto it = counts_.find({dev, ino});
  return it == counts_.end() ? 0 : it->second;
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


namespace {
std::atomic<unsigned> temp_counter{0};

bool proc_fd_available() {
  static const bool available = ::access("/proc/self/fd", X_OK) == 0;
  return available;
}
}  // namespace

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

int open_regular(const std::string &path, int access, int &fd, struct stat &st) {
  fd = -1;
  int f = ::open(path.c_str(), access | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (f < 0) {
    const int err = errno;
    // A symbolic link (ELOOP), a directory opened for writing (EISDIR), a
    // socket or a FIFO without reader (ENXIO): say what it is.
    if ((err == ELOOP || err == EISDIR || err == ENXIO || err == EOPNOTSUPP) &&
        ::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      return kNotRegular;
    return err;
  }
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

bool unnamed_files_supported(const std::string &directory) {
#if defined(__linux__) && defined(O_TMPFILE)
  if (!proc_fd_available()) return false;
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL;
  ::close(fd);
  return true;
#else
  (void)directory;
  return false;
#endif
}

std::size_t huge_page_size(int fd, const struct stat &st) {
  static const long page = ::sysconf(_SC_PAGESIZE);
  if (st.st_blksize <= page) return 0;  // the usual case: no extra call
#if defined(__linux__)
  struct statfs fs;
  if (::fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == HUGETLBFS_MAGIC)
    return static_cast<std::size_t>(st.st_blksize);
#else
  (void)fd;
#endif
  return 0;
}

int populate(void *addr, std::size_t len, bool writable, int fd) {
  const int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  if (len == 0) return 0;
#if defined(__linux__)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
  for (;;) {
    if (::madvise(addr, len, writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0) return 0;
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno != EINVAL) return errno;
    break;  // a kernel before 5.14
  }
#endif
  if (::mmap(addr, len, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED) return errno;
  return 0;
}

std::size_t backing_page_size(dev_t dev, std::size_t hugetlb_block) {
  const auto base = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (hugetlb_block) return hugetlb_block;
#if defined(__linux__)
  // "36 35 0:33 / /dev/shm rw,nosuid shared:1 - tmpfs tmpfs rw,size=...,huge=always"
  std::FILE *f = std::fopen("/proc/self/mountinfo", "re");
  if (!f) return base;
  char line[4096];
  std::size_t size = base;
  while (std::fgets(line, sizeof line, f)) {
    unsigned maj = 0, min = 0;
    if (std::sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2 || makedev(maj, min) != dev) continue;
    const char *rest = std::strstr(line, " - ");
    if (!rest || std::strncmp(rest, " - tmpfs ", 9) != 0) break;
    if (std::strstr(rest, "huge=always") || std::strstr(rest, "huge=within_size") ||
        std::strstr(rest, "huge=advise")) {
      std::FILE *p = std::fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
      unsigned long pmd = 0;
      if (p && std::fscanf(p, "%lu", &pmd) == 1 && pmd > base) size = pmd;
      if (p) std::fclose(p);
    }
    break;
  }
  std::fclose(f);
  return size;
#else
  (void)dev;
  return base;
#endif
}

namespace {

std::uint64_t mix64(std::uint64_t z) {  // splitmix64's finaliser: a bijection
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

std::uint64_t fresh_seed() {
  std::uint64_t seed = 0;
#if defined(__linux__)
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) return seed;
#endif
  // No kernel randomness yet: time and pid, mixed.
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return mix64(static_cast<std::uint64_t>(ts.tv_sec) * 1000000007u + static_cast<std::uint64_t>(ts.tv_nsec) +
               (static_cast<std::uint64_t>(::getpid()) << 32));
}

// The generator: a random seed and a counter; id = mix64(seed + counter).
// Distinct counters give distinct ids within a process; a forked child
// draws a new seed, so it does not repeat its parent's ids.
std::atomic<std::uint64_t> id_seed{0};
std::atomic<std::uint64_t> id_counter{0};
std::once_flag id_once;

void reseed() { id_seed.store(fresh_seed(), std::memory_order_relaxed); }

}  // namespace

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

int create_unnamed(const std::string &directory, mode_t mode, NewFile &out) {
#if defined(__linux__) && defined(O_TMPFILE)
  if (proc_fd_available()) {
    int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
    if (fd >= 0) {
      out.fd = fd;
      out.temp_path.clear();
      return 0;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return errno;
    // the file system cannot: fall back to a temporary name
  }
#endif
  for (int attempt = 0; attempt < 100; ++attempt) {
    char name[64];
    std::snprintf(name, sizeof name, "/.npshm-tmp-%lx-%x", static_cast<long>(getpid()),
                  temp_counter.fetch_add(1));
    std::string path = directory + name;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0700);
    if (fd >= 0) {
      out.fd = fd;
      out.temp_path = std::move(path);
      return 0;
    }
    if (errno != EEXIST) return errno;  // EEXIST: left by a dead process with our pid
  }
  return EEXIST;
}

int publish(const NewFile &file, const std::string &path) {
  if (!file.temp_path.empty()) return ::link(file.temp_path.c_str(), path.c_str()) == 0 ? 0 : errno;
#if defined(AT_EMPTY_PATH)
  // Naming the descriptor directly is quicker but needs CAP_DAC_READ_SEARCH;
  // without it, go through /proc (and stop trying the direct way).
  static std::atomic<bool> empty_path_allowed{true};
  if (empty_path_allowed.load(std::memory_order_relaxed)) {
    if (::linkat(file.fd, "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH) == 0) return 0;
    if (errno != EPERM && errno != ENOENT) return errno;
    empty_path_allowed.store(false, std::memory_order_relaxed);
  }
#endif
  char proc_path[64];
  std::snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", file.fd);
  return ::linkat(AT_FDCWD, proc_path, AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

int create_unnamed_at(int dirfd, mode_t mode, int &fd) {
  fd = -1;
#if defined(__linux__) && defined(O_TMPFILE)
  if (!proc_fd_available()) return EOPNOTSUPP;
  fd = ::openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (fd >= 0) return 0;
  return (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) ? EOPNOTSUPP : errno;
#else
  (void)dirfd;
  (void)mode;
  return EOPNOTSUPP;
#endif
}

int link_unnamed_at(int fd, int dirfd, const std::string &name) {
#if defined(AT_EMPTY_PATH)
  static std::atomic<bool> empty_path_allowed{true};
  if (empty_path_allowed.load(std::memory_order_relaxed)) {
    if (::linkat(fd, "", dirfd, name.c_str(), AT_EMPTY_PATH) == 0) return 0;
    if (errno != EPERM && errno != ENOENT) return errno;
    empty_path_allowed.store(false, std::memory_order_relaxed);
  }
#endif
  char proc_path[64];
  std::snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  return ::linkat(AT_FDCWD, proc_path, dirfd, name.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

void drop_temp_name(NewFile &file) {
  if (!file.temp_path.empty()) ::unlink(file.temp_path.c_str());
  file.temp_path.clear();
}

int copy_range(int src, std::uint64_t src_offset, int dst, std::uint64_t dst_offset,
               std::uint64_t len) {
  auto in = static_cast<off_t>(src_offset), out = static_cast<off_t>(dst_offset);
  std::uint64_t left = len;
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 30;
#if defined(__linux__)
  // copy_file_range: in the kernel; refuses some file system pairs (EXDEV).
  while (left > 0) {
    ssize_t n = ::copy_file_range(src, &in, dst, &out, static_cast<std::size_t>(std::min(left, kChunk)), 0);
    if (n > 0) {
      left -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n == 0) return EIO;  // the source is shorter than it said
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
    break;
  }
  // sendfile: in the kernel too, writes at dst's file position.
  if (left > 0 && ::lseek(dst, out, SEEK_SET) == out) {
    while (left > 0) {
      ssize_t n = ::sendfile(dst, src, &in, static_cast<std::size_t>(std::min(left, kChunk)));
      if (n > 0) {
        left -= static_cast<std::uint64_t>(n);
        out += n;
        continue;
      }
      if (n == 0) return EIO;
      if (errno == EINTR) continue;
      if (errno != EINVAL && errno != ENOSYS) return errno;
      break;
    }
  }
#endif
  // Plain reads and writes.
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

int boot_id(std::string &out) {
#if defined(__linux__)
  int fd = ::open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return errno;
  char buf[64];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n < 0) return err;
  std::string id(buf, static_cast<std::size_t>(n));
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  if (id.empty() || id.size() > 40) return EIO;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return EIO;
  out = id;
  return 0;
#else
  char host[256];
  if (::gethostname(host, sizeof host) != 0) return errno;
  host[sizeof host - 1] = '\0';
  out = host;
  return 0;
#endif
}

int directory_identity(const std::string &directory, dev_t &dev, ino_t &ino) {
  struct stat st;
  if (::stat(directory.c_str(), &st) != 0) return errno;
  if (!S_ISDIR(st.st_mode)) return ENOTDIR;
  dev = st.st_dev;
  ino = st.st_ino;
  return 0;
}

}  // namespace platform
}  // namespace npshm
