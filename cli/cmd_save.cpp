// npshm save NAME FILE.npy: a shared array to a plain .npy file on disk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bulk_copy.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "file_paths.hpp"
#include "human_units.hpp"
#include "interrupt.hpp"
#include "npy_header.hpp"
#include "progress_bar.hpp"

namespace npshm_cli {

namespace {

// A temporary file next to the target; removed unless committed by rename.
class TemporaryFile {
 public:
  TemporaryFile(const std::string &target, const std::string &what) {
    std::string pattern =
        parent_directory(target) + "/." + base_name(target) + ".npshm-save-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    fd_ = ::mkostemp(buffer.data(), O_CLOEXEC);
    if (fd_ < 0) {
      const int err = errno;
      throw Failure(err == ENOENT ? kExitNotFound : kExitFailed,
                    what + ": cannot create a file in " + parent_directory(target) + " (" +
                        std::strerror(err) + ")");
    }
    path_ = buffer.data();
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile &) = delete;
  TemporaryFile &operator=(const TemporaryFile &) = delete;

  int fd() const { return fd_; }

  // Flushes, closes and renames onto target; the target is then complete.
  void commit(const std::string &target, const std::string &what) {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd_, 0666 & ~mask) != 0) fail(what + ": cannot set the file mode");
    if (::fsync(fd_) != 0) fail(what + ": cannot flush the file to disk");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail(what + ": cannot close the file");
    if (::rename(path_.c_str(), target.c_str()) != 0) fail(what + ": cannot rename onto the target");
    path_.clear();
  }

 private:
  [[noreturn]] static void fail(const std::string &message) {
    throw Failure(kExitFailed, message + " (" + std::strerror(errno) + ")");
  }

  int fd_ = -1;
  std::string path_;
};

void write_all(int fd, const std::string &bytes, const std::string &what) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t put = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) throw Failure(kExitFailed, what + ": write error (" + std::strerror(errno) + ")");
    done += static_cast<std::size_t>(put);
  }
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

  struct stat st;
  if (::stat(file.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Failure(kExitFailed, what + ": the target is a directory");

  catch_interrupts();
  const auto start = std::chrono::steady_clock::now();
  TemporaryFile temporary(file, what);
  write_all(temporary.fd(),
            npy_header(npshm_dtype(array.get()), npshm_order(array.get()) == NPSHM_ORDER_F,
                       npshm_ndim(array.get()), npshm_shape(array.get())),
            what);
  ProgressBar progress("saving " + name, nbytes);
  copy_memory_to_file(static_cast<const unsigned char *>(npshm_data(array.get())), nbytes,
                      temporary.fd(), progress, what);
  progress.finish();
  temporary.commit(file, what);
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
          "which is flushed to disk and renamed onto FILE.npy (replacing it) only\n"
          "when complete: FILE.npy is never partial.  The path is used as given\n"
          "(no '.npy' is appended).  A progress bar is drawn on stderr when stderr\n"
          "is a terminal and the array is at least 64 MiB.\n"
          "\n"
          "Options:\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n"
          "\n"
          "Exit 3 if NAME does not exist, 130 if interrupted.\n",
          {},
          run_save};
}

}  // namespace npshm_cli
