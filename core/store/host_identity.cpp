// The identity of the host an array lives on.
#include "store/host_identity.hpp"

#include <sys/sysmacros.h>
#include <sys/types.h>

#include "common/error.hpp"
#include "platform/platform.hpp"

namespace npshm {

std::string host_identity(const std::string &directory) {
  std::string boot;
  if (int err = platform::boot_id(boot)) throw_system("host id: cannot read the boot id", err);
  dev_t dev = 0;
  ino_t ino = 0;
  if (int err = platform::directory_identity(directory, dev, ino))
    throw_system("host id: shm directory " + directory, err);
  return boot + ":" + std::to_string(major(dev)) + ":" + std::to_string(minor(dev)) + ":" +
         std::to_string(static_cast<unsigned long long>(ino));
}

}  // namespace npshm
