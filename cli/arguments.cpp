#include "arguments.hpp"

#include "failure.hpp"

namespace npshm_cli {

namespace {

const OptionSpec *find_spec(const std::vector<OptionSpec> &specs, const std::string &name) {
  for (const OptionSpec &spec : specs)
    if (spec.name == name) return &spec;
  return nullptr;
}

}  // namespace

Arguments Arguments::parse(const std::vector<std::string> &args,
                           const std::vector<OptionSpec> &specs) {
  Arguments parsed;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (options_ended || arg == "-" || arg.empty() || arg[0] != '-') {
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    std::string name;
    std::optional<std::string> inline_value;
    if (arg == "-h" || arg == "-q") {
      name = arg == "-h" ? "help" : "quiet";
    } else if (arg.rfind("--", 0) == 0) {
      const std::size_t eq = arg.find('=');
      name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
    } else {
      throw UsageError("unknown option '" + arg + "'");
    }
    const OptionSpec *spec = find_spec(specs, name);
    if (spec == nullptr) throw UsageError("unknown option '--" + name + "'");
    if (!spec->takes_value) {
      if (inline_value) throw UsageError("option '--" + name + "' takes no value");
      parsed.flags_.insert(name);
      continue;
    }
    if (parsed.values_.count(name) != 0) throw UsageError("option '--" + name + "' given twice");
    if (!inline_value) {
      if (i + 1 == args.size()) throw UsageError("option '--" + name + "' needs a value");
      inline_value = args[++i];
    }
    parsed.values_[name] = *inline_value;
  }
  return parsed;
}

std::optional<std::string> Arguments::value(const std::string &name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace npshm_cli
