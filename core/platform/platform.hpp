// Every system call that differs between operating systems lives behind
// this header.  Its implementations:
//   platform/linux.cpp           Linux (OFD locks, /proc, O_TMPFILE,
//                                copy_file_range, MADV_POPULATE, getrandom,
//                                fstatfs, fallocate, quotactl_fd);
//                                core/meson.build builds it on Linux.
//   platform/posix_fallback.cpp  any other POSIX system (flock, temporary
//                                names, pread/pwrite, no lock or mapping
//                                tables); built elsewhere, and on Linux by
//                                tests/c (the *-posix-fallback tests).
//   platform/posix.cpp           what every POSIX system has in the same
//                                form (mmap, msync, mlock, fchmod, fstat,
//                                fstatvfs, dladdr/dlopen, open_regular,
//                                unlink_if_same), and the
//                                pieces both implementations share
//                                (platform/posix.hpp).
// A function has one definition per system file, never #if branches for
// another system inside one function.  Each system file compiles to nothing
// where it does not apply, so a build that compiles every core file (the R
// package's src/, which has no configure step) links as well.
//
// The rule for the rest of the core: a call whose form or behaviour differs
// between systems (locks, O_TMPFILE, linkat with AT_EMPTY_PATH, /proc,
// copy offload, page population, randomness) goes through this header.
// Calls that are the same on every POSIX system (open/openat, close, read,
// fstat/fstatat, fchmod, fsync, renameat, unlinkat, readdir, getpid,
// geteuid, kill(pid, 0)) may be made directly where they are used:
// wrapping them would add a name and no portability.
//
// Holder locks: every handle holds a shared lock on byte 0 of its file
// through its own open file description.  The kernel releases it when the
// descriptor is closed or the process dies, even by SIGKILL, so "is anyone
// alive holding this?" is answered by trying to take the lock exclusively.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <string>
#include <vector>

namespace npshm {
namespace platform {

// Take the shared holder lock without waiting.  Returns 0, EAGAIN when an
// exclusive holder is in the way, or another errno.
int try_lock_shared(int fd);

// Try to take (or upgrade to) the exclusive holder lock without waiting.
// Returns 0, EAGAIN when another holder exists, or another errno.  On
// Linux the upgrade from shared is atomic.
int try_lock_exclusive(int fd);

// Drop the holder lock.
void unlock(int fd);

// 1 if some open file description other than fd's holds an OFD or POSIX
// record lock on the file's byte 0 (a holder), 0 if none does, -1 if the
// system cannot tell.  Asks the kernel about this one file (F_OFD_GETLK),
// whatever the number of locks on the machine; fd may be read-only.  It
// cannot see flock locks (HolderCounts counts those).
int other_lock_holder(int fd);

// The number of holder locks of every file, read once (on Linux from
// /proc/locks: OFD locks, POSIX record locks and flock locks on byte 0,
// since another program's lock of any kind keeps a file in use); count() is
// -1 if the system cannot tell.
class HolderCounts {
 public:
  HolderCounts();
  int count(dev_t dev, ino_t ino) const;

