// Caller-given paths resolved without following links another user planted.
#include "store/user_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

#include "common/error.hpp"
#include "format/literal.hpp"
#include "platform/platform.hpp"

namespace npshm {

namespace {

constexpr int kMaxLinks = 40;  // the kernel's limit (ELOOP beyond it)

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  void reset(int f) {
    if (fd >= 0) ::close(fd);
    fd = f;
  }
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
};

// Add the components of path in front of the ones still to walk.
void push_front(std::deque<std::string> &todo, const std::string &path) {
  std::deque<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

// The kernel's may_follow_link, for a link with status link in a directory
// with status parent.
bool link_may_be_followed(const struct stat &link, const struct stat &parent) {
  const bool shared_sticky = (parent.st_mode & S_ISVTX) && (parent.st_mode & (S_IWGRP | S_IWOTH));
  return !shared_sticky || link.st_uid == ::geteuid() || link.st_uid == parent.st_uid;
}

[[noreturn]] void fail(const std::string &what, const std::string &walked, int err) {
  if (err == ENOENT || err == ENOTDIR)
    throw Error(Errc::not_found, what + ": no such directory", err);
  if (err == EACCES || err == EPERM)
    throw Error(Errc::permission, what + ": permission denied at " + quote_string(walked), err);
  throw_system(what + ": cannot open the directory (at " + quote_string(walked) + ")", err);
}

// The walk of open_user_directory: 0 with out open, or an errno with walked
// the path as far as it got; a refused link throws.
int walk_directory(const std::string &dir, const std::string &what, int &out, std::string &walked) {
  out = -1;
  const bool absolute = !dir.empty() && dir[0] == '/';
  walked = absolute ? "/" : ".";
  // Most paths have no link at all: one system call decides.
  const int quick = platform::open_lookup_directory_without_links(dir.empty() ? "." : dir, out);
  if (quick != ELOOP && quick != ENOSYS) return quick;
  Fd current;
  if (int err = platform::open_lookup_directory(absolute ? "/" : ".", current.fd)) return err;
  struct stat current_st;
  if (::fstat(current.fd, &current_st) != 0) return errno;
  walked = absolute ? "/" : "";  // for messages: the path as followed
  std::deque<std::string> todo;
  push_front(todo, dir);
  int links = 0;
  while (!todo.empty()) {
    const std::string name = todo.front();
    todo.pop_front();
    if (name == ".") continue;
    const std::string here = walked.empty() ? name : walked.back() == '/' ? walked + name : walked + "/" + name;
    struct stat st;
    int next = -1;
    std::string target;
    if (int err = platform::lookup_step(current.fd, name, st, next, target)) {
      walked = here;
      return err;
    }
    if (S_ISDIR(st.st_mode)) {
      current.reset(next);
      current_st = st;
      walked = here;
      continue;
    }
    if (!S_ISLNK(st.st_mode)) {
      walked = here;
      return ENOTDIR;
    }
    if (!link_may_be_followed(st, current_st))
      throw Error(Errc::permission,
                  what + ": refusing to follow the symbolic link " + quote_string(here) + " (owned by uid " +
                      std::to_string(st.st_uid) + ", in the shared sticky directory " +
                      quote_string(walked.empty() ? "." : walked) +
                      " owned by uid " + std::to_string(current_st.st_uid) +
                      "): another user may have planted it; use the directory it points to by its own path");
    if (++links > kMaxLinks) throw Error(Errc::invalid, what + ": too many symbolic links", ELOOP);
    if (target.empty()) {
      walked = here;
      return ENOENT;
    }
    if (target[0] == '/') {
      if (int e = platform::open_lookup_directory("/", next)) return e;
      current.reset(next);
      if (::fstat(current.fd, &current_st) != 0) return errno;
      walked = "/";
    }
    push_front(todo, target);
  }
  out = current.release();
  return 0;
}

}  // namespace

void split_path(const std::string &path, std::string &dir, std::string &base) {
  const std::size_t slash = path.rfind('/');
  dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  base = slash == std::string::npos ? path : path.substr(slash + 1);
}

int open_user_directory(const std::string &dir, const std::string &what) {
  int fd = -1;
  std::string walked;
  if (int err = walk_directory(dir, what, fd, walked)) fail(what, walked.empty() ? "." : walked, err);
  return fd;
}

void check_user_directory(const std::string &dir, const std::string &what) {
  Fd fd;
  std::string walked;
  walk_directory(dir, what, fd.fd, walked);
}

int open_user_file(const std::string &path, int access, int &fd, struct stat &st, const std::string &what) {
  fd = -1;
  // The common case (no link anywhere on the path) in one system call.
  const int quick = platform::open_regular_without_links(path, access, fd, st);
  if (quick != ELOOP && quick != ENOSYS && quick != ENXIO && quick != EISDIR && quick != EOPNOTSUPP)
    return quick;
  std::string dir, base;
  split_path(path, dir, base);
  Fd dirfd;
  std::string walked;
  if (int err = walk_directory(dir, what.empty() ? "open " + quote_string(path) : what, dirfd.fd, walked))
    return err;
  return platform::open_regular_at(dirfd.fd, base.empty() ? "." : base, access, fd, st);
}

int stat_user_path(const std::string &path, struct stat &st, const std::string &what) {
  std::string dir, base;
  split_path(path, dir, base);
  Fd dirfd;
  std::string walked;
  if (int err = walk_directory(dir, what.empty() ? "stat " + quote_string(path) : what, dirfd.fd, walked))
    return err;
  return ::fstatat(dirfd.fd, base.empty() ? "." : base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

}  // namespace npshm
