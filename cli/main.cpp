// npshm: list, inspect, create, remove, collect, load and save shared
// arrays, using only libnpshm's public C ABI.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "context.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "npshm.h"
#include "text_escape.hpp"

namespace npshm_cli {
namespace {

const char kVersion[] = NPSHM_CLI_VERSION;  // from VERSION, set by meson

std::string program_help() {
  std::string text =
      "Usage: npshm [--dir DIR] COMMAND [ARGS...]\n"
      "\n"
      "Inspect and manage npshm shared arrays: .npy files in the shm directory.\n"
      "\n"
      "Commands:\n";
  for (const Command &command : all_commands()) {
    std::string name = command.name;
    name.resize(8, ' ');
    text += "  " + name + command.summary + "\n";
  }
  text +=
      "\n"
      "Global options:\n"
      "  --dir DIR    the shm directory (default: $NPSHM_DIR, else /dev/shm);\n"
      "               also accepted after the command\n"
      "  --help, -h   this help; 'npshm COMMAND --help' describes a command\n"
      "  --version    print the versions of npshm and of the loaded libnpshm\n"
      "\n"
      "Exit codes: 0 ok, 1 operation failed, 2 usage error or invalid argument,\n"
      "3 no such array or file, 4 the name exists, 130 interrupted (cleaned up).\n";
  return text;
}

const Command *find_command(const std::vector<Command> &commands, const std::string &name) {
  for (const Command &command : commands)
    if (command.name == name) return &command;
  return nullptr;
}

int run_command(const Command &command, const std::vector<std::string> &args, std::string dir) {
  std::vector<OptionSpec> specs = command.options;
  specs.push_back({"help", false});
  specs.push_back({"dir", true});
  const Arguments parsed = Arguments::parse(args, specs);
  if (parsed.flag("help")) {
    std::fputs(command.help.c_str(), stdout);
    return kExitOk;
  }
  if (auto command_dir = parsed.value("dir")) dir = *command_dir;
  const Context context(dir);
  return command.run(parsed, context);
}

int run_program(const std::vector<std::string> &args, std::string &hint) {
  const std::vector<Command> commands = all_commands();
  std::string dir;
  std::size_t i = 0;
  for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
    const std::string &arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(program_help().c_str(), stdout);
      return kExitOk;
    }
    if (arg == "--version") {
      std::printf("npshm %s (libnpshm %s)\n", kVersion, npshm_version());
      return kExitOk;
    }
    if (arg == "--dir") {
      if (i + 1 == args.size()) throw UsageError("option '--dir' needs a value");
      dir = args[++i];
    } else if (arg.rfind("--dir=", 0) == 0) {
      dir = arg.substr(6);
    } else {
      throw UsageError("unknown option '" + arg + "'");
    }
  }
  if (i == args.size()) throw UsageError("missing command");
  const std::string &name = args[i];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (name == "help") {
    if (rest.empty()) {
      std::fputs(program_help().c_str(), stdout);
      return kExitOk;
    }
    const Command *command = find_command(commands, rest[0]);
    if (!command) throw UsageError("unknown command '" + rest[0] + "'");
    std::fputs(command->help.c_str(), stdout);
    return kExitOk;
  }
  const Command *command = find_command(commands, name);
  if (!command) throw UsageError("unknown command '" + name + "'");
  hint = "npshm " + name + " --help";
  return run_command(*command, rest, dir);
}

}  // namespace
}  // namespace npshm_cli

int main(int argc, char **argv) {
  using namespace npshm_cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::string hint = "npshm --help";
  try {
    const int code = run_program(args, hint);
    if (std::fflush(stdout) != 0) {
      std::perror("npshm: cannot write the output");
      return kExitFailed;
    }
    return code;
  } catch (const UsageError &e) {
    std::fprintf(stderr, "npshm: %s\nTry '%s'.\n", printable(e.what()).c_str(), hint.c_str());
    return kExitUsage;
  } catch (const Failure &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "npshm: %s\n", printable(e.what()).c_str());
    return e.exit_code();
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "npshm: out of memory\n");
    return kExitFailed;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "npshm: internal error: %s\n", e.what());
    return kExitFailed;
  }
}
