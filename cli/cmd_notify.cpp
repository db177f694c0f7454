// npshm notify NAME: add one to an array's version and wake every waiter.
#include <cstdio>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"

namespace npshm_cli {

namespace {

class NotifyCommand : public Command {
 public:
  explicit NotifyCommand(CLI::App *app) {
    app->add_option("NAME", name_, "the array: NAME or shm://NAME")->required();
  }

  int run(const Context &context) override {
    const OptionsHandle options = context.make_options();
    ReaderHandle a(npshm_attach(name_.c_str(), options.get()));
    if (!a) throw library_failure();
    std::uint64_t version = 0;
    if (npshm_notify(a.get(), &version) != NPSHM_OK) throw library_failure();
    if (context.text())
      std::printf("%llu\n", static_cast<unsigned long long>(version));
    else
      write_json({{"name", name_}, {"version", version}}, context.format());
    return kExitOk;
  }

 private:
  std::string name_;
};

}  // namespace

Subcommand add_notify_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "notify", "tell waiters an array changed (version + 1)",
      "Adds one to NAME's version and wakes every process waiting for a change\n"
      "(npshm wait, npshm_wait_changed, npshm.wait_changed ...); prints the\n"
      "new version.  Needs write access to the array.");
  return {app, std::make_unique<NotifyCommand>(app)};
}

}  // namespace npshm_cli
