// The files this process has open as arrays: one description per file and mode.
#include "store/open_files.hpp"
#include "common/process_singleton.hpp"

#include <unistd.h>

#include <map>
#include <mutex>
#include <tuple>

namespace npshm {

OpenFile::OpenFile(int fd_, const struct stat &st, bool writable_)
    : fd(fd_), dev(st.st_dev), ino(st.st_ino), writable(writable_), pid(::getpid()) {}

OpenFile::~OpenFile() { ::close(fd); }

namespace open_files {

namespace {

using Key = std::tuple<dev_t, ino_t, bool>;

// The registry (one per process, never freed: process_singleton.hpp).
struct Registry {
  std::mutex mutex;
  std::map<Key, std::weak_ptr<OpenFile>> files;
};

Registry &registry() { return process_singleton<Registry>(); }

// An entry of this process for key, one holder more; null if none.
std::shared_ptr<OpenFile> join(Registry &r, const Key &key) {
  auto it = r.files.find(key);
  if (it == r.files.end()) return nullptr;
  std::shared_ptr<OpenFile> file = it->second.lock();
  if (!file || file->pid != ::getpid() || file->holders == 0) return nullptr;
  ++file->holders;
  return file;
}

}  // namespace

std::shared_ptr<OpenFile> share(int fd, const struct stat &st, bool writable,
                                const std::function<void(int)> &lock) {
  Registry &r = registry();
  const Key key{st.st_dev, st.st_ino, writable};
  {
    std::lock_guard<std::mutex> guard(r.mutex);
    if (auto file = join(r, key)) {
      ::close(fd);
      return file;
    }
  }
  lock(fd);  // may wait: not under the mutex
  auto file = std::make_shared<OpenFile>(fd, st, writable);
  std::lock_guard<std::mutex> guard(r.mutex);
  if (auto existing = join(r, key)) {
    // Another thread registered the same file meanwhile: use theirs (ours
    // closes, with its lock, when `file` goes out of scope).
    return existing;
  }
  r.files[key] = file;
  return file;
}

std::shared_ptr<OpenFile> adopt(int fd, const struct stat &st, bool writable) {
  Registry &r = registry();
  auto file = std::make_shared<OpenFile>(fd, st, writable);
  std::lock_guard<std::mutex> guard(r.mutex);
  r.files[Key{st.st_dev, st.st_ino, writable}] = file;
  return file;
}

bool leave(OpenFile &file) {
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  if (--file.holders > 0) return false;
  auto it = r.files.find(Key{file.dev, file.ino, file.writable});
  if (it != r.files.end() && it->second.lock().get() == &file) r.files.erase(it);
  return true;
}

std::shared_ptr<OpenFile> find(dev_t dev, ino_t ino) {
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  for (bool writable : {true, false}) {
    auto it = r.files.find(Key{dev, ino, writable});
    if (it == r.files.end()) continue;
    std::shared_ptr<OpenFile> file = it->second.lock();
    if (file && file->pid == ::getpid() && file->holders > 0) return file;
  }
  return nullptr;
}

}  // namespace open_files
}  // namespace npshm
