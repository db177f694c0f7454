// Path helpers for load and save.
#pragma once

#include <string>

namespace npshm_cli {

// "/data/big.npy" -> "big"; "x.tar.npy" -> "x.tar"; "noext" -> "noext".
std::string file_stem(const std::string &path);
// "dir/x.npy" -> "dir"; "x.npy" -> "."; "/x.npy" -> "/".
std::string parent_directory(const std::string &path);
// The last component of path.
std::string base_name(const std::string &path);

}  // namespace npshm_cli
