// What every command needs from the options all commands share: which shm
// directory, and whether to print text or JSON.
#pragma once

#include <string>

#include "handles.hpp"
#include "output.hpp"

namespace npshm_cli {

class Context {
 public:
  // dir: the --dir option, or "" when not given (the library's default:
  // NPSHM_DIR, else /dev/shm).
  Context(std::string dir, Format format);

  // A new options object that selects the directory.  Throws Failure when
  // out of memory.
  OptionsHandle make_options() const;
  // The directory itself, resolved as the library resolves it.
  std::string shm_directory() const;

  Format format() const { return format_; }
  bool text() const { return format_ == Format::Text; }

 private:
  std::string dir_;
  Format format_;
};

}  // namespace npshm_cli
