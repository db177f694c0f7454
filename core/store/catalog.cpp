// The shm directory's contents: describing, listing and garbage-collecting arrays.
#include "store/catalog.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "store/array_open.hpp"
#include "common/error.hpp"
#include "store/load_save.hpp"
#include "format/file_format.hpp"
#include "platform/platform.hpp"
#include "common/escape.hpp"
#include "platform/temp_names.hpp"
#include "store/user_path.hpp"

namespace npshm {

namespace {

// Closes a descriptor on scope exit.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
};

void fill_from_stat(ArrayInfo &info, const struct stat &st) {
  info.file_size = static_cast<std::uint64_t>(st.st_size);
  info.uid = st.st_uid;
  info.mode = st.st_mode & 0777;
  info.mtime = st.st_mtime;
  info.dev = st.st_dev;
  info.blksize = static_cast<std::size_t>(st.st_blksize);
  info.ino = st.st_ino;
  info.regular = S_ISREG(st.st_mode);
}

// Read the header of an open file into info (status, layout, lifetime).
void read_into(ArrayInfo &info, int fd, const struct stat &st) {
  FileHeader fh;
  try {
    fh = read_file_header(fd, static_cast<std::uint64_t>(st.st_size));
  } catch (const Error &e) {
    info.status = e.code();
    info.message = escape_text(e.what());
    return;
  }
  info.status = Errc::ok;
  info.layout = fh.header.layout;
  info.lifetime = effective_lifetime(fh, st.st_dev, st.st_ino, info.location.is_shm);
}

// Why a file could not be opened, as an info status.
void open_failure(ArrayInfo &info, int err, const struct stat &st) {
  if (err == platform::kNotRegular) {
    info.regular = false;
    info.status = Errc::format;
    info.message = std::string("not a regular file (") + platform::file_kind(st.st_mode) + ")";
  } else if (err == EWOULDBLOCK) {
    info.status = Errc::busy;
    info.message = "another process holds a lease on the file (not waiting for it)";
  } else {
    info.status = code_from_errno(err);
    info.message = std::string("cannot open (") + std::strerror(err) + ")";
  }
}

std::vector<std::string> directory_entries(const std::string &directory, const char *what) {
  // Reached by the caller's path rule (user_path.hpp), then opened for
  // reading through the descriptor reached.
  Fd lookup(open_user_directory(directory, std::string(what) + " " + directory));
  const int fd = ::openat(lookup.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd < 0 ? nullptr : ::fdopendir(fd);
  if (!dir) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    throw_system(std::string(what) + ": cannot open directory " + directory, err);
  }
  std::vector<std::string> names;
  while (struct dirent *e = ::readdir(dir)) names.emplace_back(e->d_name);
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

namespace {

// holders null: leave the count for holder_count().
ArrayInfo inspect(const Location &loc, const platform::HolderCounts *holders) {
  ArrayInfo info;
  info.location = loc;
  // lstat first: a link, FIFO, socket, device or directory is described
  // without ever being opened.
  struct stat st;
  if (int err = stat_user_path(loc.path, st, "stat " + loc.name)) {
    if (err == ENOENT || err == ENOTDIR) throw Error(Errc::not_found, "stat " + loc.name + ": no such array", err);
    info.status = code_from_errno(err);
    info.message = std::string("cannot stat (") + std::strerror(err) + ")";
    return info;
  }
  fill_from_stat(info, st);
  if (holders)
    info.holders = holders->count(st.st_dev, st.st_ino);
  else
    info.holders_pending = true;
  if (!info.regular) {
    open_failure(info, platform::kNotRegular, st);
    return info;
  }
  ArrayFile opened;
  int err;
  try {
    err = open_array_file(loc.path, ArrayFileAccess::read_only, "", opened, [&](const ArrayFile &f) {
      fill_from_stat(info, f.st);  // the file opened (the name may have changed since lstat)
      if (holders) info.holders = holders->count(f.st.st_dev, f.st.st_ino);
    });
  } catch (const Error &e) {  // not an array
    info.status = e.code();
    info.message = escape_text(e.what());
    return info;
  }
  Fd guard(opened.fd);
  if (err == ENOENT) throw Error(Errc::not_found, "stat " + loc.name + ": no such array", err);
  if (err != 0) {
    open_failure(info, err, opened.st);
    return info;
  }
  info.status = Errc::ok;
  info.layout = opened.header.header.layout;
  info.lifetime = effective_lifetime(opened.header, opened.st.st_dev, opened.st.st_ino, info.location.is_shm);
  return info;
}

}  // namespace

ArrayInfo inspect(const Location &loc) { return inspect(loc, nullptr); }

bool array_exists(const Location &loc) {
  ArrayInfo info;
  try {
    info = inspect(loc);
  } catch (const Error &e) {
    if (e.code() == Errc::not_found) return false;
    throw;
  }
  if (info.status != Errc::ok) throw Error(info.status, "exists " + loc.name + ": " + info.message);
  return true;
}

std::size_t page_size_of(const ArrayInfo &info) {
  // hugetlbfs is told by the file itself (platform::huge_page_size, the one
  // probe), the huge pages of a tmpfs by its mount.
  std::size_t hugetlb_block = 0;
  int fd = -1;
  struct stat st;
  if (platform::open_regular(info.location.path, O_RDONLY, fd, st) == 0) {
    Fd guard(fd);
    if (st.st_dev == info.dev && st.st_ino == info.ino) hugetlb_block = platform::huge_page_size(fd, st);
  }
  return platform::backing_page_size(info.dev, hugetlb_block);
}

bool mapping_processes(const ArrayInfo &info, std::vector<pid_t> &pids, std::size_t &mappings) {
  return platform::processes_mapping(info.dev, info.ino, pids, mappings);
}

int holder_count(const ArrayInfo &info) {
  if (info.holders_pending) {
    // /proc/locks lists every lock on the machine: read only when asked.
    // (No cheaper question covers every kind of holder: F_OFD_GETLK sees
    // OFD and POSIX locks, never a shared flock.)
    info.holders = platform::HolderCounts().count(info.dev, info.ino);
    info.holders_pending = false;
  }
  return info.holders;
}

std::vector<ArrayInfo> list_directory(const std::string &directory) {
  std::vector<ArrayInfo> list;
  const platform::HolderCounts holders;  // one read of the lock table for all
  for (const std::string &name : directory_entries(directory, "list")) {
    if (name[0] == '.') continue;
    try {
      ArrayInfo info = inspect(shm_location(directory, name), &holders);
      if (info.regular || info.status != Errc::format) list.push_back(std::move(info));
    } catch (const Error &e) {
      if (e.code() != Errc::not_found) throw;  // removed while we listed: skip
    }
  }
  return list;
}

// gc removes only what it can prove is an abandoned npshm segment:
// - an OWNER or LAST array whose trailer is bound to this very file (so
//   never a copy or a foreign file), that no live process holds (we take
//   its holder lock exclusively, which also keeps attachers waiting until
//   the name is gone), removed only if the name still refers to it
//   (platform::unlink_if_same);
// - where creates cannot use O_TMPFILE, a hidden temporary whose maker
//   died (temp_names.hpp's abandoned_temp: a dead creator, nobody holding
//   it, this one name, old enough).  Where they can (Linux tmpfs), no
//   create ever names a temporary, so no ".npshm-tmp-*" file is touched.
// Files are opened without following links or blocking (a lease held by
// another user is skipped, not waited for).
std::vector<ArrayInfo> collect_garbage(const std::string &directory, bool dry_run, int min_age_seconds) {
  std::vector<ArrayInfo> removed;
  const std::time_t now = std::time(nullptr);
  const bool temps_possible = !platform::unnamed_files_supported(directory);
  for (const std::string &name : directory_entries(directory, "gc")) {
    TempName parsed;
    const bool temp = temps_possible && parse_temp_name(name, parsed);
    if (name[0] == '.' && !temp) continue;
    Location loc = shm_location(directory, name);
    struct stat st;
    if (::lstat(loc.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // never opened
    int fd = -1;
    if (platform::open_regular(loc.path, O_RDWR, fd, st) != 0) continue;  // gone, odd, leased or not ours
    Fd guard(fd);
    ArrayInfo info;
    info.location = loc;
    if (temp) {
      if (!abandoned_temp(name, st, now, min_age_seconds)) continue;
      info.status = Errc::format;
      info.message = "unfinished create whose creator died";
    } else {
      read_into(info, fd, st);
      if (info.status != Errc::ok || info.lifetime == Lifetime::persistent) continue;
    }
    // Exclusive lock taken: no live process holds the file, and attachers
    // wait until we are done (then they see it unlinked).
    if (platform::try_lock_exclusive(fd) != 0) continue;
    fill_from_stat(info, st);
    info.holders = 0;  // we hold it exclusively
    if (!dry_run && platform::unlink_if_same(fd, loc.path, 0) != 0) continue;
    removed.push_back(std::move(info));
  }
  return removed;
}

void remove_array(const Location &loc) {
  const std::string what = "remove " + loc.name;
  NpyFile file;
  try {
    file = open_npy(loc.path, what);  // only valid .npy files are removed
  } catch (const Error &e) {
    if (e.code() == Errc::not_found) throw Error(Errc::not_found, what + ": no such array", ENOENT);
    if (e.code() != Errc::format) throw;
    std::string why = e.what();
    why.erase(0, what.size() + 2);  // open_npy says "<what>: <why>"
    throw Error(Errc::format, what + ": refusing to remove a file that is not an array: " + why);
  }
  // The name must still be the file we checked, at the moment it goes.
  const int err = platform::unlink_if_same(file.fd, loc.path, 2000);
  if (err == ESTALE)
    throw Error(Errc::not_found, what + ": the name changed while removing it (nothing removed)", ENOENT);
  if (err == EWOULDBLOCK) throw Error(Errc::busy, what + ": another process is removing it", err);
  if (err) throw_system(what, err);
}

}  // namespace npshm
