#include "catalog.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "error.hpp"
#include "npshm.h"
#include "npy_file.hpp"
#include "npy_format.hpp"
#include "platform.hpp"

namespace npshm {

namespace {

const char kTempPrefix[] = ".npshm-tmp-";

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

void fill_from_stat(npshm_info &info, const struct stat &st) {
  info.file_size = static_cast<std::uint64_t>(st.st_size);
  info.uid = st.st_uid;
  info.mode = st.st_mode & 0777;
  info.mtime = st.st_mtime;
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  info.regular = S_ISREG(st.st_mode);
}

// Read the header of an open file into info (status and layout).
void read_into(npshm_info &info, int fd, const struct stat &st) {
  FileHeader fh;
  std::string why;
  int err = read_file_header(fd, static_cast<std::uint64_t>(st.st_size), fh, why);
  if (err > 0) {
    info.status = code_from_errno(err);
    info.message = std::string("cannot read the header (") + std::strerror(err) + ")";
  } else if (err < 0) {
    info.status = NPSHM_E_FORMAT;
    info.message = why;
  } else {
    info.status = NPSHM_OK;
    info.layout = fh.header.layout;
    info.lifetime = fh.has_trailer ? static_cast<int>(fh.trailer.lifetime) : 0;
  }
}

std::vector<std::string> directory_entries(const std::string &directory, const char *what) {
  DIR *dir = ::opendir(directory.c_str());
  if (!dir) throw_system(std::string(what) + ": cannot open directory " + directory, errno);
  std::vector<std::string> names;
  while (struct dirent *e = ::readdir(dir)) names.emplace_back(e->d_name);
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

namespace {

// holders null: leave the count for holder_count().
npshm_info inspect(const Location &loc, const platform::HolderCounts *holders) {
  npshm_info info;
  info.location = loc;
  struct stat st;
  if (::stat(loc.path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) throw Error(NPSHM_E_NOT_FOUND, "stat " + loc.name + ": no such array", err);
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
    info.status = NPSHM_E_FORMAT;
    info.message = "not a regular file";
    return info;
  }
  Fd fd(::open(loc.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.fd < 0) {
    info.status = code_from_errno(errno);
    info.message = std::string("cannot open (") + std::strerror(errno) + ")";
    return info;
  }
  info.in_use = platform::is_held(fd.fd);
  read_into(info, fd.fd, st);
  return info;
}

}  // namespace

npshm_info inspect(const Location &loc) { return inspect(loc, nullptr); }

int holder_count(const npshm_info &info) {
  if (info.holders_pending) {
    // /proc/locks lists every lock on the machine: read it only if the
    // kernel says someone holds this file.
    info.holders = info.in_use == 0 ? 0 : platform::HolderCounts().count(info.dev, info.ino);
    info.holders_pending = false;
  }
  return info.holders;
}

npshm_list list_directory(const std::string &directory) {
  npshm_list list;
  const platform::HolderCounts holders;  // one read of the lock table for all
  for (const std::string &name : directory_entries(directory, "list")) {
    if (name[0] == '.') continue;
    try {
      npshm_info info = inspect(shm_location(directory, name), &holders);
      if (info.regular || info.status != NPSHM_E_FORMAT) list.items.push_back(std::move(info));
    } catch (const Error &e) {
      if (e.code() != NPSHM_E_NOT_FOUND) throw;  // removed while we listed: skip
    }
  }
  return list;
}

// A creator locks its temporary file right after creating it; gc leaves
// temporaries younger than min_age_seconds alone so it cannot slip into
// that gap.
npshm_list collect_garbage(const std::string &directory, bool dry_run, int min_age_seconds) {
  npshm_list removed;
  const std::time_t now = std::time(nullptr);
  for (const std::string &name : directory_entries(directory, "gc")) {
    const bool temp = name.rfind(kTempPrefix, 0) == 0;
    if (name[0] == '.' && !temp) continue;
    Location loc = shm_location(directory, name);
    Fd fd(::open(loc.path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (fd.fd < 0) continue;  // gone, or not ours to remove
    struct stat st;
    if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    npshm_info info;
    info.location = loc;
    if (temp) {
      if (now - st.st_ctime < min_age_seconds) continue;
      info.status = NPSHM_E_FORMAT;
      info.message = "unfinished create whose creator died";
    } else {
      read_into(info, fd.fd, st);
      if (info.status != NPSHM_OK || info.lifetime == NPSHM_LIFETIME_PERSISTENT) continue;
    }
    // Exclusive lock taken: no live process holds the file, and attachers
    // wait until we are done (then they see it unlinked).
    if (platform::try_lock_exclusive(fd.fd) != 0) continue;
    fill_from_stat(info, st);
    info.holders = 0;  // we hold it exclusively
    if (!dry_run) {
      struct stat now_st;
      if (::stat(loc.path.c_str(), &now_st) != 0 || now_st.st_ino != st.st_ino) continue;
      if (::unlink(loc.path.c_str()) != 0) continue;
    }
    removed.items.push_back(std::move(info));
  }
  return removed;
}

void remove_array(const Location &loc) {
  const std::string what = "remove " + loc.name;
  struct stat checked;
  try {
    NpyFile file = open_npy(loc.path, what);  // only valid .npy files are removed
    if (::fstat(file.fd, &checked) != 0) throw_system(what + ": cannot stat", errno);
  } catch (const Error &e) {
    if (e.code() == NPSHM_E_NOT_FOUND) throw Error(NPSHM_E_NOT_FOUND, what + ": no such array", ENOENT);
    if (e.code() != NPSHM_E_FORMAT) throw;
    std::string why = e.what();
    why.erase(0, what.size() + 2);  // open_npy says "<what>: <why>"
    throw Error(NPSHM_E_FORMAT, what + ": refusing to remove a file that is not an array: " + why);
  }
  // The name must still be the file we checked.
  struct stat now;
  if (::stat(loc.path.c_str(), &now) != 0 || now.st_dev != checked.st_dev || now.st_ino != checked.st_ino)
    throw Error(NPSHM_E_NOT_FOUND, what + ": the name changed while removing it (nothing removed)", ENOENT);
  if (::unlink(loc.path.c_str()) != 0) throw_system(what, errno);
}

}  // namespace npshm
