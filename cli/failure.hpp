// The exceptions a command throws to stop with a message and an exit status.
// main() prints "npshm: <message>" on stderr (and, with --json, an error
// object on stdout) and exits with the status.
#pragma once

#include <stdexcept>
#include <string>

namespace npshm_cli {

// A failed operation.
class Failure : public std::runtime_error {
 public:
  // slug: the error's name in JSON ("not_found", see error_slug()).
  Failure(int exit_code, std::string slug, const std::string &message)
      : std::runtime_error(message), exit_code_(exit_code), slug_(std::move(slug)) {}
  // From a library error code (NPSHM_E_*).
  static Failure from_code(int npshm_error, const std::string &message);

  int exit_code() const { return exit_code_; }
  const std::string &slug() const { return slug_; }

 private:
  int exit_code_;
  std::string slug_;
};

// An argument the program cannot use (exit 2, as NPSHM_E_INVALID); main()
// adds a hint to --help.
class UsageError : public Failure {
 public:
  explicit UsageError(const std::string &message);
};

// The library's last error on this thread, as a Failure (message and code
// come from npshm_last_message() / npshm_last_error()).
Failure library_failure();

}  // namespace npshm_cli
