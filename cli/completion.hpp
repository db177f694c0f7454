// Bash completion for npshm, generated from the program's own CLI11
// definitions (subcommands, options, which options take values, the words
// an option accepts), so it cannot drift from the command line.
#pragma once

#include <string>

#include "program.hpp"

namespace npshm_cli {

// The script bash sources ("npshm --bash-completion"; meson installs its
// output as the bash-completion file for npshm).
std::string bash_completion_script(const Program &program);

}  // namespace npshm_cli
