// Waiting on arrays: created, changed (versions and notify), released.
#include "sync/waiting.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "store/array_open.hpp"
#include "common/error.hpp"
#include "store/names.hpp"
#include "format/file_format.hpp"
#include "store/open_files.hpp"
#include "common/options.hpp"
#include "platform/platform.hpp"
#include "store/segment.hpp"

namespace npshm {

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The sync block's words in the mapping.
struct Sync {
  std::uint64_t *version;
  std::uint32_t *word;
};

// What a call is, for its messages: "notify NAME".  Built only when a
// message needs it (the calls' fast paths allocate nothing).
std::string what_of(const char *op, const Segment &seg) { return std::string(op) + " " + seg.location().name; }

// Where the block is was found once, when the file was opened or created
// (Segment::sync_offset): the header and trailer that place it were checked
// then, and neither the mapping nor its size changes afterwards, so a later
// write to the trailer moves nothing.
//
// What can change is the file: a process that may write it can truncate
// it, and a touch of the block past the new end then kills this process
// with SIGBUS.  Before touching the block, size_checked() compares the
// file's size with the mapping's (an fstat; Errc::format "the file
// changed size") whenever another user may be able to resize the file:
// it belongs to another user (attached with allow_other_owner) or its mode
// lets group or others write (Segment::others_may_resize).  Otherwise the
// only processes that can resize it are this user's and root's, which can
// as well kill this one: the trust model keeps other users out, not one's
// own processes, and the check would then cost an fstat per call (a
// quarter of the notify-to-wake round trip) for no protection.  The
// decision cannot go stale: only the owner (this user or root) can widen
// the mode.  (A process that opened the file for writing while its mode
// still allowed it keeps that descriptor: giving write access once is
// giving it, as for the data.)  A check is a look before the touch, not a
// lock: a truncation between the two still gets SIGBUS, as for any access
// to the data; it catches every resize made before the call.
void size_checked(const Segment &seg, const char *op) {
  if (seg.others_may_resize()) seg.check_size(what_of(op, seg));
}

Sync sync_block(const Segment &seg, const char *op) {
  const std::uint64_t at = seg.sync_offset();
  if (at == 0)
    throw Error(Errc::format, what_of(op, seg) + ": the file has no version block (" +
                                    (seg.has_trailer() ? "made by an earlier release of npshm"
                                                       : "a plain .npy file, not created by npshm") +
                                    "); versions, notify and wait_changed need an array created by "
                                    "this release or later");
  size_checked(seg, op);
  auto *base = static_cast<unsigned char *>(seg.mapping()) + at;
  return Sync{reinterpret_cast<std::uint64_t *>(base), reinterpret_cast<std::uint32_t *>(base + 8)};
}

[[noreturn]] void timed_out(const std::string &what, double timeout, const std::string &detail = "") {
  throw Error(Errc::timeout, what + ": timed out " + timeout_text(timeout) + detail, ETIMEDOUT);
}

// A watch descriptor closed on scope exit.
struct WatchGuard {
  int fd = -1;
  ~WatchGuard() { platform::close_watch(fd); }
};

}  // namespace

Deadline::Deadline(double timeout, const std::string &what) {
  if (std::isnan(timeout)) throw Error(Errc::invalid, what + ": the timeout is not a number");
  if (timeout < 0 || std::isinf(timeout) || timeout > 1e9) {  // 1e9 s: 31 years, no limit
    forever_ = true;
    return;
  }
  end_ns_ = now_ns() + static_cast<std::int64_t>(std::ceil(timeout * 1e9));
}

std::int64_t Deadline::remaining_ns() const {
  if (forever_) return -1;
  const std::int64_t left = end_ns_ - now_ns();
  return left > 0 ? left : 0;
}

std::string timeout_text(double timeout) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "after %g s", timeout);
  return buf;
}

std::uint64_t array_version(const Segment &seg) {
  const Sync s = sync_block(seg, "version");
  return __atomic_load_n(s.version, __ATOMIC_SEQ_CST);
}

