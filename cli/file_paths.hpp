// Path helpers for load.
#pragma once

#include <string>

namespace npshm_cli {

// "/data/big.npy" -> "big"; "x.tar.npy" -> "x.tar"; "noext" -> "noext".
std::string file_stem(const std::string &path);
// The last component of path.
std::string base_name(const std::string &path);

}  // namespace npshm_cli
