// Optional settings of create, attach, list and gc: what an npshm_options
// handle holds (capi.cpp wraps it; the core never sees the C struct).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/lifetimes.hpp"

namespace npshm {

// A caller's progress callback: bytes done so far, the total, the caller's
// context; non-zero stops the copy (the C ABI's npshm_progress_fn).
using ProgressFn = int (*)(std::uint64_t done, std::uint64_t total, void *context);

struct Options {
  Lifetime lifetime = Lifetime::persistent;
  unsigned int mode = 0600;
  std::vector<unsigned char> fill;  // empty: zero fill
  bool readonly = false;
  bool populate = false;  // pre-fault the mapping at create/attach
  std::optional<std::string> directory;
  std::optional<std::string> expected_dtype;  // a normalised descr
  std::optional<std::vector<std::int64_t>> expected_shape;
  int gc_min_age = 10;  // seconds
  bool exist_ok = false;            // create: attach an equal, trusted array
  bool allow_other_owner = false;   // attach: accept another non-root user's file
  bool ref_writable = false;        // npshm_ref_attach: writable, whatever the reference grants
  bool no_clobber = false;          // save: never replace anything at the target
  ProgressFn progress = nullptr;
  void *progress_context = nullptr;

  // The settings whose value can be wrong (npshm_options_set_*): each
  // checks it and throws Error(Errc::invalid) with the cause.
  void set_lifetime(int value);  // a value of Lifetime
  void set_mode(unsigned int value);
  // item null: no fill (zeros); else size bytes, at least one.
  void set_fill(const void *item, std::size_t size);
  // value null: the default shm directory; else an absolute path.
  void set_directory(const char *value);
  void set_gc_min_age(int seconds);
};

// The defaults, for calls given NULL.
const Options &default_options();

}  // namespace npshm
