// Free space before reserving: npshm never fills a file system, not even
// for a moment.  posix_fallocate on tmpfs allocates page by page and, when
// it runs out, gives the pages back: meanwhile the file system is full, and
// other programs' page faults on their unreserved shared memory die of
// SIGBUS.  So every reservation (create, load, a writable attach of a file
// with unallocated pages) is first compared with the free space.
//
// The safety margin: a reservation must leave at least
//   max(1% of the file system, min(16 MiB, 1/8 of the file system))
// free.  1% scales with the large shm file systems (half the memory by
// default); 16 MiB covers what other programs fault in while a reservation
// runs on a small one; on a tiny file system (under 128 MiB) the floor
// shrinks to 1/8 of it, so that it stays usable.
//
// What remains: two reservations at once each compare with the same free
// space and may together go beyond it (the check and the reservation are
// not one step: no system call reserves "only if this much stays free").
// A file system that reports no size (a tmpfs mounted without size=) is
// bounded by memory, not by a size: there is nothing to compare with.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>

namespace npshm {

// The margin kept free on a file system of fs_size bytes.
std::uint64_t space_margin(std::uint64_t fs_size);

// The bytes a reservation of the first size bytes of the open file fd (st:
// its fstat) still has to allocate: size in whole allocation units less
// what the file already has.
std::uint64_t unallocated_bytes(const struct stat &st, std::uint64_t size);

// Throws Error(Errc::no_space) if allocating need more bytes in the file
// system of the open file fd (owned by uid) would leave less than the margin
// free, or go beyond uid's block quota.  what: "create x"; where: the
// directory, for the message.  Does nothing when need is 0 or the system
// cannot tell.
void check_space(int fd, uid_t uid, std::uint64_t need, const std::string &what, const std::string &where);

}  // namespace npshm
