#include "copy_progress.hpp"

#include "exit_codes.hpp"
#include "failure.hpp"
#include "interrupt.hpp"

namespace npshm_cli {

CopyProgress::CopyProgress(std::string label) : bar_(std::move(label)) { catch_interrupts(); }

void CopyProgress::attach_to(npshm_options *opts) {
  if (npshm_options_set_progress(opts, &CopyProgress::report, this) != NPSHM_OK)
    throw library_failure();
}

int CopyProgress::report(std::uint64_t done, std::uint64_t total, void *context) {
  static_cast<CopyProgress *>(context)->bar_.update(done, total);
  return interrupt_signal() != 0;  // non-zero: cancel
}

Failure copy_failure() {
  if (npshm_last_error() == NPSHM_E_CANCELED && interrupt_signal() != 0)
    return Failure(kExitInterrupted, error_slug(NPSHM_E_CANCELED), std::string(npshm_last_message()) +
                                         " (interrupted by signal " +
                                         std::to_string(interrupt_signal()) + ")");
  return library_failure();
}

}  // namespace npshm_cli
