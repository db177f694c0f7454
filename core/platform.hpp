// Everything that differs between operating systems lives behind this
// header; platform_linux.cpp implements it for Linux (OFD locks, /proc,
// fallocate) with POSIX fallbacks (flock, ftruncate) for other systems.
//
// Holder locks: every handle holds a shared lock on byte 0 of its file
// through its own open file description.  The kernel releases it when the
// descriptor is closed or the process dies, even by SIGKILL, so "is anyone
// alive holding this?" is answered by trying to take the lock exclusively.
#pragma once

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

// 1 if some open file description other than fd's holds a holder lock on
// the file, 0 if none does, -1 if the system cannot tell.  Asks the kernel
// about this one file (F_OFD_GETLK), whatever the number of locks on the
// machine; fd may be read-only.
int is_held(int fd);

// The number of holder locks of every file, read once (on Linux from
// /proc/locks); count() is -1 if the system cannot tell.
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

// Give the file size bytes, with the memory or disk reserved up front when
// the file system can (so later page faults cannot SIGBUS for lack of
// space).  Returns 0 or an errno (ENOSPC when full).
int reserve(int fd, std::uint64_t size);

// 64 unpredictable bits (not for cryptography: to tell arrays apart),
// never 0.  From a per-process generator seeded once from the kernel's
// random source (and again in a forked child), so ids are cheap.
std::uint64_t random_id();

// A new, not yet visible file in a directory.  On Linux an O_TMPFILE file
// with no name at all, so nothing is left behind if the process dies; else a
// hidden temporary name (".npshm-tmp-...", which gc recognises).
struct NewFile {
  int fd = -1;
  std::string temp_path;  // empty when the file has no name
};

// Make one, open read-write, with permission bits mode (less the umask).
// Returns 0 or an errno.
int create_unnamed(const std::string &directory, mode_t mode, NewFile &out);

// Give it its name, atomically, failing with EEXIST if the name is taken.
// Returns 0 or an errno.  The temporary name, if any, stays until discard.
int publish(const NewFile &file, const std::string &path);

// Remove the temporary name, if any (the descriptor stays open).
void drop_temp_name(NewFile &file);

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

}  // namespace platform
}  // namespace npshm
