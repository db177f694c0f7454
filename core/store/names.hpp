// Array names: "shm://NAME" (or "NAME") in the shm directory, and
// "file:///absolute/path.npy".
#pragma once

#include <cstddef>
#include <string>

namespace npshm {

// The longest NAME of "shm://NAME", in bytes (published as NPSHM_MAX_NAME).
constexpr std::size_t kMaxNameBytes = 200;

struct Location {
  std::string name;       // canonical: "shm://NAME" or "file:///path"
  std::string path;       // file system path
  std::string directory;  // directory holding the file
  std::string basename;   // file name within directory
  bool is_shm = true;
};

// The shm directory: explicit (if non-empty), else $NPSHM_DIR, else /dev/shm.
std::string shm_directory(const std::string *explicit_dir);

// Validate and resolve a name; throws Error(Errc::invalid) naming the
// problem.  what is the operation, for the message ("create", "attach").
Location resolve_name(const char *name, const std::string *explicit_dir, const char *what);

// The name as a user types it on the command line: NAME for a shm name
// (shm://NAME if NAME starts with '-', which would read as an option),
// else the canonical file:// name.
std::string cli_name(const Location &loc);

// Location of a file found in the shm directory by listing it.
Location shm_location(const std::string &directory, const std::string &basename);

}  // namespace npshm
