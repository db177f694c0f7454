// The identity of the "host" an array lives on: processes that compute the
// same identity see the same shm directory in the same kernel, so a name
// that one of them created can be attached by the others.
#pragma once

#include <string>

namespace npshm {

// "<boot id>:<major>:<minor>:<inode>" of the running kernel and of the shm
// directory (the boot id alone is shared by containers and network
// namespaces with private /dev/shm mounts; the directory's device and inode
// tell those apart).  Throws Error naming the directory and the cause.
std::string host_identity(const std::string &directory);

}  // namespace npshm
