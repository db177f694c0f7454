#include "bulk_copy.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "exit_codes.hpp"
#include "failure.hpp"
#include "interrupt.hpp"

namespace npshm_cli {

namespace {

constexpr std::uint64_t kChunk = std::uint64_t{16} << 20;

void stop_if_interrupted(const std::string &what) {
  if (int signal_number = interrupt_signal())
    throw Failure(kExitInterrupted, what + ": interrupted by signal " + std::to_string(signal_number));
}

// Maps a chunk's pages in one system call instead of one fault per page;
// only a speed-up, so errors (old kernels) are ignored.
void prefault(const unsigned char *chunk, std::uint64_t size, int advice) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(chunk) / page * page;
  const auto end = reinterpret_cast<std::uintptr_t>(chunk) + size;
  ::madvise(reinterpret_cast<void *>(begin), end - begin, advice);
}

}  // namespace

void copy_file_to_memory(int fd, std::uint64_t offset, unsigned char *dest, std::uint64_t size,
                         ProgressBar &progress, const std::string &what) {
  std::uint64_t done = 0;
  while (done < size) {
    stop_if_interrupted(what);
    const std::uint64_t want = std::min(kChunk, size - done);
#ifdef MADV_POPULATE_WRITE
    prefault(dest + done, want, MADV_POPULATE_WRITE);
#endif
    const ssize_t got = ::pread(fd, dest + done, want, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Failure(kExitFailed, what + ": read error (" + std::strerror(errno) + ")");
    }
    if (got == 0)
      throw Failure(kExitFailed, what + ": the file ends after " + std::to_string(offset + done) +
                                     " bytes, before the end of its data");
    done += static_cast<std::uint64_t>(got);
    progress.update(done);
  }
  progress.update(done);
}

void copy_memory_to_file(const unsigned char *source, std::uint64_t size, int fd,
                         ProgressBar &progress, const std::string &what) {
  std::uint64_t done = 0;
  while (done < size) {
    stop_if_interrupted(what);
    const std::uint64_t want = std::min(kChunk, size - done);
#ifdef MADV_POPULATE_READ
    prefault(source + done, want, MADV_POPULATE_READ);
#endif
    const ssize_t put = ::write(fd, source + done, want);
    if (put < 0) {
      if (errno == EINTR) continue;
      throw Failure(kExitFailed, what + ": write error (" + std::strerror(errno) + ")");
    }
    done += static_cast<std::uint64_t>(put);
    progress.update(done);
  }
  progress.update(done);
}

}  // namespace npshm_cli
