// The files this process has open as arrays: one open file description
// (and so one holder lock) per file and access mode, shared by every handle
// of the process, however many there are.
//
// Why: the kernel keeps one lock record per open file description and walks
// all of them at every lock operation on the file, so with a descriptor per
// handle, attaching got slower with every handle already open (10,000
// handles: about 60x).  With this registry a process holds one lock per
// array, and attaching the same array again only adds a reference.
//
// Fork: a child inherits its parent's descriptions (and their locks).  It
// must not share them for its own new handles (a LAST close in the child
// would find only its parent's lock and take it for its own), so entries
// remember the process that opened them and a child never joins them.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <functional>
#include <memory>

namespace npshm {

// One open file description.  The descriptor is closed when the last
// shared_ptr to it goes away.
struct OpenFile {
  OpenFile(int fd, const struct stat &st, bool writable);
  ~OpenFile();
  OpenFile(const OpenFile &) = delete;
  OpenFile &operator=(const OpenFile &) = delete;

  const int fd;
  const dev_t dev;
  const ino_t ino;
  const bool writable;
  const pid_t pid;   // the process that opened it
  long holders = 1;  // handles of that process using it (guarded by the registry's mutex)
};

namespace open_files {

// Share the file that fd (just opened, st its fstat, not yet locked) refers
// to.  If this process already holds that file with the same access, closes
// fd and returns the existing description, one holder more.  Otherwise runs
// lock(fd) (which may throw; fd then stays the caller's to close) and
// registers fd, which from then on belongs to the returned object.
std::shared_ptr<OpenFile> share(int fd, const struct stat &st, bool writable,
                                const std::function<void(int)> &lock);

// Register a new file this process created and locked (fd now belongs to
// the returned object).
std::shared_ptr<OpenFile> adopt(int fd, const struct stat &st, bool writable);

// One handle lets go.  Returns true if it was the last handle of this
// process using the file (later handles then open a new description); the
// descriptor itself stays open while any shared_ptr to it exists.
bool leave(OpenFile &file);

// This process's description of the file (dev, ino) while a handle of it is
// open (read-write preferred), without joining it; null if none.
std::shared_ptr<OpenFile> find(dev_t dev, ino_t ino);

}  // namespace open_files
}  // namespace npshm
