// Errors inside the library: npshm::Error and the system-error helpers.
#include "common/error.hpp"

#include <cerrno>
#include <cstring>

#include "common/escape.hpp"

namespace npshm {

namespace {

struct LastError {
  Errc code = Errc::ok;
  int sys_errno = 0;
  std::string message;
};

thread_local LastError last_error;

}  // namespace

Errc code_from_errno(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Errc::not_found;
    case EEXIST:
      return Errc::exists;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Errc::no_space;
    case EACCES:
    case EPERM:
    case EROFS:
      return Errc::permission;
    case ENOMEM:
      return Errc::no_memory;
    case EINVAL:
    case ENAMETOOLONG:
      return Errc::invalid;
    case EAGAIN:
      return Errc::busy;
    default:
      return Errc::system;
  }
}

void throw_system(const std::string &what, int err) {
  throw_system(what, err, code_from_errno(err));
}

void throw_system(const std::string &what, int err, Errc code) {
  throw Error(code, what + " (" + std::strerror(err) + ")", err);
}

std::string exists_message(const std::string &what, const std::string &name) {
  return what + ": an array of that name exists (to replace it, remove it first: npshm rm " + shell_word(name) +
         ")";
}

std::string permission_denied_message(const std::string &what, bool wanted_write, bool readable) {
  if (wanted_write && readable)
    return what + ": permission denied for writing (the file is readable: a read-only attach may work)";
  return what + ": permission denied";
}

void set_last_error(Errc code, const char *message, int sys_errno) noexcept {
  try {
    // Names and header text come from others: nothing in a message may
    // drive the terminal it is printed on.
    last_error.message = escape_text(message);
  } catch (...) {
    last_error.message.clear();  // out of memory: keep at least the code
  }
  last_error.code = code;
  last_error.sys_errno = sys_errno;
}

void clear_last_error() noexcept {
  last_error.code = Errc::ok;
  last_error.sys_errno = 0;
  last_error.message.clear();
}

Errc last_error_code() noexcept { return last_error.code; }
int last_error_errno() noexcept { return last_error.sys_errno; }
const char *last_error_message() noexcept { return last_error.message.c_str(); }

}  // namespace npshm
