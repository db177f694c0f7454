// npshm create NAME --shape S --dtype D: a new array, zero-filled or filled
// with one value.
#include <cstdio>

#include "commands.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "fill_value.hpp"
#include "human_units.hpp"
#include "option_values.hpp"
#include "shape_text.hpp"

namespace npshm_cli {

namespace {

std::string required(const Arguments &args, const std::string &name, const char *example) {
  if (auto value = args.value(name)) return *value;
  throw UsageError("create needs --" + name + " (for example --" + name + " " + example + ")");
}

int run_create(const Arguments &args, const Context &context) {
  if (args.positionals().size() != 1)
    throw UsageError(args.positionals().empty() ? "create needs an array NAME"
                                                : "create takes one NAME");
  const std::string &name = args.positionals()[0];
  const std::vector<std::int64_t> shape = parse_shape(required(args, "shape", "1000,1000"));
  const std::string dtype = required(args, "dtype", "f8");
  const int order = parse_order(args.value("order").value_or("C"));
  const int lifetime = parse_lifetime(args.value("lifetime").value_or("persistent"));

  const OptionsHandle options = context.make_options();
  if (npshm_options_set_lifetime(options.get(), lifetime) != NPSHM_OK) throw library_failure();
  if (auto mode = args.value("mode"))
    if (npshm_options_set_mode(options.get(), parse_mode(*mode)) != NPSHM_OK)
      throw library_failure();
  if (auto fill = args.value("fill")) {
    const std::vector<unsigned char> item = encode_fill_value(dtype, *fill);
    if (npshm_options_set_fill(options.get(), item.data(), item.size()) != NPSHM_OK)
      throw library_failure();
  }

  ArrayHandle array(npshm_create(name.c_str(), dtype.c_str(), static_cast<int>(shape.size()),
                                 shape.data(), order, options.get()));
  if (!array) throw library_failure();
  std::printf("created %s: %s %s %s, %s, %s\n", npshm_name(array.get()), npshm_dtype(array.get()),
              shape_tuple(npshm_ndim(array.get()), npshm_shape(array.get())).c_str(),
              order_text(npshm_order(array.get())).c_str(),
              human_bytes(npshm_nbytes(array.get())).c_str(), lifetime_text(lifetime).c_str());
  if (lifetime != NPSHM_LIFETIME_PERSISTENT) {
    // Closing would apply the policy now (the creator's close removes an
    // "owner" array; the last close removes a "last" one).  Exiting without
    // closing hands the array over as if its creator had died.
    std::fflush(stdout);
    std::fprintf(stderr,
                 "npshm: note: %s has lifetime '%s' and its creator (this command) exits now: "
                 "%s\n",
                 npshm_name(array.get()), lifetime_text(lifetime).c_str(),
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

}  // namespace

Command create_command() {
  return {"create", "create an array, zero-filled or filled with --fill",
          "Usage: npshm create NAME --shape S --dtype D [--order C|F]\n"
          "                   [--lifetime persistent|owner|last] [--mode 0600]\n"
          "                   [--fill VALUE] [--dir DIR]\n"
          "\n"
          "Create the array NAME in the shm directory.  It appears complete and\n"
          "filled, or not at all; memory is reserved up front.\n"
          "\n"
          "Options:\n"
          "  --shape S        extents separated by commas: 1000,1000 (also (3, 4), 5,\n"
          "                   and '' or () for a 0-d array)\n"
          "  --dtype D        an NPY type string (f8, <i4, >u2, b1, c16, U10, S3, V16,\n"
          "                   M8[ns]) or a structured descr such as\n"
          "                   \"[('x', '<f4'), ('id', '<i8', (3,))]\"\n"
          "  --order C|F      row-major (default) or column-major\n"
          "  --lifetime L     persistent (default): kept until removed;\n"
          "                   owner / last: the array outlives this command only until\n"
          "                   'npshm gc' (no live holder) or, for last, the close of the\n"
          "                   last process that attached it\n"
          "  --mode M         octal permission bits of the file (default 0600)\n"
          "  --fill VALUE     fill every element with VALUE instead of zeros, parsed by\n"
          "                   the dtype: bool (true/false/1/0), integers (range-checked),\n"
          "                   floats (nan, inf; overflow refused), complex (1+2j),\n"
          "                   datetime (NaT or an integer count); not for S, U, V or\n"
          "                   structured dtypes\n"
          "  --dir DIR        the shm directory (default: $NPSHM_DIR, else /dev/shm)\n"
          "\n"
          "Prints one line describing the new array.  Exit 4 if the name exists.\n",
          {{"shape", true}, {"dtype", true}, {"order", true}, {"lifetime", true},
           {"mode", true}, {"fill", true}},
          run_create};
}

}  // namespace npshm_cli
