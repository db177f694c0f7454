// Copies between a file and a mapped array in large sequential chunks (the
// speed of `cp`), feeding a progress bar and stopping on Ctrl-C.
#pragma once

#include <cstdint>
#include <string>

#include "progress_bar.hpp"

namespace npshm_cli {

// Reads `size` bytes from fd at `offset` into dest.  Throws Failure naming
// `what` on a read error or a file that ends early, and Failure with exit
// code 130 when interrupted (see interrupt.hpp).
void copy_file_to_memory(int fd, std::uint64_t offset, unsigned char *dest, std::uint64_t size,
                         ProgressBar &progress, const std::string &what);

// Writes `size` bytes from source to fd at its current position.
void copy_memory_to_file(const unsigned char *source, std::uint64_t size, int fd,
                         ProgressBar &progress, const std::string &what);

}  // namespace npshm_cli
