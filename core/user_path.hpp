// Paths the caller gives for files npshm writes (npshm_save and friends),
// resolved component by component so that a symbolic link another user
// planted in a shared sticky directory is never followed.
#pragma once

#include <string>

namespace npshm {

// The directory dir opened for lookups (usable as the dirfd of *at calls;
// the caller closes it), resolved one component at a time as the kernel
// resolves a path -- symbolic links followed, absolute or relative, ".."
// as in the directory actually reached -- except that a symbolic link is
// refused (NPSHM_E_PERMISSION, naming the link and its owner) when it sits
// in a sticky directory that users other than its owner may write to
// (mode +t with group or other write, as /tmp and /dev/shm) and is owned
// neither by the caller (effective uid) nor by that directory's owner.
// That is the kernel's fs.protected_symlinks rule (widened to group-writable
// sticky directories), applied whatever the sysctl says.  Every other link
// is followed, as cp would.  what names the operation for messages.
// Throws Error: NOT_FOUND (no such directory, or a component is not one),
// PERMISSION, INVALID (too many links), SYSTEM.
int open_user_directory(const std::string &dir, const std::string &what);

}  // namespace npshm
