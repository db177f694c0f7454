#include "interrupt.hpp"

#include <csignal>
#include <initializer_list>

namespace npshm_cli {

namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void record_signal(int signal_number) { received = signal_number; }

}  // namespace

void catch_interrupts() {
  struct sigaction action = {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal_number, &action, nullptr);
}

int interrupt_signal() { return received; }

}  // namespace npshm_cli
