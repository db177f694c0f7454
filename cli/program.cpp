#include "program.hpp"

#include "exit_codes.hpp"
#include "help_format.hpp"
#include "npshm.h"

#ifndef NPSHM_CLI_VERSION
#error "NPSHM_CLI_VERSION must be defined by the build (the project's version)"
#endif

namespace npshm_cli {

std::string version_text() {
  return std::string("npshm ") + NPSHM_CLI_VERSION + " (libnpshm " + npshm_version() + ")";
}

Program::Program()
    : app("Inspect and manage npshm shared arrays: .npy files in the shm directory "
          "(/dev/shm) that processes map with no copies.",
          "npshm") {
  app.set_version_flag("--version", version_text,
                       "print the versions of npshm and of the loaded libnpshm");
  app.set_help_flag("-h,--help", "print this help and exit; 'npshm COMMAND --help' describes a command");
  app.set_help_all_flag("--help-all", "print the help of every command");
  app.require_subcommand(1);
  app.formatter(std::make_shared<HelpFormatter>());  // before the commands: they inherit it
  app.get_formatter()->column_width(26);
  add_dir_option(&app, common.dir);
  commands = add_all_commands(app, common);
  for (const Subcommand &sub : commands) sub.app->set_help_flag("-h,--help", "print this help and exit");
  app.footer(
      "Every command also takes --dir DIR after its name, and --json or --json-lines\n"
      "for output that scripts read (one object per command; its schema is in\n"
      "the CLI guide, docs/cli.md, \"JSON output\").  Dtypes may be NumPy names\n"
      "(float64, int32, uint8, bool, complex128, datetime64[ns], ...) or NPY type\n"
      "strings (<f8, |u1, <U10).\n"
      "Everything printed is escaped: control, C1 and bidi characters and invalid\n"
      "UTF-8 in names and messages show as \\x1b, \\u202e, \\xff.\n"
      "\n" +
      // the exit statuses before the environment: help2man starts the man
      // page's ENVIRONMENT section at "Environment:", which then runs to the end
      exit_status_help() +
      "\n"
      "Environment:\n"
      "  NPSHM_DIR   the shm directory when --dir is not given (default /dev/shm)");
}

const Subcommand *Program::chosen() const {
  for (const Subcommand &sub : commands)
    if (sub.app->parsed()) return &sub;
  return nullptr;
}

}  // namespace npshm_cli
