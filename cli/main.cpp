// npshm: list, inspect, create, remove, collect, load and save shared
// arrays, using only libnpshm's public C ABI.  The command line is CLI11's
// (program.cpp and the cmd_*.cpp files); this file runs it and turns
// failures into messages and exit statuses (exit_codes.hpp).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include "completion.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "program.hpp"
#include "text_escape.hpp"

namespace npshm_cli {
namespace {

std::string help_hint(const Program &program) {
  const Subcommand *sub = program.chosen();
  return sub ? "npshm " + sub->app->get_name() + " --help" : "npshm --help";
}

int usage_error(const Program &program, const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "npshm: %s\nTry '%s'.\n", printable(message).c_str(),
               help_hint(program).c_str());
  return kExitUsage;
}

// A failure after the command line was understood: the message on stderr
// and, when JSON was asked for, an error object on stdout.
int report_failure(const Program &program, Format format, const Failure &failure) {
  if (format != Format::Text)
    write_json({{"error",
                 {{"code", failure.slug()},
                  {"exit_status", failure.exit_code()},
                  {"message", failure.what()}}}},
               format);
  std::fflush(stdout);
  std::fprintf(stderr, "npshm: %s\n", printable(failure.what()).c_str());
  if (dynamic_cast<const UsageError *>(&failure) != nullptr)
    std::fprintf(stderr, "Try '%s'.\n", help_hint(program).c_str());
  return failure.exit_code();
}

// The first argument that is neither an option nor the value of --dir: what
// was meant as the command.
const char *first_word(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0) {
      ++i;
    } else if (argv[i][0] != '-') {
      return argv[i];
    }
  }
  return nullptr;
}

int run(Program &program, int argc, char **argv) {
  if (argc == 1) {  // bare "npshm": the help, as a successful request for it
    std::cout << program.app.help();
    return kExitOk;
  }
  if (argc == 2 && std::strcmp(argv[1], "--bash-completion") == 0) {
    std::cout << bash_completion_script(program);
    return kExitOk;
  }
  try {
    program.app.parse(argc, argv);
  } catch (const CLI::Success &e) {  // --help, --help-all, --version
    return program.app.exit(e);
  } catch (const CLI::ParseError &e) {
    if (program.chosen() == nullptr) {
      if (const char *word = first_word(argc, argv)) {
        std::string message = std::string("unknown command '") + word + "' (commands:";
        for (const Subcommand &sub : program.commands) message += " " + sub.app->get_name();
        return usage_error(program, message + ")");
      }
    }
    return usage_error(program, e.what());
  }
  const Subcommand *sub = program.chosen();
  if (sub == nullptr) return usage_error(program, "missing command");
  const Format format = program.common.output.format();
  try {
    const Context context(program.common.dir, format);
    return sub->command->run(context);
  } catch (const Failure &failure) {
    return report_failure(program, format, failure);
  }
}

}  // namespace
}  // namespace npshm_cli

int main(int argc, char **argv) {
  using namespace npshm_cli;
  try {
    Program program;
    const int code = run(program, argc, argv);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      std::fprintf(stderr, "npshm: cannot write the output: %s\n", std::strerror(errno));
      return kExitFailed;
    }
    // Arrays the command left open on purpose (create of an 'owner' or
    // 'last' array, a 'last' array it only read) are handed over as if this
    // process had died: a normal exit would run libnpshm's exit hook, which
    // applies their lifetime as a close would.  Everything is flushed.
    std::cout.flush();
    std::_Exit(code);
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "npshm: out of memory\n");
    return kExitFailed;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "npshm: internal error: %s\n", printable(e.what()).c_str());
    return kExitFailed;
  }
}
