#include "context.hpp"

#include <cstdlib>

#include "failure.hpp"

namespace npshm_cli {

Context::Context(std::string dir, Format format) : dir_(std::move(dir)), format_(format) {}

OptionsHandle Context::make_options() const {
  OptionsHandle options(npshm_options_new());
  if (!options) throw library_failure();
  if (!dir_.empty() && npshm_options_set_directory(options.get(), dir_.c_str()) != NPSHM_OK)
    throw library_failure();
  return options;
}

std::string Context::shm_directory() const {
  if (!dir_.empty()) return dir_;
  const char *env = std::getenv("NPSHM_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "/dev/shm";
}

}  // namespace npshm_cli
