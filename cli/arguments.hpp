// Command-line parsing: long options ("--name VALUE", "--name=VALUE",
// flags), "-h" for "--help", "-q" for "--quiet", "--" to end options, positionals anywhere.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace npshm_cli {

struct OptionSpec {
  std::string name;  // without the leading "--"
  bool takes_value;
};

class Arguments {
 public:
  // Parses args against specs.  Throws UsageError for an unknown option, a
  // missing value, or an option given twice.
  static Arguments parse(const std::vector<std::string> &args,
                         const std::vector<OptionSpec> &specs);

  bool flag(const std::string &name) const { return flags_.count(name) != 0; }
  std::optional<std::string> value(const std::string &name) const;
  const std::vector<std::string> &positionals() const { return positionals_; }

 private:
  std::set<std::string> flags_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positionals_;
};

}  // namespace npshm_cli
