// Hidden temporary names: what a new file is called between being made and
// being published where the system cannot make a file with no name at all
// (platform.hpp's NewFile), and how gc and save recognise one that its
// process abandoned.  One form for every caller:
//     ".npshm-tmp-<pid>-<n>"          create, load (in the shm directory)
//     ".<base>.npshm-tmp-<pid>-<n>"   save to <base> (beside the target)
// <pid> the decimal process id of its maker (gc asks whether it lives), <n>
// 16 hex digits the maker draws at random: another user who could guess the
// name could take it first in a shared sticky directory and make every
// such create or save fail.  Depends on nothing else in the core (the
// platform layer uses it and gives the random part).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>

namespace npshm {

// A new temporary name for a file to be published as base ("" when the
// file's final name does not matter to its cleanup: create and load), with
// random as its last part.
std::string make_temp_name(const std::string &base, std::uint64_t random);

struct TempName {
  std::string base;  // "" for ".npshm-tmp-..."
  pid_t pid = 0;
};

// Whether name is a temporary name (then out says of what and whose).
bool parse_temp_name(const std::string &name, TempName &out);

// Whether the file name, of status st (lstat, never followed), is a
// temporary its maker abandoned: a temporary name, a regular file with this
// one name, its maker process gone, and at least min_age_seconds old (so a
// maker cannot be between making and using it).  Callers add their own
// conditions (save: only the caller's own files).
bool abandoned_temp(const std::string &name, const struct stat &st, std::time_t now, int min_age_seconds);

}  // namespace npshm