std::uint64_t notify(Segment &seg) {
  if (seg.readonly())
    throw Error(Errc::readonly,
                what_of("notify", seg) + ": the handle is read-only (notify writes the version into the file)");
  const Sync s = sync_block(seg, "notify");
  // Version first, then the word: a waiter that saw the old version read
  // the word before this changes it, so its sleep is refused or woken.
  const std::uint64_t v = __atomic_add_fetch(s.version, 1, __ATOMIC_SEQ_CST);
  __atomic_add_fetch(s.word, 1, __ATOMIC_SEQ_CST);
  platform::wake_all(s.word);
  return v;
}

std::uint64_t wait_changed(const Segment &seg, std::uint64_t seen, double timeout) {
  const char *op = "wait_changed";
  const Deadline deadline(timeout, std::isnan(timeout) ? what_of(op, seg) : std::string());  // (names only a refusal)
  const Sync s = sync_block(seg, op);
  for (bool first = true;; first = false) {
    if (!first) size_checked(seg, op);  // after a sleep: the file may have changed meanwhile
    const std::uint32_t word = __atomic_load_n(s.word, __ATOMIC_SEQ_CST);
    const std::uint64_t v = __atomic_load_n(s.version, __ATOMIC_SEQ_CST);
    if (v != seen) return v;
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0) timed_out(what_of(op, seg), timeout, " (version still " + std::to_string(seen) + ")");
    const int err = platform::wait_word(s.word, word, left);
    if (err != 0 && err != EAGAIN && err != ETIMEDOUT && err != EINTR)
      throw_system(what_of(op, seg) + ": cannot wait", err);
  }
}

Waiter::Waiter() {
  if (!platform::can_wait_words())
    throw Error(Errc::system,
                "npshm_waiter_new: this system cannot wait on several arrays at once (Linux 5.16 or later can)",
                ENOSYS);
}

void Waiter::interrupt() noexcept {
  __atomic_store_n(&pending_, 1, __ATOMIC_SEQ_CST);
  __atomic_add_fetch(&word_, 1, __ATOMIC_SEQ_CST);
  platform::wake_all_private(&word_);
}

std::size_t Waiter::wait(const Segment *const *arrays, const std::uint64_t *seen, std::size_t n, double timeout,
                         std::uint64_t *version) {
  const char *op = "wait_changed_any";
  const Deadline deadline(timeout, op);
  if (n == 0 || n > kMaxArrays)
    throw Error(Errc::invalid, std::string(op) + ": " + std::to_string(n) + " arrays (from 1 to " +
                                     std::to_string(kMaxArrays) + ")");
  Sync syncs[kMaxArrays];
  platform::WordWait words[kMaxArrays + 1];
  for (std::size_t i = 0; i < n; ++i) syncs[i] = sync_block(*arrays[i], op);
  for (bool first = true;; first = false) {
    // The interrupt word first, then the flag: an interrupt after this look
    // changes the word, so the kernel does not let the wait below sleep.
    const std::uint32_t control = __atomic_load_n(&word_, __ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&pending_, 0, __ATOMIC_SEQ_CST))
      throw Error(Errc::canceled, std::string(op) + ": interrupted (npshm_waiter_interrupt)");
    for (std::size_t i = 0; i < n; ++i) {
      if (!first) size_checked(*arrays[i], op);
      // The word, then the version, as wait_changed.
      words[i] = platform::WordWait{syncs[i].word, __atomic_load_n(syncs[i].word, __ATOMIC_SEQ_CST), true};
      const std::uint64_t v = __atomic_load_n(syncs[i].version, __ATOMIC_SEQ_CST);
      if (v != seen[i]) {
        if (version) *version = v;
        return i;
      }
    }
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0) timed_out(op, timeout, " (no array changed)");
    words[n] = platform::WordWait{&word_, control, false};
    const int err = platform::wait_words(words, n + 1, left);
    if (err != 0 && err != EAGAIN && err != ETIMEDOUT && err != EINTR)
      throw_system(std::string(op) + ": cannot wait", err);
  }
}

CreatedWatch::CreatedWatch(const Location &loc) : loc_(loc) {
  const std::string what = "wait_created " + loc.name;
  // Watch first, then look (check): a name published after the look is an
  // event.
  if (int err = platform::watch_directory(loc.directory, fd_)) {
    fd_ = -1;
    if (err == ENOENT || err == ENOTDIR)
      throw Error(Errc::not_found, what + ": directory " + loc.directory + " does not exist", err);
    throw_system(what + ": cannot watch " + loc.directory, err);
  }
}

