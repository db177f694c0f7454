// Loading a .npy file into the shm directory and saving an array as one.
#include "store/load_save.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "store/array_open.hpp"
#include "common/error.hpp"
#include "platform/whole_io.hpp"
#include "platform/platform.hpp"
#include "common/progress.hpp"
#include "store/space.hpp"
#include "platform/temp_names.hpp"
#include "store/user_path.hpp"

namespace npshm {

NpyFile::~NpyFile() {
  if (fd >= 0) ::close(fd);
}

NpyFile open_npy(const std::string &path, const std::string &what) {
  NpyFile file;
  ArrayFile opened;
  const int err = open_array_file(path, ArrayFileAccess::read_only, what, opened);
  if (err == platform::kNotRegular)
    throw Error(Errc::format, what + ": not a regular file (" + platform::file_kind(opened.st.st_mode) +
                                    "; links are never followed)");
  if (err == ENOENT) throw Error(Errc::not_found, what + ": no such file", err);
  if (err == EWOULDBLOCK)
    throw_system(what + ": another process holds a lease on the file (not waiting for it)", err, Errc::busy);
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

// Hidden temporaries of saves to the same target (temp_names.hpp) whose
// process is gone (a save killed between naming its file and publishing
// it, where O_TMPFILE is not available): ours (same user), regular,
// removed.  Nothing else in the directory is touched.
void clean_stale_temps(int dirfd, const std::string &base) {
  const int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return;
  DIR *dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    return;
  }
  const uid_t me = ::geteuid();
  const std::time_t now = std::time(nullptr);
  while (struct dirent *e = ::readdir(dir)) {
    const std::string name = e->d_name;
    TempName temp;
    if (!parse_temp_name(name, temp) || temp.base != base) continue;
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_uid != me) continue;
    if (abandoned_temp(name, st, now, 0)) ::unlinkat(dirfd, name.c_str(), 0);
  }
  ::closedir(dir);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string no_clobber_message(const std::string &what) {
  return what + ": the file exists (not replaced: no-clobber)";
}

}  // namespace

void save_npy(const Layout &layout, const void *data, const std::string &path, const std::string &what,
              const Options &opts, int source_fd, std::uint64_t source_offset, unsigned new_file_mode) {
  if (path.empty() || path.back() == '/') throw Error(Errc::invalid, what + ": not a file path");
  std::string dir, base;
  split_path(path, dir, base);
  if (base == "." || base == "..") throw Error(Errc::invalid, what + ": not a file path");

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
    if (opts.no_clobber) throw Error(Errc::exists, no_clobber_message(what), EEXIST);
    if (!S_ISREG(existing.st_mode))
      throw Error(Errc::invalid, what + ": refusing to replace " + platform::file_kind(existing.st_mode) +
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
  // file system cannot do that, a hidden name that goes with `file` unless
  // published, and that the next save to the same target removes if this
  // process dies.
  platform::NewFile file;
  if (int err = platform::create_new_file(dirfd.fd, "", base, mode, file))
    throw_system(what + ": cannot create a file in " + dir, err);
  Fd owned;
  owned.fd = file.fd;
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
  int err = pwrite_all(file.fd, header.data(), header.size(), 0);
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
    throw Error(Errc::format, what + ": the array's file became shorter while saving (truncated by someone)", err);
  if (!err && ::fsync(file.fd) != 0) err = errno;
  if (err) throw_system(what + (err == ENOSPC ? ": no space left" : ": cannot write"), err);

  // Replacing: atomically (rename).  With no_clobber: never over anything,
  // not even a file another process made after the check above.
  if (int e = platform::publish_new_file(file, base, !opts.no_clobber)) {
    if (e == EEXIST && opts.no_clobber) throw Error(Errc::exists, no_clobber_message(what), e);
    throw_system(what + ": cannot name the file", e);
  }
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