 private:
  bool known_ = false;
  std::map<std::pair<dev_t, ino_t>, int> counts_;
};

// Processes mapping the file (dev, ino), ascending, and the number of
// mappings in all of them.  Returns false if the system cannot tell.
bool processes_mapping(dev_t dev, ino_t ino, std::vector<pid_t> &pids, std::size_t &mappings);

// Give the file size bytes, with the memory or disk reserved up front (so
// later page faults cannot SIGBUS for lack of space): posix_fallocate, and
// where the file system does not support it, by writing zeros over the
// whole range (never a plain ftruncate, which reserves nothing).  Returns 0
// or an errno (ENOSPC when full).
int reserve(int fd, std::uint64_t size);

// Reserve what is not yet allocated of the first size bytes of an existing
// file, whose contents others may be writing: only the system's own
// non-destructive reservation (Linux fallocate(2) mode 0, which leaves
// allocated pages and data alone), never a fallback that writes.  Returns
// 0, EOPNOTSUPP where the file system or system has none (nothing done), or
// an errno (ENOSPC when full).
int reserve_existing(int fd, std::uint64_t size);

// Space in the file system holding the open file fd, as seen by a file
// owned by uid (statvfs, and on Linux the user's block quota).
struct Space {
  std::uint64_t size = 0;       // the file system's size; 0 if it reports none (a tmpfs mounted without a size)
  std::uint64_t available = 0;  // what an unprivileged user may still allocate (f_bavail)
  bool quota = false;           // a block quota limits uid (never for root, whom quotas do not stop)
  std::uint64_t quota_left = 0; // what that quota still allows, when quota
};
// Returns 0 or an errno.
int file_system_space(int fd, uid_t uid, Space &out);

// The huge page size if the open file (st its fstat) is on hugetlbfs, whose
// mappings come in whole huge pages and which has no write(); else 0.
std::size_t huge_page_size(int fd, const struct stat &st);

// The size of the pages backing files of the file system dev: the huge
// page size on hugetlbfs (hugetlb_block, from huge_page_size) or on a tmpfs
// mounted with huge=always, within_size or advise (the kernel's PMD size;
// it may still use small pages where a huge one does not fit), else the
// base page size.  Reads /proc/self/mountinfo: not for hot paths.
std::size_t backing_page_size(dev_t dev, std::size_t hugetlb_block);

// Map the first len bytes of the open file fd, shared with every process
// mapping it, read-write if writable, else read-only.  Returns 0 with addr
// set, or an errno.
int map_file(int fd, std::size_t len, bool writable, void *&addr);

// Unmap len bytes mapped at addr by map_file.
void unmap_file(void *addr, std::size_t len);

// Pre-fault len bytes mapped at addr from fd by map_file:
// MADV_POPULATE_WRITE / _READ, or mapping it again in place with
// MAP_POPULATE where the kernel lacks them.  Returns 0 or an errno.
int populate(void *addr, std::size_t len, bool writable, int fd);

// The status of an open file (fstat).  Returns 0 or an errno.
int file_status(int fd, struct stat &st);

// Give an open file the permission bits mode, exactly (whatever the umask
// took away when it was made).  Returns 0 or an errno.
int set_mode(int fd, mode_t mode);

// Whether anything has the name path now (without following a link).
bool name_taken(const std::string &path);

// 64 unpredictable bits (not for cryptography: to tell arrays apart),
// never 0.  From a per-process generator seeded once from the kernel's
// random source (and again in a forked child), so ids are cheap.
std::uint64_t random_id();

// A new file in a directory, invisible until published: the one way
// create, load and save make their files.  On Linux an O_TMPFILE file with
// no name at all, so nothing is left behind if the process dies; where the
// system or the file system cannot make one, a hidden temporary name in the
// same directory (temp_names.hpp: gc, and the next save to the same target,
// remove it once its process is gone).  The directory is dirfd and path
// relative to it, as for openat ("" : dirfd itself; AT_FDCWD and an
// absolute path, or an open directory and "").
struct NewFile {
  int fd = -1;            // open read-write; the caller closes it
  int dirfd = -1;
  std::string directory;  // relative to dirfd; "" : dirfd itself
  std::string base;       // the name it is for, given to create_new_file
  std::string temp_name;  // in the directory; "" when the file has no name
  NewFile() = default;
  NewFile(const NewFile &) = delete;
  NewFile &operator=(const NewFile &) = delete;
  ~NewFile();             // removes the temporary name, if any is left
};

// Make one, for the name base (which only a temporary name mentions: ""
// for create and load), with permission bits mode less the umask.  Returns
// 0 or an errno.
int create_new_file(int dirfd, const std::string &directory, const std::string &base, mode_t mode,
                    NewFile &out);

// Give the complete file its name in its directory, atomically.  replace
// false: EEXIST if anything has that name, also a name made by another
// process after any check of the caller's (linkat of the unnamed file,
// renameat2(RENAME_NOREPLACE) or link of a temporary name: never an
// overwrite).  replace true: a file there is replaced (rename).  The
// temporary name, if any, is gone afterwards, success or not.  Returns 0 or
// an errno.
int publish_new_file(NewFile &file, const std::string &name, bool replace);

// Open a path that another user may control: never follows a symbolic link
// in its last component, never blocks (a FIFO, a lease held by another
// process: EWOULDBLOCK), never acquires a controlling terminal, close-on-exec.
// Then fstat, before anything else.  access is O_RDONLY, O_WRONLY or O_RDWR.
// Returns 0 with fd open and st filled; kNotRegular (with st filled, nothing
// left open) when the path is not a regular file -- a symbolic link, FIFO,
// socket, device or directory; or an errno (EWOULDBLOCK: a lease).
constexpr int kNotRegular = -1;
int open_regular(const std::string &path, int access, int &fd, struct stat &st);
// The same for the entry name in the directory dirfd (AT_FDCWD: path).
int open_regular_at(int dirfd, const std::string &name, int access, int &fd, struct stat &st);
// The same for path, only if no component of it is a symbolic link
// (Linux: openat2 RESOLVE_NO_SYMLINKS, one system call); else ELOOP, or
// ENOSYS where the system cannot tell (user_path.cpp then walks the path).
int open_regular_without_links(const std::string &path, int access, int &fd, struct stat &st);

// "a symbolic link", "a FIFO", "a directory", ...: what st_mode says.
const char *file_kind(mode_t mode);

// Remove the name path if, and only if, it still refers to the open file
// fd, atomically with respect to every other npshm process: the check and
// the unlink run under an exclusive flock(2) "remover lock" on the file,
// which every npshm remover (close with a lifetime, npshm_unlink,
// npshm_remove, gc) takes first.  A name can only stop referring to a file
// by an unlink or rename of that name, which npshm does only under that
// lock, and npshm never renames onto an existing array name; so between the
// check and the unlink no npshm process can replace the name.  (A non-npshm
// program that removes and re-creates the name in those microseconds is not
// covered: Linux has no "unlink if this inode" call.)  The remover lock is
// independent of the holder locks (OFD locks on byte 0) on Linux.
// wait_ms: how long to wait for another remover.  Returns 0; ESTALE if the
// name refers to another file or to nothing; EWOULDBLOCK if another remover
// kept the lock; or the errno of unlink.
int unlink_if_same(int fd, const std::string &path, int wait_ms);

// One step of resolving a path by hand (user_path.cpp): the entry name in
// the directory dirfd, never followed if it is a symbolic link.  Returns 0
// with st (the entry's own status, as lstat) and, for a directory, dir_fd
// open for lookups only (usable as the dirfd of *at calls; the caller
// closes it), for a symbolic link, link_target (read from that very link,
// on Linux through the descriptor the status came from); or an errno.
int lookup_step(int dirfd, const std::string &name, struct stat &st, int &dir_fd,
                std::string &link_target);

// A directory opened for lookups only, as lookup_step gives them ("/" or
// "." to start a walk).  Returns 0 or an errno.
int open_lookup_directory(const char *path, int &fd);
// The same for a directory path only if no component of it is a symbolic
// link; else ELOOP, or ENOSYS where the system cannot tell.
int open_lookup_directory_without_links(const std::string &path, int &fd);

// Whether O_TMPFILE files can be made in directory (gc then knows no npshm
// create there ever leaves a temporary name behind).
bool unnamed_files_supported(const std::string &directory);

// Copy len bytes from src at src_offset to dst at dst_offset, in the
// kernel where possible.  Returns 0 or an errno (ENOSPC when full).
int copy_range(int src, std::uint64_t src_offset, int dst, std::uint64_t dst_offset,
               std::uint64_t len);

// The kernel's identity of this boot (Linux: /proc/sys/kernel/random/boot_id,
// 36 characters); on systems without one, the host name.  Returns 0 or an
// errno.
int boot_id(std::string &out);

// Device and inode of a directory (following symbolic links, as names in it
// are resolved).  Returns 0 or an errno (ENOTDIR when it is something else).
int directory_identity(const std::string &directory, dev_t &dev, ino_t &ino);

// Keep the shared object holding address loaded until the process ends
// (dlopen RTLD_NODELETE of itself; nothing when it is linked statically).
void pin_library(const void *address);

// Memory control over a mapping (POSIX: platform/posix.cpp).  Each returns
// 0 or an errno.  sync_mapping writes changes back (async: only schedule
// it; invalidate: drop cached copies of the file).
int sync_mapping(void *addr, std::size_t len, bool async, bool invalidate);
int lock_mapping(void *addr, std::size_t len);
int unlock_mapping(void *addr, std::size_t len);

// Waiting (waiting.cpp, array_lock.cpp).  Every wait below may return
// early (a signal, a spurious wake-up): callers check their condition again
// and wait for the rest of their time.  timeout_ns < 0: no limit.

// Sleep while the 32-bit word at addr (in a MAP_SHARED file mapping, read
// access is enough) holds expected, until wake_all on the same word from
// any process mapping the file.  Returns 0 (woken), EAGAIN (the word
// differs), ETIMEDOUT or EINTR.  Linux: a shared futex (never
// FUTEX_PRIVATE_FLAG).  Elsewhere: sleeps up to 1 ms and returns 0, so
// waiters poll.
int wait_word(const std::uint32_t *addr, std::uint32_t expected, std::int64_t timeout_ns);
// Wake every process and thread sleeping in wait_word on the word.
void wake_all(std::uint32_t *addr);

// Sleep while each of n words holds its expected value, until any of them
// is woken (wake_all, or wake_all_private for a word private to this
// process) or timeout_ns passes; returns as wait_word.  shared: the word is
// in a MAP_SHARED file mapping (else private to this process).  Linux 5.16
// and later: futex_waitv, at most kMaxWordWaits words.  ENOSYS where the
// system has no such call (can_wait_words() says so ahead).
struct WordWait {
  const std::uint32_t *addr;
  std::uint32_t expected;
  bool shared;
};
constexpr std::size_t kMaxWordWaits = 128;
bool can_wait_words();
int wait_words(const WordWait *words, std::size_t n, std::int64_t timeout_ns);
void wake_all_private(std::uint32_t *addr);

// A watch for changes: a descriptor that becomes readable when something
// happens, or -1 where the system has none (wait_watch then just sleeps a
// short while, so waiters poll).  Linux: inotify.
// watch_directory: names appearing in directory (created, linked, renamed
// in, or a file in it closed after writing).  watch_file: the open file fd
// closed by anyone (its last reference in a process: close or exit), and
// with reads also read by anyone (announce's event).
// Returns 0 with watch set (maybe -1), or an errno.
int watch_directory(const std::string &directory, int &watch);
int watch_file(int fd, bool reads, int &watch);
// An event for every watch_file(..., reads = true) of the file open at fd:
// one read of its first byte (a file npshm opens always has one).
void announce(int fd);
// Wait until the watch has events (and consume them) or timeout_ns passes.
// Returns 1 (events, or maybe some: check), 0 (timed out), or an errno
// (EINTR).
int wait_watch(int watch, std::int64_t timeout_ns);
void close_watch(int watch);

// Array locks (array_lock.cpp): an OFD lock on one byte at offset, held by
// the open file description fd, separate from the holder lock on byte 0.
// Returns 0, EAGAIN when another description holds a conflicting lock, or
// an errno (EBADF: exclusive on a read-only descriptor).  Elsewhere ENOSYS.
int try_lock_byte(int fd, std::uint64_t offset, bool exclusive);
void unlock_byte(int fd, std::uint64_t offset);
// A new open file description of the file open at fd (its own locks),
// read-write or read-only, close-on-exec.  Returns 0 or an errno.
int reopen(int fd, bool writable, int &out);

}  // namespace platform
}  // namespace npshm
