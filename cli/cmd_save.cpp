// npshm save NAME FILE.npy: a shared array to a plain .npy file on disk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "commands.hpp"
#include "copy_progress.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "file_paths.hpp"
#include "human_units.hpp"

namespace npshm_cli {

namespace {

// fsync of path (a file, or a directory to make a rename in it durable).
void flush_to_disk(const std::string &path, const std::string &what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  int err = fd < 0 ? errno : 0;
  while (!err && ::fsync(fd) != 0)
    if (errno != EINTR) err = errno;
  if (fd >= 0) ::close(fd);
  if (err)
    throw Failure(kExitFailed,
                  what + ": cannot flush " + path + " to disk (" + std::strerror(err) + ")");
}

int run_save(const Arguments &args, const Context &context) {
  const auto &positionals = args.positionals();
  if (positionals.size() != 2)
    throw UsageError(positionals.size() < 2 ? "save needs NAME and FILE.npy"
                                            : "save takes NAME FILE.npy");
  const std::string &name = positionals[0];
  const std::string &file = positionals[1];
  const std::string what = "save " + name + " to " + file;

  const OptionsHandle options = context.make_options();
  npshm_options_set_readonly(options.get(), 1);
  const ReaderHandle array(npshm_attach(name.c_str(), options.get()));
  if (!array) throw library_failure();
  const std::uint64_t nbytes = npshm_nbytes(array.get());

  // Found before writing anything (the library would find out only when
  // renaming the complete file onto it).
  struct stat st;
  if (::stat(file.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Failure(kExitFailed, what + ": the target is a directory");

  CopyProgress progress("saving " + name);
  progress.attach_to(options.get());
  const auto start = std::chrono::steady_clock::now();
  // Written to a temporary file beside FILE.npy, renamed onto it when complete.
  const int saved = npshm_save(array.get(), file.c_str(), options.get());
  progress.finish();
  if (saved != NPSHM_OK) throw copy_failure();
  flush_to_disk(file, what);
  flush_to_disk(parent_directory(file), what);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("saved %s to %s: %s in %.2f s (%s)\n", npshm_name(array.get()), file.c_str(),
              human_bytes(nbytes).c_str(), seconds,
              human_rate(seconds > 0 ? static_cast<double>(nbytes) / seconds : 0).c_str());
  return kExitOk;
}

}  // namespace

Command save_command() {
  return {"save", "write an array to a plain .npy file",
          "Usage: npshm save NAME FILE.npy [--dir DIR]\n"
          "\n"
          "Write the array NAME to FILE.npy as a plain .npy file (the header that\n"
          "numpy.save writes, then the data; no npshm trailer), readable by\n"
          "numpy.load.  The data goes to a temporary file in the same directory,\n"
          "which is renamed onto FILE.npy (replacing it) only when complete:\n"
          "FILE.npy is never partial.  Then FILE.npy and its directory are\n"
          "flushed to disk.  The path is used as given (no '.npy' is appended).\n"
          "A progress bar is drawn on stderr when stderr is a terminal and the\n"
          "array is at least 64 MiB.\n"
          "\n"
          "Options:\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n"
          "\n"
          "Exit 3 if NAME (or FILE's directory) does not exist, 130 if interrupted.\n",
          {},
          run_save};
}

}  // namespace npshm_cli
