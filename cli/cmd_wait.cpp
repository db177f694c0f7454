// npshm wait NAME --created | --changed [--since V] | --released
// [--timeout S]: block until an array appears, gets a new version, or is
// held by no other process.  Uses no CPU while waiting.
#include <cmath>
#include <cstdio>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

class WaitCommand : public Command {
 public:
  explicit WaitCommand(CLI::App *app) {
    app->add_option("NAME", name_, "the array: NAME or shm://NAME")->required();
    auto *created = app->add_flag("--created", created_, "until NAME exists as an array");
    auto *changed = app->add_flag("--changed", changed_,
                                  "until its version changes (npshm notify); prints the new version");
    auto *released =
        app->add_flag("--released", released_, "until no process holds it (closed, exited or killed)");
    created->excludes(changed)->excludes(released);
    changed->excludes(released);
    app->add_option("--since", since_,
                    "with --changed: the version already seen (default: the version when the wait starts)")
        ->needs(changed);
    app->add_option("--timeout", timeout_, "give up after S seconds (exit status of a timeout)")
        ->check(CLI::NonNegativeNumber);
  }

  int run(const Context &context) override {
    if (created_ + changed_ + released_ != 1)
      throw UsageError("say what to wait for: --created, --changed or --released");
    const OptionsHandle options = context.make_options();
    const double timeout = timeout_ < 0 ? -1.0 : timeout_;
    Json out = {{"name", name_}};
    if (created_) {
      if (npshm_wait_created(name_.c_str(), options.get(), timeout) != NPSHM_OK) throw library_failure();
      out["event"] = "created";
    } else if (released_) {
      if (npshm_wait_released(name_.c_str(), options.get(), timeout) != NPSHM_OK) throw library_failure();
      out["event"] = "released";
    } else {
      npshm_options_set_readonly(options.get(), 1);
      ReaderHandle a(npshm_attach(name_.c_str(), options.get()));
      if (!a) throw library_failure();
      std::uint64_t seen = 0;
      if (since_ >= 0) {
        seen = static_cast<std::uint64_t>(since_);
      } else if (npshm_array_version(a.get(), &seen) != NPSHM_OK) {
        throw library_failure();
      }
      std::uint64_t version = 0;
      if (npshm_wait_changed(a.get(), seen, timeout, &version) != NPSHM_OK) throw library_failure();
      out["event"] = "changed";
      out["version"] = version;
      if (context.text()) std::printf("%llu\n", static_cast<unsigned long long>(version));
    }
    if (!context.text()) write_json(out, context.format());
    return kExitOk;
  }

 private:
  std::string name_;
  bool created_ = false, changed_ = false, released_ = false;
  long long since_ = -1;
  double timeout_ = -1;
};

}  // namespace

Subcommand add_wait_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "wait", "wait until an array is created, changed or released",
      "Blocks, using no CPU, until NAME exists as an array (--created), its version\n"
      "differs from --since V or from the version when the wait started (--changed,\n"
      "which prints the new version; see npshm notify), or no process but this one\n"
      "holds it (--released: holders that closed it, exited or were killed are\n"
      "gone).  Waiters may skip versions: several quick notifies can end one wait.\n"
      "Exit 0 when it happened; with --timeout S, the timeout status (see Exit\n"
      "status) when S seconds passed first.");
  return {app, std::make_unique<WaitCommand>(app)};
}

}  // namespace npshm_cli
