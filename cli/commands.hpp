// The table of subcommands: each cmd_*.cpp defines one.
#pragma once

#include <string>
#include <vector>

#include "arguments.hpp"
#include "context.hpp"

namespace npshm_cli {

struct Command {
  std::string name;
  std::string summary;  // one line, for "npshm --help"
  std::string help;     // the whole "npshm NAME --help" text
  std::vector<OptionSpec> options;  // besides --help and --dir
  // Runs the command; returns the exit code or throws Failure.
  int (*run)(const Arguments &args, const Context &context);
};

Command ls_command();
Command info_command();
Command create_command();
Command rm_command();
Command gc_command();
Command load_command();
Command save_command();

// All of them, in the order "npshm --help" lists them.
std::vector<Command> all_commands();

}  // namespace npshm_cli
