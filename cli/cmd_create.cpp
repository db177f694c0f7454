// npshm create NAME --shape S --dtype D: a new array, zero-filled or filled
// with one value.
#include <cstdio>
#include <optional>

#include "commands.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "fill_value.hpp"
#include "human_units.hpp"
#include "option_checks.hpp"
#include "dtype_names.hpp"
#include "array_entry.hpp"
#include "text_escape.hpp"
#include "shape_text.hpp"

namespace npshm_cli {

namespace {

class CreateCommand : public Command {
 public:
  explicit CreateCommand(CLI::App *app) {
    app->add_option("NAME", name_, "the new array: NAME or shm://NAME")->required();
    app->add_option("--shape", shape_,
                    "extents: 1000x1000 or 1000,1000 (also (3, 4), 5, and '' or () for a 0-d "
                    "array)")
        ->required()
        ->type_name("SHAPE");
    set_completion_words(
        app->add_option("--dtype", dtype_,
                        "a NumPy name (float64, int32, uint8, bool, complex128, "
                        "datetime64[ns], ...), an NPY type string (<f8, |u1, >i4, <U10, S3, "
                        "V16, <M8[ns]) or a structured descr such as "
                        "\"[('x', '<f4'), ('id', '<i8', (3,))]\"")
            ->required()
            ->type_name("DTYPE"),
        dtype_names());
    add_choice_option(app, "--order", order_, order_names(),
                      "C: row-major; F: column-major");
    add_choice_option(app, "--lifetime", lifetime_, lifetime_names(),
                      "persistent: kept until removed; owner, last: the array outlives this "
                      "command only until 'npshm gc' (no live holder) or, for last, the close "
                      "of the last process that attached it");
    add_mode_option(app, mode_, mode_given_, "the new file");
    app->add_option("--fill", fill_,
                    "fill every element with VALUE instead of zeros, parsed by the dtype: "
                    "bool (true/false/1/0), integers (range-checked), floats (nan, inf; "
                    "overflow refused), complex (1+2j), datetime (NaT or an integer count); "
                    "not for string, void or structured dtypes")
        ->type_name("VALUE");
  }

  int run(const Context &context) override {
    const std::vector<std::int64_t> shape = parse_shape(shape_);
    const std::string dtype = dtype_descr(dtype_, "create " + name_);
    const int order = npshm_order_from_name(order_.c_str());
    const int lifetime = npshm_lifetime_from_name(lifetime_.c_str());

    const OptionsHandle options = context.make_options();
    if (npshm_options_set_lifetime(options.get(), lifetime) != NPSHM_OK) throw library_failure();
    if (mode_given_ && npshm_options_set_mode(options.get(), mode_) != NPSHM_OK)
      throw library_failure();
    if (fill_) {
      const std::vector<unsigned char> item = encode_fill_value(dtype, *fill_);
      if (npshm_options_set_fill(options.get(), item.data(), item.size()) != NPSHM_OK)
        throw library_failure();
    }

    ArrayHandle array(npshm_create(name_.c_str(), dtype.c_str(), static_cast<int>(shape.size()),
                                   shape.data(), order, options.get()));
    if (!array) throw library_failure();
    if (context.text()) {
      std::printf("created %s: %s %s %s, %s, %s\n", printable(npshm_name(array.get())).c_str(),
                  printable(npshm_dtype(array.get())).c_str(),
                  shape_tuple(npshm_ndim(array.get()), npshm_shape(array.get())).c_str(),
                  order_text(npshm_order(array.get())).c_str(),
                  human_bytes(npshm_nbytes(array.get())).c_str(), lifetime_text(lifetime).c_str());
    } else {
      Json result = handle_json(array.get());
      result["mode"] = mode_text(mode_given_ ? mode_ : 0600);
      write_json(result, context.format());
    }
    if (lifetime != NPSHM_LIFETIME_PERSISTENT) {
      // Closing would apply the policy now (the creator's close removes an
      // "owner" array; the last close removes a "last" one).  Exiting without
      // closing hands the array over as if its creator had died.
      std::fflush(stdout);
      std::fprintf(stderr,
                   "npshm: note: %s has lifetime '%s' and its creator (this command) exits now: "
                   "%s\n",
                   printable(npshm_name(array.get())).c_str(), lifetime_text(lifetime).c_str(),
                   lifetime == NPSHM_LIFETIME_OWNER
                       ? "'npshm gc' removes it whenever no process holds it"
                       : "the last process to attach and close it removes it, or 'npshm gc' "
                         "when no process holds it");
      array.release();  // the kernel unmaps and unlocks at exit
    } else if (npshm_close(array.release()) != NPSHM_OK) {
      throw library_failure();
    }
    return kExitOk;
  }

 private:
  std::string name_;
  std::string shape_;
  std::string dtype_;
  std::string order_ = "C";
  std::string lifetime_ = "persistent";
  unsigned int mode_ = 0600;
  bool mode_given_ = false;
  std::optional<std::string> fill_;
};

}  // namespace

Subcommand add_create_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "create", "create an array, zero-filled or filled with --fill",
      "Creates the array NAME in the shm directory.  It appears complete and filled,\n"
      "or not at all; memory is reserved up front.  Prints one line describing the\n"
      "new array.  Exit " + exit_text(NPSHM_E_EXISTS) + " if the name exists.");
  return {app, std::make_unique<CreateCommand>(app)};
}

}  // namespace npshm_cli
