// Hidden temporary names: their one format, parser and abandonment test
// (temp_names.hpp).
#include "platform/temp_names.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace npshm {

namespace {

const char kMark[] = "npshm-tmp-";  // after the leading '.' or ".<base>."
constexpr std::size_t kMarkSize = sizeof kMark - 1;

// A decimal number of at least one digit at p, without sign; end past it.
bool decimal(const char *p, long &value, const char *&end) {
  if (*p < '0' || *p > '9') return false;
  char *stop = nullptr;
  errno = 0;
  value = std::strtol(p, &stop, 10);
  end = stop;
  return errno == 0;
}

}  // namespace

std::string make_temp_name(const std::string &base, std::uint64_t random) {
  char last[17];
  std::snprintf(last, sizeof last, "%016llx", static_cast<unsigned long long>(random));
  return "." + (base.empty() ? std::string() : base + ".") + kMark + std::to_string(::getpid()) + "-" + last;
}

bool parse_temp_name(const std::string &name, TempName &out) {
  // The last ".npshm-tmp-": at 0, or after ".<base>" (a base of one byte at least).
  const std::size_t dot = name.rfind(std::string(".") + kMark);
  if (dot == std::string::npos || dot == 1 || (dot > 1 && name[0] != '.')) return false;
  const char *p = name.c_str() + dot + 1 + kMarkSize;
  long pid = 0;
  const char *end = nullptr;
  if (!decimal(p, pid, end) || pid <= 0 || *end != '-') return false;
  if (std::strlen(end + 1) != 16 || std::strspn(end + 1, "0123456789abcdef") != 16) return false;
  out.base = dot == 0 ? std::string() : name.substr(1, dot - 1);
  out.pid = static_cast<pid_t>(pid);
  return static_cast<long>(out.pid) == pid;
}

bool abandoned_temp(const std::string &name, const struct stat &st, std::time_t now, int min_age_seconds) {
  TempName parsed;
  if (!parse_temp_name(name, parsed)) return false;
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1) return false;
  if (now - st.st_ctime < min_age_seconds) return false;
  // Alive, or not ours to know (EPERM: alive under another user).
  return ::kill(parsed.pid, 0) != 0 && errno == ESRCH;
}

}  // namespace npshm
