// What is in the shm directory: describing a file without attaching it
// (npshm_stat), listing all of them, and garbage collection.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error_codes.hpp"
#include "common/lifetimes.hpp"
#include "format/layout.hpp"
#include "store/names.hpp"

namespace npshm {

// What npshm_stat and a listing say of one file (an npshm_info handle holds
// one).
struct ArrayInfo {
  Errc status = Errc::ok;  // or the error attaching would give
  std::string message;
  Location location;
  Layout layout;
  Lifetime lifetime = Lifetime::persistent;
  // The holder count: for a listing, from one read of /proc/locks for all
  // items; for npshm_stat, counted on first request (holder_count).
  mutable int holders = -1;
  mutable bool holders_pending = false;
  std::uint64_t file_size = 0;
  unsigned int uid = 0;
  unsigned int mode = 0;
  std::int64_t mtime = 0;
  dev_t dev = 0;
  std::size_t blksize = 0;
  ino_t ino = 0;
  bool regular = false;  // a regular file (list skips other kinds)
};


// Describe the file at loc; never throws for a bad file (the status says),
// throws Error only for Errc::not_found and out-of-memory.
ArrayInfo inspect(const Location &loc);

// npshm_exists: false if nothing has that name; true for a valid array;
// else throws the Error attaching would give ("exists <name>: ...").
bool array_exists(const Location &loc);

// The size of the pages backing the file (npshm_info_page_size).
std::size_t page_size_of(const ArrayInfo &info);

// The processes mapping the file info describes, ascending, and the number
// of their mappings; false if the system cannot tell.
bool mapping_processes(const ArrayInfo &info, std::vector<pid_t> &pids, std::size_t &mappings);

// info's holders, counting them now if that was left for later.
int holder_count(const ArrayInfo &info);

// Every visible file in the directory, sorted by name.  Throws Error.
std::vector<ArrayInfo> list_directory(const std::string &directory);

// See npshm_gc in npshm.h.  Throws Error.
std::vector<ArrayInfo> collect_garbage(const std::string &directory, bool dry_run, int min_age_seconds);

// Remove an array by name after checking it is a valid .npy.  Throws Error.
void remove_array(const Location &loc);

}  // namespace npshm