CreatedWatch::~CreatedWatch() { platform::close_watch(fd_); }

bool CreatedWatch::check() {
  if (fd_ >= 0) platform::wait_watch(fd_, 0);  // consume what is there: this looks anyway
  const std::string what = "wait_created " + loc_.name;
  ArrayFile file;
  try {
    const int err = open_array_file(loc_.path, ArrayFileAccess::read_only, "", file);
    if (err == 0) {
      ::close(file.fd);
      return true;
    }
    if (err == platform::kNotRegular)
      problem_ = std::string(" (the name is ") + platform::file_kind(file.st.st_mode) + ")";
    else if (err == EACCES || err == EPERM)
      throw_system(what + ": the name exists but cannot be read", err);
    else if (err != ENOENT)
      throw_system(what + ": cannot open", err);
  } catch (const Error &e) {
    if (e.code() != Errc::format) throw;
    // Something else writing a file under that name: wait for it to
    // become a whole array.
    problem_ = std::string(" (the name exists but is not an array: ") + e.what() + ")";
  }
  return false;
}

void wait_created(const Location &loc, double timeout) {
  const std::string what = "wait_created " + loc.name;
  const Deadline deadline(timeout, what);
  CreatedWatch watch(loc);
  for (;;) {
    if (watch.check()) return;
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0) timed_out(what, timeout, watch.problem());
    const int err = platform::wait_watch(watch.fd(), left);
    if (err < 0 || (err > 1 && err != EINTR)) throw_system(what + ": cannot wait", err);
  }
}

bool wait_on_file(int fd, bool reads, const Deadline &deadline, const std::string &what,
                  const std::function<bool()> &ready) {
  WatchGuard watch;
  if (int err = platform::watch_file(fd, reads, watch.fd)) throw_system(what + ": cannot watch the file", err);
  std::int64_t recheck_ns = -1;  // after an event: the next look, if no event comes first
  for (;;) {
    if (ready()) return true;
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0) return false;
    const bool rechecking = recheck_ns > 0 && (left < 0 || recheck_ns < left);
    const int got = platform::wait_watch(watch.fd, rechecking ? recheck_ns : left);
    if (got == 1) {
      recheck_ns = 1000000;
    } else if (got == 0) {
      recheck_ns = recheck_ns > 0 && recheck_ns < 64000000 ? recheck_ns * 2 : -1;
    } else if (got != EINTR) {
      throw_system(what + ": cannot wait", got);
    }
  }
}

namespace {

// fd is this process's description of the file, so that its own holder lock
// does not count.
void wait_unheld(int fd, const std::string &what, double timeout) {
  const Deadline deadline(timeout, what);
  const bool released = wait_on_file(fd, false, deadline, what, [&] {
    const int held = platform::other_lock_holder(fd);
    if (held < 0)
      throw Error(Errc::system, what + ": this system cannot tell whether other processes hold the array");
    return held == 0;
  });
  if (!released) timed_out(what, timeout, " (other processes still hold it)");
}

}  // namespace

void wait_released(const Segment &seg, double timeout) {
  const std::string what = "wait_released " + seg.location().name;
  wait_unheld(seg.fd(), what, timeout);
}

void wait_released(const Location &loc, const Options &opts, double timeout) {
  const std::string what = "wait_released " + loc.name;
  (void)opts;
  ArrayFile file;
  const int err = open_array_file(loc.path, ArrayFileAccess::read_only, what, file);
  if (err == platform::kNotRegular)
    throw Error(Errc::format, what + ": refusing " + platform::file_kind(file.st.st_mode) +
                                    " (only regular files are arrays; links are never followed)");
  if (err == ENOENT) throw Error(Errc::not_found, what + ": no such array", err);
  if (err != 0) throw_system(what + ": cannot open", err);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{file.fd};
  // The caller's own handles of it (if any) share one description: ask
  // through that one, so that they do not count.
  std::shared_ptr<OpenFile> mine = open_files::find(file.st.st_dev, file.st.st_ino);
  wait_unheld(mine ? mine->fd : file.fd, what, timeout);
}

}  // namespace npshm
