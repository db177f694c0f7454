// .npy files on disk, outside the shm directory: opening one to load it
// into a segment, and writing an array out as one.
#pragma once

#include <sys/stat.h>

#include <string>

#include "store/names.hpp"
#include "format/file_format.hpp"
#include "common/options.hpp"

namespace npshm {

// An open, checked .npy file.  Closes itself.
struct NpyFile {
  int fd = -1;
  ParsedHeader header;
  NpyFile() = default;
  NpyFile(NpyFile &&other) noexcept : fd(other.fd), header(std::move(other.header)) { other.fd = -1; }
  NpyFile &operator=(NpyFile &&other) noexcept {
    std::swap(fd, other.fd);
    header = std::move(other.header);
    return *this;
  }
  NpyFile(const NpyFile &) = delete;
  NpyFile &operator=(const NpyFile &) = delete;
  ~NpyFile();
};

// Open path read-only and parse its header.  Throws Error; what names the
// operation for messages ("load /x.npy into shm://x").
NpyFile open_npy(const std::string &path, const std::string &what);

// The permission bits, before the umask, of a new file that save writes for
// the caller from the array whose file has status source: read and write
// for the caller; read for group and others only where the array gives
// them read (a copy is never more readable than its source); write for
// group and others only where the caller owns the array and gave them
// write.  The kernel then takes away what the caller's umask (or the
// directory's default ACL) says, as for any file the caller creates.
mode_t new_file_bits(const struct stat &source);

// The permission bits (0777) of an open file; 0600 if unknown.
unsigned file_mode(int fd);

// Write header + data to path as a plain .npy, atomically replacing a
// regular file there (refusing anything else), keeping that file's mode
// when the caller owns it, else giving it new_file_bits of source_fd's
// file (or, with no source_fd, new_file_mode & 0666), less the umask.
// path's directory is opened with open_user_directory (user_path.hpp).  The file is unnamed (O_TMPFILE) until
// complete and synced, then linked or renamed into place; the directory is
// synced.  The data is read from source_fd at source_offset, copied in the
// kernel (copy_file_range, sendfile), when source_fd >= 0; else from memory
// at data.  Throws Error.
void save_npy(const Layout &layout, const void *data, const std::string &path, const std::string &what,
              const Options &opts, int source_fd = -1, std::uint64_t source_offset = 0,
              unsigned new_file_mode = 0644);

// npshm_save_name: the array named loc saved to path, read from its file
// (never attached: no holder lock, no mapping, so no lifetime policy is
// ever applied; a LAST array nobody else holds stays).  Throws Error.
void save_named_npy(const Location &loc, const std::string &path, const Options &opts);

}  // namespace npshm
