// What every command needs from the global options: which shm directory.
#pragma once

#include <string>

#include "handles.hpp"

namespace npshm_cli {

class Context {
 public:
  // dir: the --dir option, or "" for the library's default (NPSHM_DIR, else
  // /dev/shm).
  explicit Context(std::string dir);

  // A new options object that selects the directory.  Throws Failure when
  // out of memory.
  OptionsHandle make_options() const;
  // The directory itself, resolved as the library resolves it.
  std::string shm_directory() const;

 private:
  std::string dir_;
};

}  // namespace npshm_cli
