#include "npy_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "array_file.hpp"
#include "error.hpp"
#include "file_io.hpp"
#include "platform.hpp"
#include "progress.hpp"
#include "space.hpp"
#include "user_path.hpp"

namespace npshm {

NpyFile::~NpyFile() {
  if (fd >= 0) ::close(fd);
}

NpyFile open_npy(const std::string &path, const std::string &what) {
  NpyFile file;
  ArrayFile opened;
  const int err = open_array_file(path, ArrayFileAccess::read_only, what, opened);
  if (err == platform::kNotRegular)
    throw Error(NPSHM_E_FORMAT, what + ": not a regular file (" + platform::file_kind(opened.st.st_mode) +
                                    "; links are never followed)");
  if (err == ENOENT) throw Error(NPSHM_E_NOT_FOUND, what + ": no such file", err);
  if (err == EWOULDBLOCK)
    throw_system(what + ": another process holds a lease on the file (not waiting for it)", err, NPSHM_E_BUSY);
  if (err) throw_system(what + ": cannot open", err);
  file.fd = opened.fd;
  file.header = std::move(opened.header.header);
  return file;
}

mode_t new_file_bits(const struct stat &source) {
  mode_t bits = S_IRUSR | S_IWUSR | (source.st_mode & (S_IRGRP | S_IROTH));
  if (source.st_uid == ::geteuid()) bits |= source.st_mode & (S_IWGRP | S_IWOTH);
  return bits;
}

unsigned file_mode(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? static_cast<unsigned>(st.st_mode & 0777) : 0600u;
}

namespace {

const char kSaveTempInfix[] = ".npshm-save-";

// Hidden temporaries ".BASE.npshm-save-PID-RANDOM" of saves to the same target
// whose process is gone (a save killed between naming its file and
// renaming it, or one where O_TMPFILE is not available): ours (same user),
// regular, removed.  Nothing else in the directory is touched.
void clean_stale_temps(int dirfd, const std::string &base) {
  const std::string prefix = "." + base + kSaveTempInfix;
  const int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return;
  DIR *dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    return;
  }
  const uid_t me = ::geteuid();
  while (struct dirent *e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char *end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (end == name.c_str() + prefix.size() || *end != '-' || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // its saver may be alive
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || st.st_uid != me)
      continue;
    ::unlinkat(dirfd, name.c_str(), 0);
  }
  ::closedir(dir);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

void save_npy(const Layout &layout, const void *data, const std::string &path, const std::string &what,
              const Options &opts, int source_fd, std::uint64_t source_offset, unsigned new_file_mode) {
  if (path.empty() || path.back() == '/') throw Error(NPSHM_E_INVALID, what + ": not a file path");
  std::string dir, base;
  split_path(path, dir, base);
  if (base == "." || base == "..") throw Error(NPSHM_E_INVALID, what + ": not a file path");

  // Everything happens relative to the directory opened once (resolved
  // component by component, never through a link another user planted in
  // a shared sticky directory): the target is never opened, and its
  // directory never looked up again.
  Fd dirfd;
  dirfd.fd = open_user_directory(dir, what);
  // Only a regular file is replaced, never a device, FIFO, socket,
  // directory or symbolic link.  It keeps its permissions when it is the
  // caller's own: a file someone else planted there (say 0666 in /tmp)
  // must not lend its mode to the caller's data.  A new file gets
  // new_file_bits, less the caller's umask.
  struct stat existing;
  bool keep_mode = false;
  const bool exists = ::fstatat(dirfd.fd, base.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists) {
    if (!S_ISREG(existing.st_mode))
      throw Error(NPSHM_E_INVALID, what + ": refusing to replace " + platform::file_kind(existing.st_mode) +
                                       " (not a regular file; only a regular file is replaced)");
    keep_mode = existing.st_uid == ::geteuid();
  }
  mode_t mode = keep_mode ? existing.st_mode & 0777 : static_cast<mode_t>(new_file_mode & 0666);
  if (!keep_mode && source_fd >= 0) {
    struct stat source;
    if (int err = platform::file_status(source_fd, source)) throw_system(what + ": cannot stat the array", err);
    mode = new_file_bits(source);
  }
  clean_stale_temps(dirfd.fd, base);

  // The new file has no name until it is complete (O_TMPFILE); where the
  // file system cannot do that, a hidden name that the next save to the
  // same target removes if this process dies.  Its last part is random:
  // another user who could guess it could take it first in a shared sticky
  // directory and make every such save fail.
  char random_part[17];
  std::snprintf(random_part, sizeof random_part, "%016llx", static_cast<unsigned long long>(platform::random_id()));
  const std::string temp = "." + base + kSaveTempInfix + std::to_string(::getpid()) + "-" + random_part;
  Fd file;
  bool named = false;
  int err = platform::create_unnamed_at(dirfd.fd, mode, file.fd);
  if (err == EOPNOTSUPP) {
    file.fd = ::openat(dirfd.fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    err = file.fd < 0 ? errno : 0;
    named = err == 0;
  }
  if (err) throw_system(what + ": cannot create a file in " + dir, err);
  struct Unname {  // a named temporary goes unless it became the target
    int dirfd;
    const std::string &name;
    bool active;
    ~Unname() {
      if (active) ::unlinkat(dirfd, name.c_str(), 0);
    }
  } unname{dirfd.fd, temp, named};
  // The kernel applied the umask (or the directory's default ACL) to a new
  // file's bits, as for any file the caller creates; a replaced file of
  // the caller's keeps its mode exactly.
  if (keep_mode)
    if (int e = platform::set_mode(file.fd, mode)) throw_system(what + ": cannot set the mode", e);

  const std::string header = format_header(layout);
  // Like create and load, never fill the target's file system, not even
  // for a moment (a save onto a tmpfs such as /dev/shm would otherwise
  // write page by page until ENOSPC): compare with the free space, then
  // reserve the whole file before writing it (space.hpp).
  const std::uint64_t total = header.size() + layout.nbytes;
  check_space(file.fd, ::geteuid(), total, what, dir);
  if (int e = platform::reserve(file.fd, total))
    throw_system(what + (e == ENOSPC || e == EDQUOT || e == EFBIG ? ": no space left" : ": cannot reserve space"),
                 e);
  err = pwrite_all(file.fd, header.data(), header.size(), 0);
  const char *bytes = static_cast<const char *>(data);
  for (std::uint64_t done = 0; !err;) {
    report_progress(opts, done, layout.nbytes, what);
    if (done == layout.nbytes) break;
    const std::uint64_t n = std::min<std::uint64_t>(kProgressStep, layout.nbytes - done);
    // From the source file in the kernel: no page of it faulted in here,
    // and a source truncated meanwhile gives an error, not SIGBUS.
    err = source_fd >= 0 ? platform::copy_range(source_fd, source_offset + done, file.fd, header.size() + done, n)
                         : pwrite_all(file.fd, bytes + done, static_cast<std::size_t>(n), header.size() + done);
    done += n;
  }
  if (err == EIO && source_fd >= 0)
    throw Error(NPSHM_E_FORMAT, what + ": the array's file became shorter while saving (truncated by someone)", err);
  if (!err && ::fsync(file.fd) != 0) err = errno;
  if (err) throw_system(what + (err == ENOSPC ? ": no space left" : ": cannot write"), err);

  if (!named) {
    // Straight to the target name when there is none; else under a hidden
    // name for the rename that replaces the target atomically.
    err = exists ? EEXIST : platform::link_unnamed_at(file.fd, dirfd.fd, base);
    if (err == EEXIST) {
      err = platform::link_unnamed_at(file.fd, dirfd.fd, temp);
      unname.active = err == 0;
      if (!err && ::renameat(dirfd.fd, temp.c_str(), dirfd.fd, base.c_str()) != 0) err = errno;
    }
  } else if (::renameat(dirfd.fd, temp.c_str(), dirfd.fd, base.c_str()) != 0) {
    err = errno;
  }
  if (err) throw_system(what + ": cannot name the file", err);
  unname.active = false;
  // The new name, durable (the walk's descriptor is for lookups only).
  const int synced = ::openat(dirfd.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (synced >= 0) {
    ::fsync(synced);
    ::close(synced);
  }
}

void save_named_npy(const Location &loc, const std::string &path, const Options &opts) {
  const std::string what = "save " + loc.name + " to " + path;
  NpyFile source = open_npy(loc.path, what);
  save_npy(source.header.layout, nullptr, path, what, opts, source.fd, source.header.data_offset,
           file_mode(source.fd));
}

}  // namespace npshm
