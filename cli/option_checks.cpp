#include "option_checks.hpp"

#include <map>

namespace npshm_cli {

namespace {

std::map<const CLI::Option *, std::vector<std::string>> &completion_table() {
  static std::map<const CLI::Option *, std::vector<std::string>> table;
  return table;
}

std::string check_mode(const std::string &text) {
  std::string digits = text;
  if (digits.rfind("0o", 0) == 0 || digits.rfind("0O", 0) == 0) digits.erase(0, 2);
  if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("01234567") != std::string::npos)
    return "bad mode '" + text + "': use octal permission bits such as 0600";
  if (std::stoul(digits, nullptr, 8) > 0777)
    return "bad mode '" + text + "': only permission bits (0..0777) are allowed";
  return "";
}

}  // namespace

CLI::Option *add_mode_option(CLI::App *app, unsigned int &mode, bool &given,
                             const std::string &what) {
  return app
      ->add_option_function<std::string>(
          "--mode",
          [&mode, &given](const std::string &text) {
            std::string digits = text;
            if (digits.rfind("0o", 0) == 0 || digits.rfind("0O", 0) == 0) digits.erase(0, 2);
            mode = static_cast<unsigned int>(std::stoul(digits, nullptr, 8));
            given = true;
          },
          "octal permission bits of " + what + " (default 0600)")
      ->type_name("MODE")
      ->check(CLI::Validator(
          [](std::string &text) { return check_mode(text); }, "", "Mode"));
}

CLI::Option *add_choice_option(CLI::App *app, const std::string &name, std::string &value,
                               const std::vector<std::string> &choices,
                               const std::string &description) {
  CLI::Option *option = app->add_option(name, value, description)
                            ->transform(CLI::IsMember(choices, CLI::ignore_case))
                            ->capture_default_str();
  set_completion_words(option, choices);
  return option;
}

void set_completion_words(const CLI::Option *option, std::vector<std::string> words) {
  completion_table()[option] = std::move(words);
}

std::vector<std::string> completion_words(const CLI::Option *option) {
  const auto found = completion_table().find(option);
  return found == completion_table().end() ? std::vector<std::string>() : found->second;
}

}  // namespace npshm_cli
