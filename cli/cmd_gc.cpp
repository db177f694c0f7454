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

class GcCommand : public Command {
 public:
  explicit GcCommand(CLI::App *app) {
    app->add_flag("-n,--dry-run", dry_run_, "remove nothing; print what would be removed");
  }

  int run(const Context &context) override {
    const OptionsHandle options = context.make_options();
    const ListHandle removed(npshm_gc(options.get(), dry_run_ ? 1 : 0));
    if (!removed) throw library_failure();

    const std::time_t now = std::time(nullptr);
    std::vector<ArrayEntry> entries;
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < npshm_list_size(removed.get()); ++i) {
      entries.push_back(read_entry(npshm_list_get(removed.get(), i), now));
      bytes += entries.back().file_size;
    }

    if (context.format() == Format::JsonLines) {
      for (const ArrayEntry &e : entries) write_json(entry_json(e), context.format());
    } else if (context.format() == Format::Json) {
      Json list = Json::array();
      for (const ArrayEntry &e : entries) list.push_back(entry_json(e));
      write_json({{"dry_run", dry_run_}, {"removed", list}, {"bytes", bytes}}, context.format());
    } else {
      print_text(entries, bytes);
    }
    return kExitOk;
  }

 private:
  void print_text(const std::vector<ArrayEntry> &entries, std::uint64_t bytes) const {
    const char *verb = dry_run_ ? "would remove" : "removed";
    for (const ArrayEntry &e : entries) {
      const std::string why =
          e.valid() ? "lifetime " + lifetime_text(e.lifetime) + ", no live holder" : e.message;
      std::cout << verb << ' ' << printable(e.name) << " (" << human_bytes(e.file_size) << ", "
                << printable(why) << ")\n";
    }
    if (entries.empty())
      std::cout << "nothing to remove\n";
    else
      std::cout << verb << ' ' << entries.size() << (entries.size() == 1 ? " file, " : " files, ")
                << human_bytes(bytes) << '\n';
  }

  bool dry_run_ = false;
};

}  // namespace

Subcommand add_gc_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "gc", "remove dead 'owner'/'last' arrays and unfinished creates",
      "Removes, from the shm directory, every array with lifetime 'owner' or 'last'\n"
      "that no live process holds (its creator or users died without closing it), and\n"
      "temporary files of creates whose creator died.  Never removes persistent\n"
      "arrays, arrays in use, or files that are not arrays.  Prints one line per\n"
      "removed file and a total.");
  return {app, std::make_unique<GcCommand>(app)};
}

}  // namespace npshm_cli
