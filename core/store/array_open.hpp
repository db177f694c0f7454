// Opening a file that should hold an array and checking that it does: the
// one routine that attach (segment.cpp), load and save (open_npy,
// store/load_save.cpp) and the catalog's inspect (catalog.cpp) share.  It never
// words an open failure: each caller says it in its own terms.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>

#include "format/file_format.hpp"

namespace npshm {

enum class ArrayFileAccess {
  read_only,
  read_write,
  // Read-write when permitted, else read-only (a read-only attach still
  // wants the exclusive lock a LAST-lifetime close needs).
  read_write_else_read_only,
};

struct ArrayFile {
  int fd = -1;            // open when open_array_file returned 0; the caller closes it
  struct stat st {};      // its fstat; for platform::kNotRegular, what the path is
  bool writable = false;  // opened read-write
  FileHeader header;      // its header and trailer, checked
};

// Open path (open_user_file: no link followed at the path, no planted link
// followed on the way to it, no wait for a FIFO or a lease, nothing but a
// regular file; a refused link throws), run opened (if any) on the open
// file, then read and check its header and trailer (read_file_header).
// Returns 0 with file filled; or, with nothing left open, the open's
// failure: platform::kNotRegular (file.st says what the path is) or an
// errno.  A file that is not an array throws read_file_header's Error,
// with what as context when what is not empty; whatever opened throws
// passes through unchanged; either way nothing is left open.
int open_array_file(const std::string &path, ArrayFileAccess access, const std::string &what, ArrayFile &file,
                    const std::function<void(const ArrayFile &)> &opened = nullptr);

}  // namespace npshm
