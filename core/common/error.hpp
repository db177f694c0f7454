// Errors inside the library.
//
// THE RULE: every internal function reports a failure by throwing
// npshm::Error (a stable code, Errc of error_codes.hpp; the errno behind
// it or 0; and a message).  Nothing returns bool-plus-message or an errno
// for the caller to turn into an error, except the thin wrappers of single
// system calls behind platform.hpp, which return an errno exactly as the
// system call would.  A function that knows which array it works on puts
// the operation and the array first in the message ("attach shm://x:
// ..."); one that does not (a parser of headers, dtypes, literals or
// references) throws the cause alone, and its caller adds the context with
// Error::in:
//     try { ... parse ... } catch (const Error &e) { throw e.in(what); }
// Only the C ABI (capi.cpp) catches for good: it stores the error as the
// thread's last error (no exception ever crosses the C boundary).
#pragma once

#include <stdexcept>
#include <string>

#include "common/error_codes.hpp"

namespace npshm {

class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string &message, int sys_errno = 0)
      : std::runtime_error(message), code_(code), errno_(sys_errno) {}
  Errc code() const noexcept { return code_; }
  int sys_errno() const noexcept { return errno_; }
  // The same error with "what: " in front of the message.
  Error in(const std::string &what) const { return Error(code_, what + ": " + this->what(), errno_); }

 private:
  Errc code_;
  int errno_;
};

// f(), with "what: " in front of the message of any Error it throws (the
// rule's try/catch, as an expression).
template <class F>
auto in_context(const std::string &what, F &&f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error &e) {
    throw e.in(what);
  }
}

// The code that best describes a failed system call.
Errc code_from_errno(int err) noexcept;

// Throw an Error for a failed system call: "<what>: <cause> (<strerror>)".
// The code comes from err unless one is given.
[[noreturn]] void throw_system(const std::string &what, int err);
[[noreturn]] void throw_system(const std::string &what, int err, Errc code);

// The message table: the wording of failures every binding and the CLI
// show as the library gives it (bindings add only their own spelling of a
// remedy, e.g. Python's exist_ok=True).  Names go in as they are: the
// message is escaped once, when it becomes the thread's last error.

// "<what>: an array of that name exists (to replace it, remove it first:
// npshm rm NAME)"; name: the array's name as the CLI takes it.
std::string exists_message(const std::string &what, const std::string &name);

// "<what>: permission denied", saying that a read-only attach may work only
// when it would (readable: the file grants this process read access; the
// attach asked for write access).
std::string permission_denied_message(const std::string &what, bool wanted_write, bool readable);

// The thread's last error, as the C ABI reports it.
void set_last_error(Errc code, const char *message, int sys_errno) noexcept;
void clear_last_error() noexcept;
Errc last_error_code() noexcept;
int last_error_errno() noexcept;
const char *last_error_message() noexcept;

}  // namespace npshm
