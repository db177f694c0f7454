// Building blocks that both system-specific implementations of platform.hpp
// use: platform/linux.cpp (Linux) and platform/posix_fallback.cpp (any
// other POSIX system).  Internal to the platform layer: the rest of the core
// includes platform.hpp only.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "platform/platform.hpp"

namespace npshm {
namespace platform {

// 64 bits to seed random_id with, from the system's random source where it
// has one (each system file defines it).
std::uint64_t fresh_seed();

// A seed from the clock and the process id, mixed (platform/posix.cpp).
std::uint64_t clock_seed();

// A new file under a hidden temporary name (temp_names.hpp) in file's
// directory, open read-write, with mode less the umask.  Returns 0 or an
// errno.
int create_temp_named(int dirfd, const std::string &directory, mode_t mode, NewFile &file);

// A path for name in file's directory, relative to its dirfd.
std::string in_directory(const NewFile &file, const std::string &name);

// Publish file's temporary name as name (publish_new_file), by link(2)
// when not replacing; the temporary name is removed.  Returns 0 or an errno.
int publish_temp_name(NewFile &file, const std::string &name, bool replace);

// The block quota of uid on the file system holding fd: true with the bytes
// it still allows, false where none is set or the system cannot tell.
bool quota_left(int fd, uid_t uid, std::uint64_t &left);

// The flags of every open of a path another user may control: no link
// followed in the last component, no wait for a FIFO or a lease, no
// controlling terminal, close-on-exec.
constexpr int kOpenUntrusted = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// The open file f as open_regular gives it: fd = f with st its fstat when it
// is a regular file; else f closed and kNotRegular (st filled) or an errno.
int regular_or_not(int f, int &fd, struct stat &st);

// Copy left bytes from src at in to dst at out with pread and pwrite.
// Returns 0 or an errno (EIO if the source is shorter).
int copy_by_reads(int src, off_t in, int dst, off_t out, std::uint64_t left);

}  // namespace platform
}  // namespace npshm
