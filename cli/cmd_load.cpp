// npshm load FILE.npy [NAME]: a .npy file from disk into a new shared array.
#include <chrono>
#include <cstdio>

#include "commands.hpp"
#include "copy_progress.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "file_paths.hpp"
#include "human_units.hpp"
#include "option_values.hpp"
#include "shape_text.hpp"

namespace npshm_cli {

namespace {

int run_load(const Arguments &args, const Context &context) {
  const auto &positionals = args.positionals();
  if (positionals.empty() || positionals.size() > 2)
    throw UsageError(positionals.empty() ? "load needs a FILE.npy" : "load takes FILE.npy [NAME]");
  const std::string &file = positionals[0];
  const std::string name = positionals.size() == 2 ? positionals[1] : file_stem(file);

  const OptionsHandle options = context.make_options();
  if (auto mode = args.value("mode"))
    if (npshm_options_set_mode(options.get(), parse_mode(*mode)) != NPSHM_OK)
      throw library_failure();
  CopyProgress progress("loading " + name);
  progress.attach_to(options.get());

  // The library reads the header, copies the data in the kernel into a new
  // unnamed segment and gives it the name only once it is complete.
  const auto start = std::chrono::steady_clock::now();
  ArrayHandle array(npshm_load(file.c_str(), name.c_str(), options.get()));
  progress.finish();
  if (!array) throw copy_failure();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t nbytes = npshm_nbytes(array.get());
  std::printf("loaded %s into %s: %s %s %s, %s in %.2f s (%s)\n", file.c_str(),
              npshm_name(array.get()), npshm_dtype(array.get()),
              shape_tuple(npshm_ndim(array.get()), npshm_shape(array.get())).c_str(),
              order_text(npshm_order(array.get())).c_str(), human_bytes(nbytes).c_str(), seconds,
              human_rate(seconds > 0 ? static_cast<double>(nbytes) / seconds : 0).c_str());
  // A loaded array is persistent: closing the handle keeps it.
  if (npshm_close(array.release()) != NPSHM_OK) throw library_failure();
  return kExitOk;
}

}  // namespace

Command load_command() {
  return {"load", "copy a .npy file into a new shared array",
          "Usage: npshm load FILE.npy [NAME] [--mode 0600] [--dir DIR]\n"
          "\n"
          "Create the persistent array NAME (default: the file name without its\n"
          "extension) with the dtype, shape and order of FILE.npy and its data,\n"
          "copied by the kernel straight into the new array.  Any .npy that\n"
          "numpy.save writes with a shareable dtype works, including Fortran\n"
          "order, structured and big-endian dtypes.  NAME appears only once the\n"
          "copy is complete; on any failure, or on Ctrl-C, nothing is left.  A\n"
          "progress bar is drawn on stderr when stderr is a terminal and the\n"
          "array is at least 64 MiB.\n"
          "\n"
          "Options:\n"
          "  --mode M    octal permission bits of the new array (default 0600)\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n"
          "\n"
          "Exit 3 if FILE does not exist, 4 if NAME exists, 130 if interrupted.\n",
          {{"mode", true}},
          run_load};
}

}  // namespace npshm_cli
