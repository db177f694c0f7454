// Ctrl-C during a long copy: the copy loop notices, removes what it made
// and exits 130, instead of dying half-way and leaving a partial array.
#pragma once

namespace npshm_cli {

// Installs handlers for SIGINT, SIGTERM and SIGHUP that only record the
// signal.
void catch_interrupts();
// The signal received since catch_interrupts(), or 0.
int interrupt_signal();

}  // namespace npshm_cli
