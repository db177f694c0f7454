// npshm ls: every file of the shm directory, valid arrays and not.
#include <ctime>
#include <iostream>

#include "array_entry.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "failure.hpp"
#include "human_units.hpp"
#include "shape_text.hpp"
#include "system_info.hpp"
#include "table.hpp"

namespace npshm_cli {

namespace {

constexpr std::size_t kDtypeColumnMax = 32;

std::string shortened(const std::string &text, std::size_t max) {
  return text.size() <= max ? text : text.substr(0, max - 3) + "...";
}

std::string plural(std::size_t n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

int run_ls(const Arguments &args, const Context &context) {
  if (!args.positionals().empty())
    throw UsageError("ls takes no arguments (got '" + args.positionals()[0] + "')");
  const OptionsHandle options = context.make_options();
  const ListHandle list(npshm_list_arrays(options.get()));
  if (!list) throw library_failure();

  const std::time_t now = std::time(nullptr);
  std::vector<ArrayEntry> entries;
  for (std::size_t i = 0; i < npshm_list_size(list.get()); ++i)
    entries.push_back(read_entry(npshm_list_get(list.get(), i), now));

  std::size_t valid = 0;
  std::uint64_t valid_bytes = 0;
  std::uint64_t all_bytes = 0;
  for (const ArrayEntry &e : entries) {
    all_bytes += e.file_size;
    if (e.valid()) {
      ++valid;
      valid_bytes += e.file_size;
    }
  }
  const std::string directory = context.shm_directory();
  const auto space = directory_space(directory);

  if (args.flag("json")) {
    JsonWriter json(std::cout);
    json.begin_object();
    json.key("directory").string(directory);
    json.key("arrays").begin_array();
    for (const ArrayEntry &e : entries) {
      if (!e.valid()) continue;
      json.begin_object();
      write_entry_members(json, e);
      json.end_object();
    }
    json.end_array();
    json.key("invalid").begin_array();
    for (const ArrayEntry &e : entries) {
      if (e.valid()) continue;
      json.begin_object();
      write_entry_members(json, e);
      json.end_object();
    }
    json.end_array();
    json.key("totals").begin_object();
    json.key("arrays").number(static_cast<std::uint64_t>(valid));
    json.key("array_bytes").number(valid_bytes);
    json.key("invalid").number(static_cast<std::uint64_t>(entries.size() - valid));
    json.key("all_bytes").number(all_bytes);
    if (space) {
      json.key("free_bytes").number(space->free_bytes);
      json.key("size_bytes").number(space->total_bytes);
    } else {
      json.key("free_bytes").null();
      json.key("size_bytes").null();
    }
    json.end_object();
    json.end_object();
    json.finish();
    return 0;
  }

  using A = Table::Align;
  Table table({{"NAME", A::Left},
               {"DTYPE", A::Left},
               {"SHAPE", A::Left},
               {"ORDER", A::Left},
               {"SIZE", A::Right},
               {"LIFETIME", A::Left},
               {"HOLDERS", A::Right},
               {"OWNER", A::Left},
               {"AGE", A::Right}});
  for (const ArrayEntry &e : entries) {
    if (!e.valid()) {
      table.add_row({e.name, "invalid: " + e.message});
      continue;
    }
    table.add_row({e.name, shortened(e.dtype, kDtypeColumnMax),
                   shape_compact(static_cast<int>(e.shape.size()), e.shape.data()),
                   order_text(e.order), human_bytes(e.file_size), lifetime_text(e.lifetime),
                   e.holders < 0 ? "?" : std::to_string(e.holders), e.owner,
                   human_age(e.age_seconds)});
  }
  table.render(std::cout);
  std::string totals = plural(valid, "array") + ", " + human_bytes(valid_bytes);
  if (entries.size() != valid) totals += "; " + plural(entries.size() - valid, "invalid file");
  totals += "; " + directory + ": ";
  totals += space ? human_bytes(space->free_bytes) + " free of " + human_bytes(space->total_bytes)
                  : std::string("free space unknown");
  std::cout << totals << '\n';
  return 0;
}

}  // namespace

Command ls_command() {
  return {"ls", "list the arrays (and other files) in the shm directory",
          "Usage: npshm ls [--json] [--dir DIR]\n"
          "\n"
          "List every file in the shm directory, sorted by name: one row per array\n"
          "with NAME, DTYPE, SHAPE, ORDER, SIZE (memory the file takes), LIFETIME,\n"
          "HOLDERS (live handles), OWNER (user) and AGE (since last modification).\n"
          "A file that is not a valid array shows 'invalid: <why>'.  The last line\n"
          "gives the totals and the free space of the shm directory.\n"
          "\n"
          "Options:\n"
          "  --json      print a JSON object instead: directory, arrays, invalid, totals\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n",
          {{"json", false}},
          run_ls};
}

}  // namespace npshm_cli
