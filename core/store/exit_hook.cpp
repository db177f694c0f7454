// Lifetimes applied at normal process exit.
#include "store/exit_hook.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
#include <vector>


#include "store/open_files.hpp"
#include "platform/platform.hpp"
#include "common/process_singleton.hpp"

namespace npshm {
namespace exit_hook {

namespace {

constexpr int kRemoverWaitMs = 2000;  // OWNER: as a close waits for another remover

struct Entry {
  std::shared_ptr<OpenFile> file;
  std::string path;
  Lifetime lifetime;
  bool creator;
  pid_t pid;
  bool applied = false;  // the hook applied the policy
};

// The registry (one per process, never freed: process_singleton.hpp).
struct Registry {
  std::mutex mutex;
  std::map<const void *, Entry> entries;
};

Registry &registry() { return process_singleton<Registry>(); }

// LAST: drop every holder lock this process has on the file, and unlink it
// if no other live process holds one (the exclusive lock, taken on a
// writable description, says so).  As in close, a failed upgrade drops
// ours and tries once more, so that of two processes exiting at once at
// least one removes it.
void leave_last(const std::vector<Entry *> &handles) {
  std::vector<OpenFile *> files;
  for (Entry *e : handles) {
    bool seen = false;
    for (OpenFile *f : files) seen = seen || f == e->file.get();
    if (!seen) files.push_back(e->file.get());
  }
  OpenFile *decider = nullptr;
  for (OpenFile *f : files)
    if (f->writable && !decider) decider = f;
  for (OpenFile *f : files)
    if (f != decider) platform::unlock(f->fd);
  if (!decider) return;  // read-only: left to the other holders or to gc
  int err = platform::try_lock_exclusive(decider->fd);
  if (err == EAGAIN) {
    platform::unlock(decider->fd);
    err = platform::try_lock_exclusive(decider->fd);
  }
  if (err != 0) {
    platform::unlock(decider->fd);
    return;
  }
  platform::unlink_if_same(decider->fd, handles.front()->path, 0);  // a flock holder: left (as in close)
}

void run() noexcept {
  try {
    Registry &r = registry();
    std::lock_guard<std::mutex> guard(r.mutex);
    const pid_t me = ::getpid();
    std::map<std::pair<dev_t, ino_t>, std::vector<Entry *>> last;
    for (auto &item : r.entries) {
      Entry &e = item.second;
      if (e.pid != me || e.applied) continue;
      e.applied = true;
      if (e.lifetime == Lifetime::owner && e.creator)
        platform::unlink_if_same(e.file->fd, e.path, kRemoverWaitMs);
      else if (e.lifetime == Lifetime::last)
        last[{e.file->dev, e.file->ino}].push_back(&e);
    }
    for (auto &file : last) leave_last(file.second);
  } catch (...) {
    // at exit: nothing to report to, and nothing else to do
  }
}

void at_exit() { run(); }

void install() {
  // Keep the library loaded until the process ends (see the header), then
  // have exit() run the hook.
  platform::pin_library(reinterpret_cast<const void *>(&at_exit));
  std::atexit(at_exit);
}

}  // namespace

void enroll(const void *handle, const std::shared_ptr<OpenFile> &file, const std::string &path, Lifetime lifetime,
            bool creator) noexcept {
  static std::once_flag installed;
  try {
    std::call_once(installed, install);
    Registry &r = registry();
    Entry e{file, path, lifetime, creator, ::getpid()};
    std::lock_guard<std::mutex> guard(r.mutex);
    r.entries[handle] = std::move(e);
  } catch (...) {
    // out of memory: this handle's policy is then applied only by close
  }
}

bool withdraw(const void *handle) noexcept {
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  auto it = r.entries.find(handle);
  if (it == r.entries.end()) return false;
  const bool applied = it->second.applied;
  r.entries.erase(it);
  return applied;
}

}  // namespace exit_hook
}  // namespace npshm
