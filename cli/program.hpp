// The npshm program's command line: the CLI11 application with every
// subcommand, its help texts and --version.  The man page (help2man over
// --help-all) and the bash completion (--bash-completion) are generated from
// these same definitions.
#pragma once

#include <CLI/CLI.hpp>

#include <vector>

#include "commands.hpp"

namespace npshm_cli {

struct Program {
  CLI::App app;
  CommonOptions common;
  std::vector<Subcommand> commands;

  Program();
  Program(const Program &) = delete;
  Program &operator=(const Program &) = delete;

  // The subcommand the command line chose, or nullptr.
  const Subcommand *chosen() const;
};

// "npshm 0.1.0 (libnpshm 0.1.0)".
std::string version_text();

}  // namespace npshm_cli
