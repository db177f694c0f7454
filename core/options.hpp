// npshm_options: optional settings of create, attach, list and gc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "npshm.h"

struct npshm_options {
  int lifetime = NPSHM_LIFETIME_PERSISTENT;
  unsigned int mode = 0600;
  std::vector<unsigned char> fill;  // empty: zero fill
  bool readonly = false;
  bool populate = false;  // pre-fault the mapping at create/attach
  std::optional<std::string> directory;
  std::optional<std::string> expected_dtype;
  std::optional<std::vector<std::int64_t>> expected_shape;
  int gc_min_age = 10;  // seconds
  bool exist_ok = false;            // create: attach an equal, trusted array
  bool allow_other_owner = false;   // attach: accept another non-root user's file
  npshm_progress_fn progress = nullptr;
  void *progress_context = nullptr;
};

namespace npshm {
// The defaults, for calls given NULL.
const npshm_options &default_options();
}  // namespace npshm
