// npshm load FILE.npy [NAME]: a .npy file from disk into a new shared array.
#include <chrono>
#include <cstdio>

#include "array_entry.hpp"
#include "commands.hpp"
#include "copy_progress.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "file_paths.hpp"
#include "human_units.hpp"
#include "option_checks.hpp"
#include "shape_text.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

class LoadCommand : public Command {
 public:
  explicit LoadCommand(CLI::App *app) {
    app->add_option("FILE", file_, "the .npy file to read")->required();
    app->add_option("NAME", name_, "the new array (default: FILE's name without its extension)");
    add_mode_option(app, mode_, mode_given_, "the new array");
  }

  int run(const Context &context) override {
    if (file_ == "-")
      throw UsageError("load: reading standard input is not supported (the data is copied "
                       "by the kernel from a regular file); give a file path");
    const std::string name = name_.empty() ? file_stem(file_) : name_;
    const OptionsHandle options = context.make_options();
    if (mode_given_ && npshm_options_set_mode(options.get(), mode_) != NPSHM_OK)
      throw library_failure();
    CopyProgress progress("loading " + printable(name));
    progress.attach_to(options.get());

    // The library reads the header, copies the data in the kernel into a new
    // unnamed segment and gives it the name only once it is complete.
    const auto start = std::chrono::steady_clock::now();
    ArrayHandle array(npshm_load(file_.c_str(), name.c_str(), options.get()));
    progress.finish();
    if (!array) throw copy_failure();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::uint64_t nbytes = npshm_nbytes(array.get());
    const double rate = seconds > 0 ? static_cast<double>(nbytes) / seconds : 0;
    if (context.text()) {
      std::printf("loaded %s into %s: %s %s %s, %s in %.2f s (%s)\n", printable(file_).c_str(),
                  printable(npshm_name(array.get())).c_str(),
                  printable(npshm_dtype(array.get())).c_str(),
                  shape_tuple(npshm_ndim(array.get()), npshm_shape(array.get())).c_str(),
                  order_text(npshm_order(array.get())).c_str(), human_bytes(nbytes).c_str(),
                  seconds, human_rate(rate).c_str());
    } else {
      write_json({{"file", file_},
                  {"array", handle_json(array.get())},
                  {"bytes", nbytes},
                  {"seconds", seconds},
                  {"bytes_per_second", rate}},
                 context.format());
    }
    // A loaded array is persistent: closing the handle keeps it.
    if (npshm_close(array.release()) != NPSHM_OK) throw library_failure();
    return kExitOk;
  }

 private:
  std::string file_;
  std::string name_;
  unsigned int mode_ = 0600;
  bool mode_given_ = false;
};

}  // namespace

Subcommand add_load_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "load", "copy a .npy file into a new shared array",
      "Creates the persistent array NAME with the dtype, shape and order of FILE and\n"
      "its data, copied by the kernel straight into the new array.  Any .npy that\n"
      "numpy.save writes with a shareable dtype works, including Fortran order,\n"
      "structured and big-endian dtypes.  NAME appears only once the copy is\n"
      "complete; on any failure, or on Ctrl-C, nothing is left.  '-' (standard input)\n"
      "is refused.  A progress bar with the rate and the time left is drawn on stderr\n"
      "when stderr is a terminal and the array is at least 64 MiB.  Exit " +
          exit_text(NPSHM_E_NOT_FOUND) + " if FILE\ndoes not exist, " + exit_text(NPSHM_E_EXISTS) +
          " if NAME exists, " + std::to_string(kExitInterrupted) + " if interrupted.");
  return {app, std::make_unique<LoadCommand>(app)};
}

}  // namespace npshm_cli
