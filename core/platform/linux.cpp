// platform.hpp on Linux: OFD locks, /proc, O_TMPFILE, renameat2, copy_file_range,
// MADV_POPULATE, getrandom, fstatfs, fallocate, quotactl_fd.  Other POSIX systems build
// platform/posix_fallback.cpp instead; what every POSIX system has in the
// same form is in platform/posix.cpp.
#include "platform/platform.hpp"

// Builds that compile every core file (the R package's src/, which has no
// configure step) get code from this file only on Linux.
#if defined(__linux__) && !defined(NPSHM_POSIX_FALLBACK)

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/quota.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "platform/posix.hpp"
#include "platform/temp_names.hpp"

namespace npshm {
namespace platform {

// Holder locks (byte 0) and array locks (lock_byte's offset): OFD locks,
// which belong to the open file description and convert from shared to
// exclusive atomically.  Returns 0, EAGAIN (a conflicting lock) or an errno.
namespace {
int lock_byte(int fd, std::uint64_t offset, short type) {
  struct flock lk;
  std::memset(&lk, 0, sizeof lk);
  lk.l_type = type;
  lk.l_whence = SEEK_SET;
  lk.l_start = static_cast<off_t>(offset);
  lk.l_len = 1;
  if (fcntl(fd, F_OFD_SETLK, &lk) == 0) return 0;
  return (errno == EACCES || errno == EAGAIN) ? EAGAIN : errno;
}

int set_lock(int fd, short type) { return lock_byte(fd, 0, type); }

bool proc_fd_available() {
  static const bool available = ::access("/proc/self/fd", X_OK) == 0;
  return available;
}
}  // namespace

int other_lock_holder(int fd) {
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

namespace {

// One reading of /proc/locks: the holder locks of every file.
bool read_lock_table(std::map<std::pair<dev_t, ino_t>, int> &counts) {
  counts.clear();
  // Lines look like "12: OFDLCK ADVISORY  READ  -1 00:1a:4711 0 0";
  // blocked waiters ("12: -> ...") are not holders.
  std::FILE *f = std::fopen("/proc/locks", "re");
  if (!f) return false;
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
    // Every kind of lock another process may hold on byte 0: OFD locks
    // (npshm's), classic POSIX record locks (fcntl F_SETLK, lockf) and
    // flock locks.  (A remover's flock, held for the microseconds of an
    // unlink_if_same, counts too while it is held.)  Leases and
    // delegations are not holders.
    if (std::strcmp(kind, "OFDLCK") != 0 && std::strcmp(kind, "POSIX") != 0 && std::strcmp(kind, "FLOCK") != 0)
      continue;
    if (std::strcmp(start, "0") != 0) continue;
    ++counts[{makedev(maj, min), static_cast<ino_t>(inode)}];
  }
  std::fclose(f);
  return true;
}

}  // namespace

HolderCounts::HolderCounts() {
  // The kernel hands /proc/locks out a page at a time, each page a snapshot
  // of its own: locks taken or dropped between two pages shift the lines,
  // so one line may come twice, or not at all.  Two readings that agree
  // are taken as the count (at most a few readings while locks churn).
  std::map<std::pair<dev_t, ino_t>, int> again;
  if (!read_lock_table(counts_)) return;
  known_ = true;
  for (int reading = 0; reading < 4; ++reading) {
    if (!read_lock_table(again) || again == counts_) return;
    counts_.swap(again);
  }
}

bool processes_mapping(dev_t dev, ino_t ino, std::vector<pid_t> &pids, std::size_t &mappings) {
  pids.clear();
  mappings = 0;
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
}

bool unnamed_files_supported(const std::string &directory) {
  if (!proc_fd_available()) return false;
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL;
  ::close(fd);
  return true;
}

int reserve_existing(int fd, std::uint64_t size) {
  if (size == 0) return 0;
  // The system call, not posix_fallocate: glibc's posix_fallocate writes a
  // byte into every block where the file system cannot reserve, which
  // would race with other writers of the file.
  for (;;) {
    if (::fallocate(fd, 0, 0, static_cast<off_t>(size)) == 0) return 0;
    if (errno == EINTR) continue;
    return (errno == ENOSYS || errno == EINVAL) ? EOPNOTSUPP : errno;
  }
}

bool quota_left(int fd, uid_t uid, std::uint64_t &left) {
#ifdef SYS_quotactl_fd
  // One system call (Linux 5.14): ESRCH, ENOSYS, ... when no quota is on.
  struct if_dqblk q;
  std::memset(&q, 0, sizeof q);
  if (::syscall(SYS_quotactl_fd, fd, QCMD(Q_GETQUOTA, USRQUOTA), static_cast<unsigned>(uid), &q) != 0) return false;
  if (!(q.dqb_valid & QIF_BLIMITS) || q.dqb_bhardlimit == 0) return false;
  const std::uint64_t limit = q.dqb_bhardlimit * QIF_DQBLKSIZE;
  left = q.dqb_curspace >= limit ? 0 : limit - q.dqb_curspace;
  return true;
#else
  (void)fd;
  (void)uid;
  (void)left;
  return false;
#endif
}

std::size_t huge_page_size(int fd, const struct stat &st) {
  static const long page = ::sysconf(_SC_PAGESIZE);
  if (st.st_blksize <= page) return 0;  // the usual case: no extra call
  struct statfs fs;
  if (::fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == HUGETLBFS_MAGIC)
    return static_cast<std::size_t>(st.st_blksize);
  return 0;
}

int populate(void *addr, std::size_t len, bool writable, int fd) {
  const int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  if (len == 0) return 0;
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
  if (::mmap(addr, len, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED) return errno;
  return 0;
}

std::size_t backing_page_size(dev_t dev, std::size_t hugetlb_block) {
  const auto base = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (hugetlb_block) return hugetlb_block;
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
}

std::uint64_t fresh_seed() {
  std::uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) return seed;
  return clock_seed();  // no kernel randomness yet
}

int create_new_file(int dirfd, const std::string &directory, const std::string &base, mode_t mode,
                    NewFile &out) {
  out.base = base;
  if (proc_fd_available()) {
    const int fd = ::openat(dirfd, directory.empty() ? "." : directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
    if (fd >= 0) {
      out.fd = fd;
      out.dirfd = dirfd;
      out.directory = directory;
      out.temp_name.clear();
      return 0;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return errno;
    // the file system cannot: fall back to a temporary name
  }
  return create_temp_named(dirfd, directory, mode, out);
}

namespace {

// Give the unnamed file fd the name path (relative to dirfd).  Returns 0 or
// an errno (EEXIST if anything has that name).
int link_unnamed(int fd, int dirfd, const std::string &path) {
  // Naming the descriptor directly is quicker but needs CAP_DAC_READ_SEARCH;
  // without it, go through /proc (and stop trying the direct way).
  static std::atomic<bool> empty_path_allowed{true};
  if (empty_path_allowed.load(std::memory_order_relaxed)) {
    if (::linkat(fd, "", dirfd, path.c_str(), AT_EMPTY_PATH) == 0) return 0;
    if (errno != EPERM && errno != ENOENT) return errno;
    empty_path_allowed.store(false, std::memory_order_relaxed);
  }
  char proc_path[64];
  std::snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  return ::linkat(AT_FDCWD, proc_path, dirfd, path.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

}  // namespace

int publish_new_file(NewFile &file, const std::string &name, bool replace) {
  if (!file.temp_name.empty()) {
    if (!replace) {
      // One call that never overwrites, where the file system has it.
      const std::string temp = in_directory(file, file.temp_name);
      if (::renameat2(file.dirfd, temp.c_str(), file.dirfd, in_directory(file, name).c_str(), RENAME_NOREPLACE) ==
          0) {
        file.temp_name.clear();
        return 0;
      }
      if (errno != EINVAL && errno != ENOSYS) {
        const int err = errno;
        ::unlinkat(file.dirfd, temp.c_str(), 0);
        file.temp_name.clear();
        return err;
      }
    }
    return publish_temp_name(file, name, replace);
  }
  const std::string target = in_directory(file, name);
  int err = link_unnamed(file.fd, file.dirfd, target);
  if (err != EEXIST || !replace) return err;
  // Replacing: under a temporary name first, then renamed onto the target.
  const std::string temp = in_directory(file, make_temp_name(file.base, random_id()));
  if ((err = link_unnamed(file.fd, file.dirfd, temp))) return err;
  if (::renameat(file.dirfd, temp.c_str(), file.dirfd, target.c_str()) != 0) {
    err = errno;
    ::unlinkat(file.dirfd, temp.c_str(), 0);
  }
  return err;
}

int lookup_step(int dirfd, const std::string &name, struct stat &st, int &dir_fd,
                std::string &link_target) {
  dir_fd = -1;
  // O_PATH | O_NOFOLLOW: the entry itself, link or not, with no permission
  // needed on it beyond search of dirfd; then its status and, for a link,
  // its contents through the same descriptor (readlinkat with "").
  const int fd = ::openat(dirfd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = ::fstat(fd, &st) == 0 ? 0 : errno;
  if (!err && S_ISLNK(st.st_mode)) {
    std::vector<char> buf(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1);
    for (;;) {
      const ssize_t n = ::readlinkat(fd, "", buf.data(), buf.size());
      if (n < 0) {
        err = errno;
        break;
      }
      if (static_cast<std::size_t>(n) < buf.size()) {
        link_target.assign(buf.data(), static_cast<std::size_t>(n));
        break;
      }
      if (buf.size() > (std::size_t{1} << 20)) {
        err = ENAMETOOLONG;
        break;
      }
      buf.resize(buf.size() * 2);
    }
  }
  if (!err && S_ISDIR(st.st_mode)) {
    dir_fd = fd;
    return 0;
  }
  ::close(fd);
  return err;
}

int open_lookup_directory(const char *path, int &fd) {
  fd = ::open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? errno : 0;
}

namespace {
// openat2 with RESOLVE_NO_SYMLINKS (Linux 5.6): ELOOP if any component is a
// link; ENOSYS on older kernels (EPERM under some seccomp filters, which
// refuse system calls they do not know: treated the same).
int open_without_links(const char *path, int flags, int &fd) {
#ifdef SYS_openat2
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_NO_SYMLINKS;
  fd = static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how));
  if (fd >= 0) return 0;
  return errno == EPERM ? ENOSYS : errno;
#else
  (void)path;
  (void)flags;
  fd = -1;
  return ENOSYS;
#endif
}
}  // namespace

int open_regular_without_links(const std::string &path, int access, int &fd, struct stat &st) {
  int f = -1;
  fd = -1;
  if (int err = open_without_links(path.c_str(), access | kOpenUntrusted, f)) return err;
  return regular_or_not(f, fd, st);
}

int open_lookup_directory_without_links(const std::string &path, int &fd) {
  return open_without_links(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, fd);
}

int copy_range(int src, std::uint64_t src_offset, int dst, std::uint64_t dst_offset,
               std::uint64_t len) {
  auto in = static_cast<off_t>(src_offset), out = static_cast<off_t>(dst_offset);
  std::uint64_t left = len;
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 30;
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
  return copy_by_reads(src, in, dst, out, left);
}

int boot_id(std::string &out) {
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
}

// Waiting: shared futexes (FUTEX_WAIT / FUTEX_WAKE without
// FUTEX_PRIVATE_FLAG, so the kernel keys them by file and offset and they
// work across processes) and inotify.
namespace {
struct timespec to_timespec(std::int64_t ns) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return ts;
}
}  // namespace

int wait_word(const std::uint32_t *addr, std::uint32_t expected, std::int64_t timeout_ns) {
  struct timespec ts;
  if (timeout_ns >= 0) ts = to_timespec(timeout_ns);
  if (::syscall(SYS_futex, addr, FUTEX_WAIT, expected, timeout_ns >= 0 ? &ts : nullptr, nullptr, 0) == 0)
    return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

void wake_all(std::uint32_t *addr) { ::syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0); }

void wake_all_private(std::uint32_t *addr) {
  ::syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

namespace {
// futex_waitv(2) (Linux 5.16): the C library has no wrapper.
long futex_waitv(struct futex_waitv *waiters, unsigned n, const struct timespec *deadline) {
#ifdef SYS_futex_waitv
  return ::syscall(SYS_futex_waitv, waiters, n, 0, deadline, CLOCK_MONOTONIC);
#else  // headers older than the call: as a kernel without it
  (void)waiters;
  (void)n;
  (void)deadline;
  errno = ENOSYS;
  return -1;
#endif
}
}  // namespace

bool can_wait_words() {
  // No waiters: EINVAL where the call exists, ENOSYS where it does not.
  static const bool exists = futex_waitv(nullptr, 0, nullptr) == -1 && errno != ENOSYS;
  return exists;
}

int wait_words(const WordWait *words, std::size_t n, std::int64_t timeout_ns) {
  if (n == 0 || n > kMaxWordWaits) return EINVAL;
  struct futex_waitv waiters[kMaxWordWaits];
  for (std::size_t i = 0; i < n; ++i) {
    waiters[i].val = words[i].expected;
    waiters[i].uaddr = reinterpret_cast<std::uintptr_t>(words[i].addr);
    waiters[i].flags = FUTEX_32 | (words[i].shared ? 0 : FUTEX_PRIVATE_FLAG);
    waiters[i].__reserved = 0;
  }
  struct timespec deadline;  // futex_waitv takes an absolute time
  if (timeout_ns >= 0) {
    if (::clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) return errno;
    const std::int64_t end_ns = deadline.tv_nsec + timeout_ns % 1000000000;
    deadline.tv_sec += static_cast<time_t>(timeout_ns / 1000000000 + end_ns / 1000000000);
    deadline.tv_nsec = static_cast<long>(end_ns % 1000000000);
  }
  if (futex_waitv(waiters, static_cast<unsigned>(n), timeout_ns >= 0 ? &deadline : nullptr) >= 0) return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

int watch_directory(const std::string &directory, int &watch) {
  watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch < 0) return errno;
  if (::inotify_add_watch(watch, directory.c_str(),
                          IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR) < 0) {
    const int err = errno;
    ::close(watch);
    watch = -1;
    return err;
  }
  return 0;
}

int watch_file(int fd, bool reads, int &watch) {
  watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch < 0) return errno;
  // The open file itself, through its /proc link: whatever its name is now.
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const std::uint32_t events = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | (reads ? IN_ACCESS : 0u);
  if (::inotify_add_watch(watch, path.c_str(), events) < 0) {
    const int err = errno;
    ::close(watch);
    watch = -1;
    return err;
  }
  return 0;
}

int wait_watch(int watch, std::int64_t timeout_ns) {
  struct pollfd p;
  p.fd = watch;
  p.events = POLLIN;
  p.revents = 0;
  struct timespec ts;
  if (timeout_ns >= 0) ts = to_timespec(timeout_ns);
  const int n = ::ppoll(&p, 1, timeout_ns >= 0 ? &ts : nullptr, nullptr);
  if (n < 0) return errno;
  if (n == 0) return 0;
  // Consume what is there: the caller checks its condition again anyway.
  alignas(struct inotify_event) char buf[4096];
  while (::read(watch, buf, sizeof buf) > 0) {
  }
  return 1;
}

void close_watch(int watch) {
  if (watch >= 0) ::close(watch);
}

void announce(int fd) {
  // A read() that returns data is an IN_ACCESS event (reads through a
  // mapping are none); what it reads does not matter.
  unsigned char byte;
  while (::pread(fd, &byte, 1, 0) < 0 && errno == EINTR) {
  }
}

int try_lock_byte(int fd, std::uint64_t offset, bool exclusive) {
  return lock_byte(fd, offset, exclusive ? F_WRLCK : F_RDLCK);
}

void unlock_byte(int fd, std::uint64_t offset) { lock_byte(fd, offset, F_UNLCK); }

int reopen(int fd, bool writable, int &out) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  out = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  return out < 0 ? errno : 0;
}

}  // namespace platform
}  // namespace npshm

#endif
