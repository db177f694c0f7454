// Paths the caller gives (an array's file:// path or shm directory, the
// source of a load, the target of a save), resolved component by component
// so that a symbolic link another user planted in a shared sticky directory
// is never followed.  Every open of such a path goes through here.
#pragma once

#include <sys/stat.h>

#include <string>

namespace npshm {

// path as its directory ("." for a bare name, "/" at the root) and its last
// component (empty after a final '/').
void split_path(const std::string &path, std::string &dir, std::string &base);

// The directory dir opened for lookups (usable as the dirfd of *at calls;
// the caller closes it), resolved one component at a time as the kernel
// resolves a path -- symbolic links followed, absolute or relative, ".."
// as in the directory actually reached -- except that a symbolic link is
// refused (Errc::permission, naming the link and its owner) when it sits
// in a sticky directory that users other than its owner may write to
// (mode +t with group or other write, as /tmp and /dev/shm) and is owned
// neither by the caller (effective uid) nor by that directory's owner.
// That is the kernel's fs.protected_symlinks rule (widened to group-writable
// sticky directories), applied whatever the sysctl says.  Every other link
// is followed, as cp would.  what names the operation for messages.
// Throws Error: NOT_FOUND (no such directory, or a component is not one),
// PERMISSION, INVALID (too many links), SYSTEM.
int open_user_directory(const std::string &dir, const std::string &what);

// Throw open_user_directory's Error if reaching dir would follow a refused
// link; any other failure is left to the caller's own use of dir.  Checking
// before using dir by path is as safe as using the descriptor: in a sticky
// directory nobody but an entry's owner (and the directory's) can replace
// it, and a link of either is followed anyway.
void check_user_directory(const std::string &dir, const std::string &what);

// Open the file path as platform::open_regular does (its last component
// never followed, O_NONBLOCK | O_NOCTTY, fstat, nothing but a regular
// file), its directory reached by open_user_directory's rule.  Returns as
// open_regular: 0 with fd and st, platform::kNotRegular, or an errno (a
// missing directory: ENOENT or ENOTDIR).  A refused link throws
// open_user_directory's Error (what, or the path when what is empty, names
// the operation).  A path without any link costs one system call on Linux.
int open_user_file(const std::string &path, int access, int &fd, struct stat &st, const std::string &what);

// lstat of path, its directory reached by open_user_directory's rule: a
// link, FIFO or device at path is described, never opened.  Returns 0 or an
// errno; a refused link throws as open_user_file does.
int stat_user_path(const std::string &path, struct stat &st, const std::string &what);

}  // namespace npshm
