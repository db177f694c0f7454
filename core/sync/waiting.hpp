// Waiting on arrays: for a name to appear, for a new version, for every
// other process to let go.  The C ABI's npshm_wait_* and npshm_notify.
//
// Versions.  Every array npshm creates ends with a sync block (see
// format/file_format.hpp): a 64-bit version and a 32-bit futex word.  notify adds
// one to the version, then to the futex word, then wakes every process
// sleeping on the word.  A waiter reads the futex word, then the version;
// if the version still equals the one it has seen it sleeps on the word
// "while it still holds what I read", so a notify between its reading and
// its sleeping changes the word and the kernel does not let it sleep: no
// wake-up is lost.  Waiters see the latest version and may skip
// intermediate ones.  A wake-up without a new version (anyone who can read
// the file can issue FUTEX_WAKE on it) only makes a waiter look again.
//
// Timeouts are in seconds: < 0 waits without limit, 0 checks once.  A wait
// that times out lasted at least the timeout; it throws
// Error(Errc::timeout).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "store/names.hpp"

namespace npshm {

class Segment;
struct Location;
struct Options;

// The version of the array (0 when created).  Throws Error(Errc::format)
// for a file without a sync block (a plain .npy, or a file of an earlier
// release).
std::uint64_t array_version(const Segment &seg);
// Add one to the version and wake every waiter; returns the new version.
// Needs a writable handle (Errc::readonly): the version lives in the
// file, and a reader's mapping is read-only.
std::uint64_t notify(Segment &seg);
// Return the version as soon as it differs from seen.
std::uint64_t wait_changed(const Segment &seg, std::uint64_t seen, double timeout);
// Return once the name exists as an array (a file whose header reads as
// one; npshm publishes complete arrays only).  Watches the directory before
// looking, so no creation is missed.
void wait_created(const Location &loc, double timeout);
// wait_created for event loops: fd() becomes readable when something
// happened in the directory (-1 where the system cannot tell: then check
// every few ms); check() consumes those events and looks: true once the
// name exists as an array.  The directory is watched from construction, so
// a creation after it is never missed.  Throws Error (Errc::not_found: no
// such directory; check: a name that exists but cannot be read).
class CreatedWatch {
 public:
  explicit CreatedWatch(const Location &loc);
  CreatedWatch(const CreatedWatch &) = delete;
  CreatedWatch &operator=(const CreatedWatch &) = delete;
  ~CreatedWatch();
  int fd() const { return fd_; }
  bool check();
  // Why the last check said no, for a timeout's message ("" or " (...)").
  const std::string &problem() const { return problem_; }

 private:
  Location loc_;
  int fd_ = -1;
  std::string problem_;
};

// Return once no process other than this one holds the array (its holder
// lock): through this process's description of it, so the caller's own
// handles do not count.
void wait_released(const Segment &seg, double timeout);
void wait_released(const Location &loc, const Options &opts, double timeout);

// Waiting for any of several arrays to change, from one thread: for a
// process that serves many waits at once (an event loop) without a thread
// per wait.  interrupt() (from any thread) makes the current wait, or the
// next one if none is under way, end with Error(Errc::canceled) -- so the
// thread can take up a new set of arrays.  Linux 5.16 and later
// (futex_waitv); elsewhere the constructor throws Error(Errc::system).
class Waiter {
 public:
  static constexpr std::size_t kMaxArrays = 127;  // the system's limit, less the interrupt word
  Waiter();
  Waiter(const Waiter &) = delete;
  Waiter &operator=(const Waiter &) = delete;
  // The index of an array whose version differs from seen[i] (the first
  // such in order when several do), as soon as one does; its version in
  // *version.  Throws Error: Errc::canceled, Errc::timeout,
  // Errc::invalid (n is 0 or over kMaxArrays), Errc::format (an array
  // without a version block).
  std::size_t wait(const Segment *const *arrays, const std::uint64_t *seen, std::size_t n, double timeout,
                   std::uint64_t *version);
  void interrupt() noexcept;

 private:
  std::uint32_t word_ = 0;     // the interrupt word: private futex
  std::uint32_t pending_ = 0;  // an interrupt not yet delivered
};

// A point in time timeout seconds from now, on the monotonic clock; the
// check of the timeout argument shared by the waits and array locks.
class Deadline {
 public:
  Deadline(double timeout, const std::string &what);
  bool forever() const { return forever_; }
  // Nanoseconds left (0 when past; -1 when forever).
  std::int64_t remaining_ns() const;
  bool passed() const { return !forever_ && remaining_ns() == 0; }

 private:
  bool forever_ = false;
  std::int64_t end_ns_ = 0;
};

// The text of a timeout for messages: "after 1.5 s".
std::string timeout_text(double timeout);

// Wait until ready() returns true (true) or the deadline passes (false),
// looking again each time the file open at fd is closed by anyone, or with
// reads also read by anyone (platform::announce).  The kernel reports a
// close just before it drops the closer's locks, so after an event a look
// that finds nothing new looks again 1, 2, 4 ... 64 ms later, and after
// that waits for the next event.  Between events it sleeps: no CPU.
bool wait_on_file(int fd, bool reads, const Deadline &deadline, const std::string &what,
                  const std::function<bool()> &ready);

}  // namespace npshm
