// platform.hpp on POSIX systems other than Linux: flock holder locks,
// temporary names instead of O_TMPFILE, pread/pwrite copies, no lock or
// mapping tables to read.  Linux builds platform/linux.cpp instead; the
// tests also build this file on Linux (tests/c/meson.build, the
// *-posix-fallback tests) so it is compiled and run there too.
#include "platform/platform.hpp"

// Builds that compile every core file (the R package's src/, which has no
// configure step) get code from this file only on other systems, or where NPSHM_POSIX_FALLBACK asks for it (the *-posix-fallback tests).
#if !defined(__linux__) || defined(NPSHM_POSIX_FALLBACK)

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <vector>

#include "platform/posix.hpp"

namespace npshm {
namespace platform {

// Holder locks: flock locks also belong to the open file description, but
// the upgrade from shared to exclusive is not atomic, and no system call
// asks about one file's locks.
int try_lock_shared(int fd) {
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

int try_lock_exclusive(int fd) {
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

void unlock(int fd) { flock(fd, LOCK_UN); }

int other_lock_holder(int fd) {
  (void)fd;
  return -1;
}

HolderCounts::HolderCounts() {}  // no lock table to read: count() says -1

bool processes_mapping(dev_t dev, ino_t ino, std::vector<pid_t> &pids, std::size_t &mappings) {
  (void)dev;
  (void)ino;
  pids.clear();
  mappings = 0;
  return false;
}

bool unnamed_files_supported(const std::string &directory) {
  (void)directory;
  return false;
}

int reserve_existing(int fd, std::uint64_t size) {
  // posix_fallocate may write into the file where the file system cannot
  // reserve (racing with other writers): not used on a file in use.
  (void)fd;
  (void)size;
  return EOPNOTSUPP;
}

bool quota_left(int fd, uid_t uid, std::uint64_t &left) {
  (void)fd;
  (void)uid;
  (void)left;
  return false;
}

std::size_t huge_page_size(int fd, const struct stat &st) {
  (void)fd;
  (void)st;
  return 0;
}

int populate(void *addr, std::size_t len, bool writable, int fd) {
  (void)writable;
  (void)fd;
  if (len == 0) return 0;
  // No MAP_POPULATE: ask for read-ahead, then touch every page (a read, so
  // the contents stay as they are).
  ::posix_madvise(addr, len, POSIX_MADV_WILLNEED);
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const volatile unsigned char *bytes = static_cast<const volatile unsigned char *>(addr);
  for (std::size_t at = 0; at < len; at += page) (void)bytes[at];
  return 0;
}

std::size_t backing_page_size(dev_t dev, std::size_t hugetlb_block) {
  (void)dev;
  if (hugetlb_block) return hugetlb_block;
  return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t fresh_seed() { return clock_seed(); }

int create_new_file(int dirfd, const std::string &directory, const std::string &base, mode_t mode,
                    NewFile &out) {
  out.base = base;
  return create_temp_named(dirfd, directory, mode, out);
}

int publish_new_file(NewFile &file, const std::string &name, bool replace) {
  if (file.temp_name.empty()) return EINVAL;  // every new file has a temporary name here
  return publish_temp_name(file, name, replace);
}

namespace {
// Directories opened only to look names up in them: O_SEARCH where the
// system has it (no read permission needed), else read-only.
#ifdef O_SEARCH
constexpr int kLookupAccess = O_SEARCH;
#else
constexpr int kLookupAccess = O_RDONLY;
#endif
}  // namespace

int lookup_step(int dirfd, const std::string &name, struct stat &st, int &dir_fd,
                std::string &link_target) {
  dir_fd = -1;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1);
    const ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return errno;
    if (static_cast<std::size_t>(n) >= buf.size()) return EAGAIN;  // changed meanwhile
    link_target.assign(buf.data(), static_cast<std::size_t>(n));
    return 0;
  }
  if (!S_ISDIR(st.st_mode)) return 0;
  const int fd = ::openat(dirfd, name.c_str(), kLookupAccess | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat opened;
  if (::fstat(fd, &opened) != 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
    ::close(fd);
    return EAGAIN;  // replaced between the look and the open
  }
  dir_fd = fd;
  return 0;
}

int open_lookup_directory(const char *path, int &fd) {
  fd = ::open(path, kLookupAccess | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? errno : 0;
}

int open_regular_without_links(const std::string &path, int access, int &fd, struct stat &st) {
  (void)path;
  (void)access;
  (void)st;
  fd = -1;
  return ENOSYS;  // no such open: user_path.cpp walks the path
}

int open_lookup_directory_without_links(const std::string &path, int &fd) {
  (void)path;
  fd = -1;
  return ENOSYS;
}

int copy_range(int src, std::uint64_t src_offset, int dst, std::uint64_t dst_offset,
               std::uint64_t len) {
  return copy_by_reads(src, static_cast<off_t>(src_offset), dst, static_cast<off_t>(dst_offset), len);
}

int boot_id(std::string &out) {
  // No boot identity: the host name stands for it.
  char host[256];
  if (::gethostname(host, sizeof host) != 0) return errno;
  host[sizeof host - 1] = '\0';
  out = host;
  return 0;
}

// Waiting: no futex and no file-change notification here, so waiters poll
// (wait_word sleeps up to 1 ms, wait_watch up to 10 ms, then the caller
// checks again); array locks are not supported (fcntl locks elsewhere
// belong to the process, not to a handle).
namespace {
int nap(std::int64_t timeout_ns, std::int64_t cap_ns) {
  const std::int64_t ns = timeout_ns < 0 ? cap_ns : std::min(timeout_ns, cap_ns);
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return ::nanosleep(&ts, nullptr) == 0 ? 0 : errno;
}
}  // namespace

int wait_word(const std::uint32_t *addr, std::uint32_t expected, std::int64_t timeout_ns) {
  if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != expected) return EAGAIN;
  return nap(timeout_ns, 1000000);
}

void wake_all(std::uint32_t *addr) { (void)addr; }

bool can_wait_words() { return false; }

int wait_words(const WordWait *words, std::size_t n, std::int64_t timeout_ns) {
  (void)words;
  (void)n;
  (void)timeout_ns;
  return ENOSYS;
}

void wake_all_private(std::uint32_t *addr) { (void)addr; }

int watch_directory(const std::string &directory, int &watch) {
  (void)directory;
  watch = -1;
  return 0;
}

int watch_file(int fd, bool reads, int &watch) {
  (void)fd;
  (void)reads;
  watch = -1;
  return 0;
}

void announce(int fd) { (void)fd; }

int wait_watch(int watch, std::int64_t timeout_ns) {
  (void)watch;
  const int err = nap(timeout_ns, 10000000);
  return err ? err : 1;
}

void close_watch(int watch) { (void)watch; }

int try_lock_byte(int fd, std::uint64_t offset, bool exclusive) {
  (void)fd;
  (void)offset;
  (void)exclusive;
  return ENOSYS;
}

void unlock_byte(int fd, std::uint64_t offset) {
  (void)fd;
  (void)offset;
}

int reopen(int fd, bool writable, int &out) {
  (void)fd;
  (void)writable;
  out = -1;
  return ENOSYS;
}

}  // namespace platform
}  // namespace npshm

#endif
