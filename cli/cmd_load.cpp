// npshm load FILE.npy [NAME]: a .npy file from disk into a new shared array.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "bulk_copy.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "file_paths.hpp"
#include "human_units.hpp"
#include "interrupt.hpp"
#include "option_values.hpp"
#include "progress_bar.hpp"
#include "shape_text.hpp"

namespace npshm_cli {

namespace {

// An open file descriptor, closed on scope exit.
struct FileDescriptor {
  int fd;
  explicit FileDescriptor(int f) : fd(f) {}
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;
};

int run_load(const Arguments &args, const Context &context) {
  const auto &positionals = args.positionals();
  if (positionals.empty() || positionals.size() > 2)
    throw UsageError(positionals.empty() ? "load needs a FILE.npy" : "load takes FILE.npy [NAME]");
  const std::string &file = positionals[0];
  const std::string name = positionals.size() == 2 ? positionals[1] : file_stem(file);
  const std::string what = "load " + file;
  const std::string path = absolute_path(file);

  FileDescriptor source(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (source.fd < 0) {
    const int err = errno;
    throw Failure(err == ENOENT ? kExitNotFound : kExitFailed,
                  what + ": cannot open (" + std::strerror(err) + ")");
  }
  struct stat st;
  if (::fstat(source.fd, &st) != 0)
    throw Failure(kExitFailed, what + ": cannot stat (" + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode)) throw Failure(kExitFailed, what + ": not a regular file");

  // The library reads and checks the header (read-only attach of the file).
  const OptionsHandle read_only = context.make_options();
  npshm_options_set_readonly(read_only.get(), 1);
  const ReaderHandle header(npshm_attach(("file://" + path).c_str(), read_only.get()));
  if (!header) throw library_failure();
  const std::uint64_t offset = npshm_data_offset(header.get());
  const std::uint64_t nbytes = npshm_nbytes(header.get());
  if (static_cast<std::uint64_t>(st.st_size) < offset + nbytes)
    throw Failure(kExitFailed, what + ": the file is shorter than its header says");

  const OptionsHandle options = context.make_options();
  if (auto mode = args.value("mode"))
    if (npshm_options_set_mode(options.get(), parse_mode(*mode)) != NPSHM_OK)
      throw library_failure();

  catch_interrupts();
  const auto start = std::chrono::steady_clock::now();
  ArrayHandle array(npshm_create(name.c_str(), npshm_dtype(header.get()), npshm_ndim(header.get()),
                                 npshm_shape(header.get()), npshm_order(header.get()),
                                 options.get()));
  if (!array) throw library_failure();
  try {
    ProgressBar progress("loading " + name, nbytes);
    copy_file_to_memory(source.fd, offset, static_cast<unsigned char *>(npshm_data(array.get())),
                        nbytes, progress, what + " into " + npshm_name(array.get()));
    progress.finish();
  } catch (...) {
    npshm_unlink(array.get());  // never leave a half-loaded array behind
    throw;
  }
  if (npshm_close(array.release()) != NPSHM_OK) throw library_failure();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("loaded %s into shm://%s: %s %s %s, %s in %.2f s (%s)\n", file.c_str(),
              name.c_str(), npshm_dtype(header.get()),
              shape_tuple(npshm_ndim(header.get()), npshm_shape(header.get())).c_str(),
              order_text(npshm_order(header.get())).c_str(), human_bytes(nbytes).c_str(), seconds,
              human_rate(seconds > 0 ? static_cast<double>(nbytes) / seconds : 0).c_str());
  return kExitOk;
}

}  // namespace

Command load_command() {
  return {"load", "copy a .npy file into a new shared array",
          "Usage: npshm load FILE.npy [NAME] [--mode 0600] [--dir DIR]\n"
          "\n"
          "Create the persistent array NAME (default: the file name without its\n"
          "extension) with the dtype, shape and order of FILE.npy and copy the\n"
          "data in.  Any .npy that numpy.save writes with a shareable dtype works,\n"
          "including Fortran order, structured and big-endian dtypes.  The name\n"
          "exists (zero-filled) from the start of the copy; on any failure, or on\n"
          "Ctrl-C, it is removed again.  A progress bar is drawn on stderr when\n"
          "stderr is a terminal and the array is at least 64 MiB.\n"
          "\n"
          "Options:\n"
          "  --mode M    octal permission bits of the new array (default 0600)\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n"
          "\n"
          "Exit 3 if FILE does not exist, 4 if NAME exists, 130 if interrupted.\n",
          {{"mode", true}},
          run_load};
}

}  // namespace npshm_cli
