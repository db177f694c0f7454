// npshm gc: remove what crashed programs left behind.
#include <ctime>
#include <iostream>

#include "array_entry.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "human_units.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

int run_gc(const Arguments &args, const Context &context) {
  if (!args.positionals().empty())
    throw UsageError("gc takes no arguments (got '" + args.positionals()[0] + "')");
  const bool dry_run = args.flag("dry-run");
  const OptionsHandle options = context.make_options();
  const ListHandle removed(npshm_gc(options.get(), dry_run ? 1 : 0));
  if (!removed) throw library_failure();

  const std::time_t now = std::time(nullptr);
  std::vector<ArrayEntry> entries;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < npshm_list_size(removed.get()); ++i) {
    entries.push_back(read_entry(npshm_list_get(removed.get(), i), now));
    bytes += entries.back().file_size;
  }

  if (args.flag("json")) {
    JsonWriter json(std::cout);
    json.begin_object();
    json.key("dry_run").boolean(dry_run);
    json.key("removed").begin_array();
    for (const ArrayEntry &e : entries) {
      json.begin_object();
      write_entry_members(json, e);
      json.end_object();
    }
    json.end_array();
    json.key("bytes").number(bytes);
    json.end_object();
    json.finish();
    return kExitOk;
  }
  const char *verb = dry_run ? "would remove" : "removed";
  for (const ArrayEntry &e : entries) {
    const std::string why =
        e.valid() ? "lifetime " + lifetime_text(e.lifetime) + ", no live holder" : e.message;
    std::cout << verb << ' ' << printable(e.name) << " (" << human_bytes(e.file_size) << ", " << why
              << ")\n";
  }
  if (entries.empty())
    std::cout << "nothing to remove\n";
  else
    std::cout << verb << ' ' << entries.size() << (entries.size() == 1 ? " file, " : " files, ")
              << human_bytes(bytes) << '\n';
  return kExitOk;
}

}  // namespace

Command gc_command() {
  return {"gc", "remove dead 'owner'/'last' arrays and unfinished creates",
          "Usage: npshm gc [--dry-run] [--json] [--dir DIR]\n"
          "\n"
          "Remove, from the shm directory, every array with lifetime 'owner' or\n"
          "'last' that no live process holds (its creator or users died without\n"
          "closing it), and temporary files of creates whose creator died.  Never\n"
          "removes persistent arrays, arrays in use, or files that are not arrays.\n"
          "Prints one line per removed file and a total.\n"
          "\n"
          "Options:\n"
          "  --dry-run   remove nothing; print what would be removed\n"
          "  --json      print a JSON object: dry_run, removed (list), bytes\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n",
          {{"dry-run", false}, {"json", false}},
          run_gc};
}

}  // namespace npshm_cli
