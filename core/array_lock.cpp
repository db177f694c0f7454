#include "array_lock.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "error.hpp"
#include "npshm.h"
#include "platform.hpp"
#include "segment.hpp"
#include "waiting.hpp"

namespace npshm {

ArrayLock::~ArrayLock() {
  if (fd_ >= 0) ::close(fd_);
}

void ArrayLock::lock(const Segment &seg, bool exclusive, double timeout) {
  const std::string what = std::string(exclusive ? "lock (exclusive) " : "lock (shared) ") + seg.location().name;
  const Deadline deadline(timeout, what);
  if (exclusive && seg.readonly())
    throw Error(NPSHM_E_READONLY, what + ": the handle is read-only (an exclusive lock is for writers)");
  if (fd_ < 0) {
    if (int err = platform::reopen(seg.fd(), !seg.readonly(), fd_)) {
      fd_ = -1;
      if (err == ENOSYS) throw Error(NPSHM_E_SYSTEM, what + ": array locks are not supported on this system", err);
      throw_system(what + ": cannot open the file for its lock", err);
    }
  }
  std::int64_t pause_ns = 100000;  // 0.1 ms, doubling up to 10 ms
  for (;;) {
    const int err = platform::try_lock_byte(fd_, kLockByte, exclusive);
    if (err == 0) {
      held_ = true;
      return;
    }
    if (err != EAGAIN) throw_system(what, err);
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0)
      throw Error(NPSHM_E_TIMEOUT, what + ": timed out " + timeout_text(timeout) + " (another handle holds it" +
                                       (exclusive ? ")" : " exclusively)"),
                  ETIMEDOUT);
    const std::int64_t nap = left < 0 ? pause_ns : std::min(pause_ns, left);
    std::this_thread::sleep_for(std::chrono::nanoseconds(nap));
    pause_ns = std::min<std::int64_t>(pause_ns * 2, 10000000);
  }
}

void ArrayLock::unlock(const Segment &seg) {
  if (!held_) throw Error(NPSHM_E_INVALID, "unlock " + seg.location().name + ": this handle holds no lock on it");
  platform::unlock_byte(fd_, kLockByte);
  held_ = false;
}

}  // namespace npshm
