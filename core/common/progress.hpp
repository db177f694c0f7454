// Reporting progress of long copies to the caller's callback (Options::progress).
#pragma once

#include <cstdint>
#include <string>

#include "common/error.hpp"
#include "common/options.hpp"

namespace npshm {

// Bytes copied between two progress reports.
constexpr std::uint64_t kProgressStep = std::uint64_t{64} << 20;

// Tell the callback, if any; throws Error(Errc::canceled) if it says stop.
inline void report_progress(const Options &opts, std::uint64_t done, std::uint64_t total,
                            const std::string &what) {
  if (opts.progress && opts.progress(done, total, opts.progress_context) != 0)
    throw Error(Errc::canceled, what + ": canceled");
}

}  // namespace npshm
