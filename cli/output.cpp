#include "output.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace npshm_cli {

void add_output_options(CLI::App *command, OutputOptions &options) {
  CLI::Option *json = command->add_flag("--json", options.json,
                                        "print one JSON object (its schema: \"JSON output\" in the "
                                        "CLI guide, docs/cli.md)");
  CLI::Option *lines = command->add_flag(
      "--json-lines", options.json_lines,
      command->get_name() == "ls" || command->get_name() == "gc"
          ? "print one compact JSON object per file, one per line"
          : "print the JSON object compactly, on one line");
  json->excludes(lines);
}

void write_json(const Json &value, Format format) {
  const int indent = format == Format::JsonLines ? -1 : 2;
  const std::string text = value.dump(indent, ' ', true, Json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace npshm_cli
