// npshm rm NAME...: remove arrays by name; never a file that is not one.
#include <cstdio>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"

namespace npshm_cli {

namespace {

int run_rm(const Arguments &args, const Context &context) {
  if (args.positionals().empty()) throw UsageError("rm needs at least one array NAME");
  const OptionsHandle options = context.make_options();
  const bool quiet = args.flag("quiet");
  int result = kExitOk;
  for (const std::string &name : args.positionals()) {
    if (npshm_remove(name.c_str(), options.get()) == NPSHM_OK) {
      if (!quiet) std::printf("removed %s\n", name.c_str());
      continue;
    }
    const Failure failure = library_failure();
    std::fflush(stdout);
    std::fprintf(stderr, "npshm: %s\n", failure.what());
    // One kind of failure keeps its own code; a mix is plain failure.
    result = result == kExitOk || result == failure.exit_code() ? failure.exit_code() : kExitFailed;
  }
  return result;
}

}  // namespace

Command rm_command() {
  return {"rm", "remove arrays by name",
          "Usage: npshm rm [--quiet] [--dir DIR] NAME...\n"
          "\n"
          "Remove every named array (NAME or shm://NAME).  Processes that map an\n"
          "array keep their mapping; the name and, once unmapped, the memory go.\n"
          "A file that is not a valid array is refused, never deleted.  Every name\n"
          "is tried; each failure is reported on stderr.\n"
          "\n"
          "Options:\n"
          "  --quiet, -q do not print 'removed NAME' for each removed array\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n"
          "\n"
          "Exit 0 if all were removed; if some failed, the code of the failures when\n"
          "they are all of one kind (3 not found, 2 invalid name), else 1.\n",
          {{"quiet", false}},
          run_rm};
}

}  // namespace npshm_cli
