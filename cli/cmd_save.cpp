// npshm save NAME FILE.npy: a shared array to a plain .npy file on disk.
#include <chrono>
#include <cstdio>

#include "array_entry.hpp"
#include "commands.hpp"
#include "copy_progress.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "human_units.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

class SaveCommand : public Command {
 public:
  explicit SaveCommand(CLI::App *app) {
    app->add_option("NAME", name_, "the array: NAME, shm://NAME or file:///path.npy")
        ->required();
    app->add_option("FILE", file_, "the .npy file to write (replaced if it exists, as cp and numpy.save do)")
        ->required();
    app->add_flag("-n,--no-clobber", no_clobber_,
                  "do not replace an existing FILE: fail (exit " + exit_text(NPSHM_E_EXISTS) +
                      ") if anything is at FILE, also when it appears while the save runs "
                      "(nothing is left behind)");
    app->add_flag("--allow-other-owner", allow_other_owner_,
                  "read an array owned by another user who is not root (refused by default: "
                  "its owner can truncate it under the reader)");
  }

  int run(const Context &context) override {
    const std::string what = "save " + name_ + " to " + file_;
    if (file_ == "-")
      throw UsageError(what + ": writing to standard output is not supported (the file is "
                              "written beside its final name and renamed when complete); "
                              "give a file path");
    const OptionsHandle options = context.make_options();
    npshm_options_set_readonly(options.get(), 1);
    npshm_options_set_no_clobber(options.get(), no_clobber_ ? 1 : 0);
    if (npshm_options_set_allow_other_owner(options.get(), allow_other_owner_ ? 1 : 0) != NPSHM_OK)
      throw library_failure();
    const ReaderHandle array(npshm_attach(name_.c_str(), options.get()));
    if (!array) throw library_failure();
    const std::uint64_t nbytes = npshm_nbytes(array.get());

    CopyProgress progress("saving " + printable(name_));
    progress.attach_to(options.get());
    const auto start = std::chrono::steady_clock::now();
    // The library writes an unnamed file beside FILE and names it FILE when
    // complete (replacing only a regular file; with -n never anything).
    const int saved = npshm_save(array.get(), file_.c_str(), options.get());
    progress.finish();
    if (saved != NPSHM_OK) throw copy_failure();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = seconds > 0 ? static_cast<double>(nbytes) / seconds : 0;
    if (context.text()) {
      std::printf("saved %s to %s: %s in %.2f s (%s)\n",
                  printable(npshm_name(array.get())).c_str(), printable(file_).c_str(),
                  human_bytes(nbytes).c_str(), seconds, human_rate(rate).c_str());
    } else {
      write_json({{"array", handle_json(array.get())},
                  {"file", file_},
                  {"bytes", nbytes},
                  {"seconds", seconds},
                  {"bytes_per_second", rate}},
                 context.format());
    }
    return kExitOk;
  }

 private:
  std::string name_;
  std::string file_;
  bool allow_other_owner_ = false;
  bool no_clobber_ = false;
};

}  // namespace

Subcommand add_save_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "save", "write an array to a plain .npy file",
      "Writes the array NAME to FILE as a plain .npy file (the header that numpy.save\n"
      "writes, then the data; no npshm trailer), readable by numpy.load.  The data\n"
      "goes to a temporary file in the same directory, renamed onto FILE (replacing\n"
      "a regular file, as cp and numpy.save do; -n keeps an existing FILE) only when\n"
      "complete: FILE is never partial.  Anything else at\n"
      "FILE (a symbolic link, FIFO, device, directory) is refused.  The path is used\n"
      "as given (no '.npy' is appended); links among its directories are followed\n"
      "as cp would, except a symbolic link in a sticky directory others can write to\n"
      "(as /tmp) that belongs neither to you nor to the directory's owner: refused\n"
      "(exit " + exit_text(NPSHM_E_PERMISSION) +
          ").  A new file gets read and write for you, read for group and others\n"
      "where the array gives them read, write for them only where you own the array\n"
      "and gave them write, less your umask; a regular file of yours at FILE keeps\n"
      "its mode.  '-' (standard output) is refused.  A\n"
      "progress bar with the rate and the time left is drawn on stderr when stderr is\n"
      "a terminal and the array is at least 64 MiB.  Exit " + exit_text(NPSHM_E_NOT_FOUND) +
          " if NAME (or FILE's\ndirectory) does not exist, " + std::to_string(kExitInterrupted) +
          " if interrupted.");
  return {app, std::make_unique<SaveCommand>(app)};
}

}  // namespace npshm_cli
