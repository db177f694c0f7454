// Owning smart pointers for the library's handles, so every exit path
// releases them.
#pragma once

#include <memory>

#include "npshm.h"

namespace npshm_cli {

struct ArrayCloser {
  void operator()(npshm_array *a) const { npshm_close(a); }
};
struct OptionsFreer {
  void operator()(npshm_options *o) const { npshm_options_free(o); }
};
struct InfoFreer {
  void operator()(npshm_info *i) const { npshm_info_free(i); }
};
struct ListFreer {
  void operator()(npshm_list *l) const { npshm_list_free(l); }
};

using ArrayHandle = std::unique_ptr<npshm_array, ArrayCloser>;
using OptionsHandle = std::unique_ptr<npshm_options, OptionsFreer>;
using InfoHandle = std::unique_ptr<npshm_info, InfoFreer>;
using ListHandle = std::unique_ptr<npshm_list, ListFreer>;

// For handles the tool opens only to read (save's array, load's source).
// Closing a 'last' array applies its policy, so when this short-lived tool
// happens to be its only holder, npshm_close() would remove the array it
// was asked to read.  Such a handle is left to the kernel at exit instead
// (its lock goes, the array stays; main() ends without exit handlers, so
// libnpshm's exit hook does not close it either); other handles are closed
// as usual.
struct ReaderCloser {
  void operator()(npshm_array *a) const {
    if (npshm_lifetime(a) != NPSHM_LIFETIME_LAST) npshm_close(a);
  }
};
using ReaderHandle = std::unique_ptr<npshm_array, ReaderCloser>;

}  // namespace npshm_cli
