#include "npy_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "error.hpp"
#include "file_io.hpp"
#include "platform.hpp"
#include "progress.hpp"

namespace npshm {

namespace {

std::atomic<unsigned> save_counter{0};

}  // namespace

NpyFile::~NpyFile() {
  if (fd >= 0) ::close(fd);
}

NpyFile open_npy(const std::string &path, const std::string &what) {
  NpyFile file;
  struct stat st;
  const int err0 = platform::open_regular(path, O_RDONLY, file.fd, st);
  if (err0 == platform::kNotRegular)
    throw Error(NPSHM_E_FORMAT, what + ": not a regular file (" + platform::file_kind(st.st_mode) +
                                    "; links are never followed)");
  if (err0 == ENOENT) throw Error(NPSHM_E_NOT_FOUND, what + ": no such file", err0);
  if (err0 == EWOULDBLOCK)
    throw_system(what + ": another process holds a lease on the file (not waiting for it)", err0, NPSHM_E_BUSY);
  if (err0) throw_system(what + ": cannot open", err0);
  std::string why;
  int err = read_header(file.fd, static_cast<std::uint64_t>(st.st_size), file.header, why);
  if (err > 0) throw_system(what + ": cannot read the header", err);
  if (err < 0) throw Error(NPSHM_E_FORMAT, what + ": " + why);
  return file;
}

void save_npy(const Layout &layout, const void *data, const std::string &path, const std::string &what,
              const npshm_options &opts, int source_fd, std::uint64_t source_offset) {
  if (path.empty() || path.back() == '/') throw Error(NPSHM_E_INVALID, what + ": not a file path");
  // Only a regular file is replaced: never a device, FIFO, socket, directory
  // or symbolic link that happens to be at that path.
  struct stat existing;
  if (::lstat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode))
    throw Error(NPSHM_E_INVALID, what + ": refusing to replace something that is not a regular file");
  // A hidden name beside the target (listings skip it), then rename.
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string temp = dir + "." + base + ".npshm-save-" + std::to_string(::getpid()) + "-" +
                           std::to_string(save_counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) throw Error(NPSHM_E_NOT_FOUND, what + ": no such directory", err);
    throw_system(what + ": cannot create " + temp, err);
  }
  struct Temp {  // removed unless renamed onto path
    int fd;
    const std::string &path;
    bool keep = false;
    ~Temp() {
      if (fd >= 0) ::close(fd);
      if (!keep) ::unlink(path.c_str());
    }
  } file{fd, temp};
  const std::string header = format_header(layout);
  int err = pwrite_all(fd, header.data(), header.size(), 0);
  const char *bytes = static_cast<const char *>(data);
  for (std::uint64_t done = 0; !err;) {
    report_progress(opts, done, layout.nbytes, what);
    if (done == layout.nbytes) break;
    const std::uint64_t n = std::min<std::uint64_t>(kProgressStep, layout.nbytes - done);
    // From the source file in the kernel: no page of it faulted in here.
    err = source_fd >= 0 ? platform::copy_range(source_fd, source_offset + done, fd, header.size() + done, n)
                         : pwrite_all(fd, bytes + done, static_cast<std::size_t>(n), header.size() + done);
    done += n;
  }
  file.fd = -1;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err) throw_system(what + (err == ENOSPC ? ": no space left" : ": cannot write"), err);
  file.keep = true;
}

}  // namespace npshm
