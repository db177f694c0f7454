// The library's progress callback for npshm_load / npshm_save: feeds the
// progress bar and asks the library to stop (it then fails with
// NPSHM_E_CANCELED and leaves nothing behind) once Ctrl-C, SIGTERM or
// SIGHUP has arrived (see interrupt.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "failure.hpp"
#include "npshm.h"
#include "progress_bar.hpp"

namespace npshm_cli {

class CopyProgress {
 public:
  // label heads the bar: "loading big".  Starts catching interrupts.
  explicit CopyProgress(std::string label);
  CopyProgress(const CopyProgress &) = delete;
  CopyProgress &operator=(const CopyProgress &) = delete;

  // Makes opts report to this object (which must outlive the copy).
  void attach_to(npshm_options *opts);
  // Ends the bar's line; call when the copy has returned.
  void finish() { bar_.finish(); }

 private:
  static int report(std::uint64_t done, std::uint64_t total, void *context);

  ProgressBar bar_;
};

// The Failure for a library call that failed: exit 130 and the signal for
// NPSHM_E_CANCELED (the callback stopped it on an interrupt), else as
// library_failure().
Failure copy_failure();

}  // namespace npshm_cli
