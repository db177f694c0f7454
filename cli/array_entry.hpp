// One file of the shm directory as ls and info show it, read from an
// npshm_info (no attach, so looking never changes holders or lifetimes).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "json_writer.hpp"
#include "npshm.h"

namespace npshm_cli {

struct ArrayEntry {
  std::string name;  // bare NAME, without "shm://"
  std::string uri;   // "shm://NAME" (or "file://...")
  std::string path;
  int status;           // NPSHM_OK for a valid array
  std::string message;  // why it is not valid
  // Valid arrays only:
  std::string dtype;
  std::vector<std::int64_t> shape;
  int order = NPSHM_ORDER_C;
  std::uint64_t itemsize = 0;
  std::uint64_t nbytes = 0;
  int lifetime = NPSHM_LIFETIME_PERSISTENT;
  // Any file:
  int holders;  // -1 unknown
  std::uint64_t file_size;
  unsigned int uid;
  std::string owner;
  unsigned int mode;
  std::int64_t mtime;
  std::int64_t age_seconds;

  bool valid() const { return status == NPSHM_OK; }
};

ArrayEntry read_entry(const npshm_info *info, std::time_t now);

// The entry's fields as JSON members (inside an open object).
void write_entry_members(JsonWriter &json, const ArrayEntry &entry);

}  // namespace npshm_cli
