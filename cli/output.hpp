// How a command prints its result: text for people, or one JSON object
// (--json, indented; --json-lines, compact, one value per line) for
// scripts.  The schema of each command's JSON is in cli/schemas/.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace CLI {
class App;
}

namespace npshm_cli {

using Json = nlohmann::json;

enum class Format { Text, Json, JsonLines };

struct OutputOptions {
  bool json = false;
  bool json_lines = false;
  Format format() const {
    return json_lines ? Format::JsonLines : json ? Format::Json : Format::Text;
  }
};

// Adds --json and --json-lines (mutually exclusive) to a subcommand.
void add_output_options(CLI::App *command, OutputOptions &options);

// Writes value to stdout with a newline: indented for Format::Json, on one
// line for Format::JsonLines.  Pure ASCII (other characters as \u escapes,
// so a terminal never sees a control character); bytes that are not UTF-8
// become U+FFFD.
void write_json(const Json &value, Format format);

}  // namespace npshm_cli
