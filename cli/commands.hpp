// The subcommands.  Each cmd_*.cpp defines one: add_<name>_command() adds
// its CLI11 subcommand (options, positionals, help text) to the program and
// returns the Command that runs it with the parsed values.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "context.hpp"
#include "output.hpp"

namespace npshm_cli {

// Options every subcommand takes.
struct CommonOptions {
  std::string dir;       // --dir ("" when not given)
  OutputOptions output;  // --json, --json-lines
};

class Command {
 public:
  virtual ~Command() = default;
  // Runs with the parsed options; returns the exit status or throws
  // Failure.
  virtual int run(const Context &context) = 0;
};

struct Subcommand {
  CLI::App *app;
  std::unique_ptr<Command> command;
};

// A new subcommand of program with --dir, --json and --json-lines.
CLI::App *add_subcommand(CLI::App &program, CommonOptions &common, const std::string &name,
                         const std::string &summary, const std::string &details);
// "--dir DIR" bound to dir (on the program and on each subcommand).
void add_dir_option(CLI::App *app, std::string &dir);

Subcommand add_ls_command(CLI::App &program, CommonOptions &common);
Subcommand add_info_command(CLI::App &program, CommonOptions &common);
Subcommand add_create_command(CLI::App &program, CommonOptions &common);
Subcommand add_rm_command(CLI::App &program, CommonOptions &common);
Subcommand add_gc_command(CLI::App &program, CommonOptions &common);
Subcommand add_load_command(CLI::App &program, CommonOptions &common);
Subcommand add_save_command(CLI::App &program, CommonOptions &common);
Subcommand add_wait_command(CLI::App &program, CommonOptions &common);
Subcommand add_notify_command(CLI::App &program, CommonOptions &common);

// All of them, in the order "npshm --help" lists them.
std::vector<Subcommand> add_all_commands(CLI::App &program, CommonOptions &common);

}  // namespace npshm_cli
