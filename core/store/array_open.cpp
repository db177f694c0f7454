// Opening a file that should hold an array, and checking that it does.
#include "store/array_open.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "platform/platform.hpp"
#include "store/user_path.hpp"

namespace npshm {

int open_array_file(const std::string &path, ArrayFileAccess access, const std::string &what, ArrayFile &file,
                    const std::function<void(const ArrayFile &)> &opened) {
  file.fd = -1;
  file.writable = false;
  int err = open_user_file(path, access == ArrayFileAccess::read_only ? O_RDONLY : O_RDWR, file.fd, file.st, what);
  file.writable = err == 0 && access != ArrayFileAccess::read_only;
  if (access == ArrayFileAccess::read_write_else_read_only && (err == EACCES || err == EROFS || err == EPERM))
    err = open_user_file(path, O_RDONLY, file.fd, file.st, what);
  if (err != 0) return err;
  try {
    if (opened) opened(file);
    const auto size = static_cast<std::uint64_t>(file.st.st_size);
    file.header = what.empty() ? read_file_header(file.fd, size)
                               : in_context(what, [&] { return read_file_header(file.fd, size); });
  } catch (...) {
    ::close(file.fd);
    file.fd = -1;
    throw;
  }
  return 0;
}

}  // namespace npshm
