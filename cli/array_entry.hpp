// One file of the shm directory as ls, info and gc show it, read from an
// npshm_info (no attach, so looking never changes holders or lifetimes) or,
// for what is not a regular file, from the directory entry.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "npshm.h"
#include "output.hpp"
#include "system_info.hpp"

namespace npshm_cli {

struct ArrayEntry {
  std::string name;  // bare NAME, without "shm://"
  std::string uri;   // "shm://NAME" (or "file://...")
  std::string path;
  // "array" (a valid array), "invalid" (a regular file that is not one),
  // or the file type: "directory", "symlink", "fifo", "socket", "device".
  std::string kind;
  int status = NPSHM_OK;  // NPSHM_OK for a valid array
  std::string message;    // why it is not a valid array
  // Valid arrays only:
  std::string dtype;
  std::vector<std::int64_t> shape;
  int order = NPSHM_ORDER_C;
  std::uint64_t itemsize = 0;
  std::uint64_t nbytes = 0;
  int lifetime = NPSHM_LIFETIME_PERSISTENT;
  // Any file:
  int holders = -1;  // -1 unknown (or not a regular file)
  std::uint64_t file_size = 0;
  unsigned int uid = 0;
  std::string owner;
  unsigned int mode = 0;
  std::int64_t mtime = 0;
  std::int64_t age_seconds = 0;

  bool valid() const { return status == NPSHM_OK; }
};

ArrayEntry read_entry(const npshm_info *info, std::time_t now);
// A directory entry that is not a regular file (see other_entries()).
ArrayEntry read_other_entry(const OtherFile &file, const std::string &directory,
                            std::time_t now);

// The entry as JSON (schema: cli/schemas/common.json#/$defs/entry).
Json entry_json(const ArrayEntry &entry);

// An open array as JSON (schema: cli/schemas/common.json#/$defs/array).
Json handle_json(const npshm_array *array);

}  // namespace npshm_cli
