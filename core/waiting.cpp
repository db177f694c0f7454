#include "waiting.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

#include "array_file.hpp"
#include "error.hpp"
#include "names.hpp"
#include "npshm.h"
#include "npy_format.hpp"
#include "open_files.hpp"
#include "options.hpp"
#include "platform.hpp"
#include "segment.hpp"

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

Sync sync_block(const Segment &seg, const std::string &what) {
  seg.check_size(what);
  const std::uint64_t end = seg.data_offset() + seg.layout().nbytes;
  const std::uint64_t size = seg.mapping_size();
  const auto *bytes = static_cast<const unsigned char *>(seg.mapping());
  FileHeader fh;
  fh.header.data_offset = seg.data_offset();
  fh.header.layout = seg.layout();
  fh.has_trailer = size >= end && size - end >= kTrailerSize &&
                   parse_trailer(bytes + end, seg.data_offset(), seg.layout().nbytes, fh.trailer);
  const std::uint64_t at = sync_offset(fh, size);
  if (at == 0)
    throw Error(NPSHM_E_FORMAT, what + ": the file has no version block (" +
                                    (fh.has_trailer ? "made by an earlier release of npshm"
                                                    : "a plain .npy file, not created by npshm") +
                                    "); versions, notify and wait_changed need an array created by "
                                    "this release or later");
  auto *base = static_cast<unsigned char *>(seg.mapping()) + at;
  return Sync{reinterpret_cast<std::uint64_t *>(base), reinterpret_cast<std::uint32_t *>(base + 8)};
}

[[noreturn]] void timed_out(const std::string &what, double timeout, const std::string &detail = "") {
  throw Error(NPSHM_E_TIMEOUT, what + ": timed out " + timeout_text(timeout) + detail, ETIMEDOUT);
}

// A watch descriptor closed on scope exit.
struct WatchGuard {
  int fd = -1;
  ~WatchGuard() { platform::close_watch(fd); }
};

}  // namespace

Deadline::Deadline(double timeout, const std::string &what) {
  if (std::isnan(timeout)) throw Error(NPSHM_E_INVALID, what + ": the timeout is not a number");
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
  const Sync s = sync_block(seg, "version " + seg.location().name);
  return __atomic_load_n(s.version, __ATOMIC_SEQ_CST);
}

std::uint64_t notify(Segment &seg) {
  const std::string what = "notify " + seg.location().name;
  if (seg.readonly())
    throw Error(NPSHM_E_READONLY, what + ": the handle is read-only (notify writes the version into the file)");
  const Sync s = sync_block(seg, what);
  // Version first, then the word: a waiter that saw the old version read
  // the word before this changes it, so its sleep is refused or woken.
  const std::uint64_t v = __atomic_add_fetch(s.version, 1, __ATOMIC_SEQ_CST);
  __atomic_add_fetch(s.word, 1, __ATOMIC_SEQ_CST);
  platform::wake_all(s.word);
  return v;
}

std::uint64_t wait_changed(const Segment &seg, std::uint64_t seen, double timeout) {
  const std::string what = "wait_changed " + seg.location().name;
  const Deadline deadline(timeout, what);
  const Sync s = sync_block(seg, what);
  for (;;) {
    const std::uint32_t word = __atomic_load_n(s.word, __ATOMIC_SEQ_CST);
    const std::uint64_t v = __atomic_load_n(s.version, __ATOMIC_SEQ_CST);
    if (v != seen) return v;
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0) timed_out(what, timeout, " (version still " + std::to_string(seen) + ")");
    const int err = platform::wait_word(s.word, word, left);
    if (err != 0 && err != EAGAIN && err != ETIMEDOUT && err != EINTR)
      throw_system(what + ": cannot wait", err);
  }
}

void wait_created(const Location &loc, double timeout) {
  const std::string what = "wait_created " + loc.name;
  const Deadline deadline(timeout, what);
  WatchGuard watch;
  // Watch first, then look: a name published after the look is an event.
  if (int err = platform::watch_directory(loc.directory, watch.fd)) {
    if (err == ENOENT || err == ENOTDIR)
      throw Error(NPSHM_E_NOT_FOUND, what + ": directory " + loc.directory + " does not exist", err);
    throw_system(what + ": cannot watch " + loc.directory, err);
  }
  std::string last_problem;
  for (;;) {
    ArrayFile file;
    int err = 0;
    try {
      err = open_array_file(loc.path, ArrayFileAccess::read_only, "", file);
      if (err == 0) {
        ::close(file.fd);
        return;
      }
      if (err == platform::kNotRegular) last_problem = std::string(" (the name is ") + platform::file_kind(file.st.st_mode) + ")";
      else if (err == EACCES || err == EPERM)
        throw_system(what + ": the name exists but cannot be read", err);
      else if (err != ENOENT)
        throw_system(what + ": cannot open", err);
    } catch (const Error &e) {
      if (e.code() != NPSHM_E_FORMAT) throw;
      // Something else writing a file under that name: wait for it to
      // become a whole array.
      last_problem = std::string(" (the name exists but is not an array: ") + e.what() + ")";
    }
    const std::int64_t left = deadline.remaining_ns();
    if (left == 0) timed_out(what, timeout, last_problem);
    err = platform::wait_watch(watch.fd, left);
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
      throw Error(NPSHM_E_SYSTEM, what + ": this system cannot tell whether other processes hold the array");
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
    throw Error(NPSHM_E_FORMAT, what + ": refusing " + platform::file_kind(file.st.st_mode) +
                                    " (only regular files are arrays; links are never followed)");
  if (err == ENOENT) throw Error(NPSHM_E_NOT_FOUND, what + ": no such array", err);
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
