// Array locks (npshm_lock, npshm_unlock): a reader-writer lock on an
// array, shared between processes, that the kernel releases when its holder
// dies (even by SIGKILL).
//
// It is an OFD lock on byte kLockByte of the file, which no holder lock
// (byte 0) or remover lock (flock) ever touches, taken through an open file
// description of the handle's own: so two handles exclude each other even
// within one process, and closing the handle releases its lock.  A waiter
// sleeps until the lock may have been released: an unlock announces itself
// (one read of the file, which inotify reports), and a holder's exit closes
// the file (also reported); then it tries again.  No queue: no fairness
// between waiters; a steady stream of shared lockers can keep an exclusive
// one waiting.
//
// Trust: any process that can open the file can lock it -- read access is
// enough for a shared lock, so a reader can keep writers waiting (they time
// out); an exclusive lock needs a writable handle.  The lock is advisory:
// it orders cooperating handles, it stops no write.
#pragma once

#include <cstdint>

namespace npshm {

class Segment;

constexpr std::uint64_t kLockByte = 1;

class ArrayLock {
 public:
  ArrayLock() = default;
  ArrayLock(const ArrayLock &) = delete;
  ArrayLock &operator=(const ArrayLock &) = delete;
  ~ArrayLock();  // closes the description: the kernel drops the lock

  // Take the lock (or change its mode), waiting up to timeout seconds (< 0:
  // no limit; 0: try once).  Throws Error: Errc::timeout, Errc::readonly
  // (exclusive on a read-only handle).
  void lock(const Segment &seg, bool exclusive, double timeout);
  // Throws Error(Errc::invalid) if this handle holds no lock.
  void unlock(const Segment &seg);
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace npshm
