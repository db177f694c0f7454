// The exceptions a command throws to stop with a message and an exit code.
// main() prints "npshm: <message>" on stderr and exits with the code.
#pragma once

#include <stdexcept>
#include <string>

namespace npshm_cli {

// A failed operation: message and exit code.
class Failure : public std::runtime_error {
 public:
  Failure(int exit_code, const std::string &message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// A command line the program cannot run; main() adds a hint to --help.
class UsageError : public Failure {
 public:
  explicit UsageError(const std::string &message) : Failure(2, message) {}
};

// The library's last error on this thread, as a Failure (message and code
// come from npshm_last_message() / npshm_last_error()).
Failure library_failure();

}  // namespace npshm_cli
