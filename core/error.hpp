// Errors inside the library: an npshm::Error carries a stable npshm_error
// code, the errno behind it (or 0) and a message naming the operation, the
// array and the cause.  Internals throw it; the C ABI (capi.cpp) catches it
// and stores it as the thread's last error.
#pragma once

#include <stdexcept>
#include <string>

#include "npshm.h"

namespace npshm {

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string &message, int sys_errno = 0)
      : std::runtime_error(message), code_(code), errno_(sys_errno) {}
  int code() const noexcept { return code_; }
  int sys_errno() const noexcept { return errno_; }

 private:
  int code_;
  int errno_;
};

// The npshm_error code that best describes a failed system call.
int code_from_errno(int err) noexcept;

// Throw an Error for a failed system call: "<what>: <cause> (<strerror>)".
// The code comes from err unless one is given.
[[noreturn]] void throw_system(const std::string &what, int err);
[[noreturn]] void throw_system(const std::string &what, int err, int code);

// The thread's last error, as the C ABI reports it.
void set_last_error(int code, const char *message, int sys_errno) noexcept;
void clear_last_error() noexcept;
int last_error_code() noexcept;
int last_error_errno() noexcept;
const char *last_error_message() noexcept;

}  // namespace npshm
