// CLI11 validators and option helpers shared by several commands.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace npshm_cli {

// "--mode M": octal permission bits 0..0777 ("600", "0600", "0o600");
// converts the text to the value.
CLI::Option *add_mode_option(CLI::App *app, unsigned int &mode, bool &given,
                             const std::string &what);

// An option whose value is one of choices (exact words); the words are kept
// for shell completion (completion_words()).
CLI::Option *add_choice_option(CLI::App *app, const std::string &name, std::string &value,
                               const std::vector<std::string> &choices,
                               const std::string &description);

// Records words a shell may complete as the value of option.
void set_completion_words(const CLI::Option *option, std::vector<std::string> words);
// The words recorded for option (empty: none; complete file names instead).
std::vector<std::string> completion_words(const CLI::Option *option);

}  // namespace npshm_cli
