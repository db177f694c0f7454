// Array locks: a reader-writer OFD lock per array that a crash never leaves held.
#include "sync/array_lock.hpp"

#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "platform/platform.hpp"
#include "store/segment.hpp"
#include "sync/waiting.hpp"

namespace npshm {

ArrayLock::~ArrayLock() {
  if (fd_ < 0) return;
  // Unlock and announce before the close: a waiter then needs no second look.
  if (held_) {
    platform::unlock_byte(fd_, kLockByte);
    platform::announce(fd_);
  }
  ::close(fd_);
}

void ArrayLock::lock(const Segment &seg, bool exclusive, double timeout) {
  const std::string what = std::string(exclusive ? "lock (exclusive) " : "lock (shared) ") + seg.location().name;
  const Deadline deadline(timeout, what);
  if (exclusive && seg.readonly())
    throw Error(Errc::readonly, what + ": the handle is read-only (an exclusive lock is for writers)");
  if (fd_ < 0) {
    if (int err = platform::reopen(seg.fd(), !seg.readonly(), fd_)) {
      fd_ = -1;
      if (err == ENOSYS) throw Error(Errc::system, what + ": array locks are not supported on this system", err);
      throw_system(what + ": cannot open the file for its lock", err);
    }
  }
  // Woken by a holder's unlock (it announces) or close (its exit included).
  const bool got = wait_on_file(fd_, true, deadline, what, [&] {
    const int err = platform::try_lock_byte(fd_, kLockByte, exclusive);
    if (err != 0 && err != EAGAIN) throw_system(what, err);
    return err == 0;
  });
  if (!got)
    throw Error(Errc::timeout, what + ": timed out " + timeout_text(timeout) + " (another handle holds it" +
                                     (exclusive ? ")" : " exclusively)"),
                ETIMEDOUT);
  held_ = true;
}

void ArrayLock::unlock(const Segment &seg) {
  if (!held_) throw Error(Errc::invalid, "unlock " + seg.location().name + ": this handle holds no lock on it");
  platform::unlock_byte(fd_, kLockByte);
  held_ = false;
  platform::announce(fd_);
}

}  // namespace npshm
