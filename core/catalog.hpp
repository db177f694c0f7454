// What is in the shm directory: describing a file without attaching it
// (npshm_stat), listing all of them, and garbage collection.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "layout.hpp"
#include "names.hpp"

struct npshm_info {
  int status = 0;  // NPSHM_OK or the error attaching would give
  std::string message;
  npshm::Location location;
  npshm::Layout layout;
  int lifetime = 0;
  int holders = -1;
  std::uint64_t file_size = 0;
  unsigned int uid = 0;
  unsigned int mode = 0;
  std::int64_t mtime = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  bool regular = false;  // a regular file (list skips other kinds)
};

struct npshm_list {
  std::vector<npshm_info> items;
};

namespace npshm {

// Describe the file at loc; never throws for a bad file (the status says),
// throws Error only for NPSHM_E_NOT_FOUND and out-of-memory.
npshm_info inspect(const Location &loc);

// Every visible file in the directory, sorted by name.  Throws Error.
npshm_list list_directory(const std::string &directory);

// See npshm_gc in npshm.h.  Throws Error.
npshm_list collect_garbage(const std::string &directory, bool dry_run, int min_age_seconds);

// Remove an array by name after checking it is a valid .npy.  Throws Error.
void remove_array(const Location &loc);

}  // namespace npshm
