#include "help_format.hpp"

#include <cctype>
#include <cstddef>
#include <sstream>

namespace npshm_cli {

namespace {

// Every line of text indented by two spaces (blank lines stay empty).
std::string indented(const std::string &text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && c != '\n') out += "  ";
    out += c;
    line_start = c == '\n';
  }
  return out;
}

// "list the arrays" -> "List the arrays."
std::string as_sentence(std::string text) {
  if (text.empty()) return text;
  text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  if (text.back() != '.') text += '.';
  return text;
}

constexpr std::size_t kColumns = 78;        // the widest line of help
constexpr std::size_t kExpandedIndent = 2;  // --help-all indents each command's block

// Each paragraph of text (paragraphs are separated by blank lines) filled
// to width columns: words separated by one space, lines broken between
// words; one blank line between paragraphs.
std::string filled(const std::string &text, std::size_t width) {
  std::string out, line;
  bool paragraph_ended = false;  // a blank line since the last word
  std::istringstream lines(text);
  std::string source_line;
  while (std::getline(lines, source_line)) {
    std::istringstream words(source_line);
    std::string word;
    if (!(words >> word)) {
      paragraph_ended = !out.empty() || !line.empty();
      continue;
    }
    do {
      if (paragraph_ended) {
        out += line + "\n\n";
        line.clear();
        paragraph_ended = false;
      } else if (!line.empty() && line.size() + 1 + word.size() > width) {
        out += line + "\n";
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    } while (words >> word);
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

// "a\n\n\nb\n" -> "a\n\nb\n": one blank line between blocks at most.
std::string single_blank_lines(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' && out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n')
      continue;
    out += c;
  }
  return out;
}

}  // namespace

HelpFormatter::HelpFormatter() {
  label("SUBCOMMAND", "COMMAND");
  label("Positionals", "Arguments");
}

std::string HelpFormatter::make_footer(const CLI::App *app) const {
  if (app->get_parent() == nullptr || app->get_footer().empty()) return CLI::Formatter::make_footer(app);
  return filled(app->get_footer(), kColumns - kExpandedIndent);
}

std::string HelpFormatter::make_description(const CLI::App *app) const {
  return filled(CLI::Formatter::make_description(app), kColumns);
}

// Filled to the columns right of the names in a list of options or commands
// (with no newline at the end).
std::string HelpFormatter::filled_right_of_names(const std::string &text) const {
  std::string out = filled(text, kColumns - kExpandedIndent - get_column_width());
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string HelpFormatter::make_option_desc(const CLI::Option *opt) const {
  return filled_right_of_names(opt->get_description());
}

std::string HelpFormatter::make_subcommand(const CLI::App *sub) const {
  std::ostringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true), filled_right_of_names(sub->get_description()),
                           get_column_width());
  return out.str();
}

std::string HelpFormatter::make_subcommands(const CLI::App *app, CLI::AppFormatMode mode) const {
  if (mode != CLI::AppFormatMode::All) return CLI::Formatter::make_subcommands(app, mode);
  std::string out = CLI::Formatter::make_subcommands(app, CLI::AppFormatMode::Normal);
  for (const CLI::App *sub : app->get_subcommands({}))
    if (!sub->get_name().empty()) out += "\n" + sub->help(sub->get_name(), CLI::AppFormatMode::Sub);
  return out;
}

std::string HelpFormatter::make_expanded(const CLI::App *sub) const {
  std::string usage = make_usage(sub, sub->get_parent()->get_name() + " " + sub->get_name());
  const std::string prefix = get_label("Usage") + ": ";
  if (usage.compare(0, prefix.size(), prefix) == 0) usage.erase(0, prefix.size());
  while (!usage.empty() && usage.back() == '\n') usage.pop_back();

  std::string body =
      sub->get_footer().empty() ? as_sentence(sub->get_description()) + "\n" : make_footer(sub);
  body += make_positionals(sub);
  body += make_groups(sub, CLI::AppFormatMode::Sub);
  return usage + ":\n" + indented(single_blank_lines(body));
}

}  // namespace npshm_cli
