// npshm rm NAME...: remove arrays by name; never a file that is not one.
#include <cstdio>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

class RmCommand : public Command {
 public:
  explicit RmCommand(CLI::App *app) {
    app->add_option("NAME", names_, "the arrays to remove: NAME or shm://NAME")->required();
    app->add_flag("-f,--force", force_, "a name that does not exist is not an error");
    app->add_flag("-q,--quiet", quiet_, "do not print 'removed NAME' for each removed array");
  }

  int run(const Context &context) override {
    const OptionsHandle options = context.make_options();
    Json removed = Json::array(), missing = Json::array(), failed = Json::array();
    int result = kExitOk;
    for (const std::string &name : names_) {
      if (npshm_remove(name.c_str(), options.get()) == NPSHM_OK) {
        removed.push_back(name);
        if (context.text() && !quiet_) std::printf("removed %s\n", printable(name).c_str());
        continue;
      }
      const Failure failure = library_failure();
      if (force_ && npshm_last_error() == NPSHM_E_NOT_FOUND) {
        missing.push_back(name);
        continue;
      }
      failed.push_back({{"name", name}, {"error", failure.slug()}, {"message", failure.what()}});
      std::fflush(stdout);
      std::fprintf(stderr, "npshm: %s\n", printable(failure.what()).c_str());
      // One kind of failure keeps its own status; a mix is plain failure.
      result = result == kExitOk || result == failure.exit_code() ? failure.exit_code()
                                                                  : kExitFailed;
    }
    if (!context.text())
      write_json({{"removed", removed}, {"missing", missing}, {"failed", failed}},
                 context.format());
    return result;
  }

 private:
  std::vector<std::string> names_;
  bool force_ = false;
  bool quiet_ = false;
};

}  // namespace

Subcommand add_rm_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "rm", "remove arrays by name",
      "Removes every named array.  Processes that map an array keep their mapping;\n"
      "the name and, once unmapped, the memory go.  A file that is not a valid array\n"
      "is refused, never deleted.  Every name is tried; each failure is reported on\n"
      "stderr.  Exit 0 if all were removed (with --force, missing names count as\n"
      "removed); if some failed, the status of the failures when they are all of one\n"
      "kind (" + exit_text(NPSHM_E_NOT_FOUND) + " not found, " + exit_text(NPSHM_E_INVALID) +
          " invalid name, " + exit_text(NPSHM_E_FORMAT) + " not an array), else " +
          std::to_string(kExitFailed) + ".");
  return {app, std::make_unique<RmCommand>(app)};
}

}  // namespace npshm_cli
