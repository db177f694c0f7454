// How the program's help is laid out.  --help-all: the list of commands,
// then each command in a block of its own (its usage, what it does, its
// arguments and options), separated by blank lines.  Prose and option
// descriptions are filled to 78 columns, one space between words.  help2man
// makes the man page from --help-all, so this layout is also the man page's:
// one subsection per command, each paragraph on its own (help2man takes a
// run of two spaces inside an indented line for the gap after an option's
// name, hence the single spaces).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace npshm_cli {

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  // --help-all: the list of commands (as --help shows it), then each
  // command expanded.
  std::string make_subcommands(const CLI::App *app, CLI::AppFormatMode mode) const override;
  // One command of --help-all: a heading "npshm NAME [OPTIONS] ARGS:", then,
  // indented, the command's description (its details, or else its summary
  // as a sentence), its arguments and its options.
  std::string make_expanded(const CLI::App *sub) const override;
  // A command's details (its footer), filled; the program's footer as
  // written (it holds tables).
  std::string make_footer(const CLI::App *app) const override;
  // Filled: the program's description, and the descriptions of options and
  // of commands in the list (right of their names).
  std::string make_description(const CLI::App *app) const override;
  std::string make_option_desc(const CLI::Option *opt) const override;
  std::string make_subcommand(const CLI::App *sub) const override;

 private:
  std::string filled_right_of_names(const std::string &text) const;
};

}  // namespace npshm_cli
