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

}  // namespace npshm_cli
