// npshm info NAME: everything known about one array, including which
// processes map it now.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "array_entry.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "exit_codes.hpp"
#include "failure.hpp"
#include "human_units.hpp"
#include "shape_text.hpp"
#include "system_info.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

struct ProcessUse {
  bool known = false;  // false: the system cannot tell
  std::vector<std::int64_t> pids;
  std::size_t mappings = 0;
};

ProcessUse processes_of(const npshm_info *info) {
  ProcessUse use;
  // The set can change between the two calls: ask until it fits.
  std::vector<std::int64_t> pids(16);
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::size_t mappings = 0;
    const int count = npshm_info_processes(info, pids.data(), pids.size(), &mappings);
    if (count < 0) return use;
    if (static_cast<std::size_t>(count) <= pids.size()) {
      pids.resize(static_cast<std::size_t>(count));
      use.known = true;
      use.pids = pids;
      use.mappings = mappings;
      return use;
    }
    pids.resize(static_cast<std::size_t>(count) + 16);
  }
  return use;
}

std::string local_time(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  struct tm parts;
  char text[64];
  if (::localtime_r(&t, &parts) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %z", &parts) == 0)
    return std::to_string(seconds);
  return text;
}

void print_text(const ArrayEntry &e, const ProcessUse &use) {
  auto line = [](const char *label, const std::string &value) {
    std::printf("%-10s %s\n", label, printable(value).c_str());
  };
  line("name:", e.uri);
  line("path:", e.path);
  if (e.valid()) {
    line("dtype:", e.dtype);
    line("shape:", shape_tuple(static_cast<int>(e.shape.size()), e.shape.data()));
    line("order:", order_text(e.order));
    line("itemsize:", std::to_string(e.itemsize));
    line("nbytes:", std::to_string(e.nbytes) + " (" + human_bytes(e.nbytes) + ")");
    line("lifetime:", lifetime_text(e.lifetime));
  } else {
    line("status:", "invalid (" + error_slug(e.status) + "): " + e.message);
  }
  line("file size:", std::to_string(e.file_size) + " (" + human_bytes(e.file_size) + ")");
  line("owner:", e.owner + " (uid " + std::to_string(e.uid) + ")");
  line("mode:", mode_text(e.mode));
  line("modified:", local_time(e.mtime) + " (" + human_age(e.age_seconds) + " ago)");
  line("holders:", e.holders < 0 ? "unknown" : std::to_string(e.holders));
  if (!use.known) {
    line("mappings:", "unknown");
    return;
  }
  line("mappings:", std::to_string(use.mappings) + " in " + std::to_string(use.pids.size()) +
                        (use.pids.size() == 1 ? " process" : " processes"));
  for (std::int64_t pid : use.pids)
    std::printf("  pid %-8lld %s\n", static_cast<long long>(pid), printable(process_command(pid)).c_str());
}

Json info_json(const ArrayEntry &e, const ProcessUse &use) {
  Json json = entry_json(e);
  if (use.known) {
    json["mappings"] = use.mappings;
    json["processes"] = Json::array();
    for (std::int64_t pid : use.pids)
      json["processes"].push_back({{"pid", pid}, {"command", process_command(pid)}});
  } else {
    json["mappings"] = nullptr;
    json["processes"] = nullptr;
  }
  return json;
}

class InfoCommand : public Command {
 public:
  explicit InfoCommand(CLI::App *app) {
    app->add_option("NAME", name_, "the array: NAME, shm://NAME or file:///path.npy")
        ->required();
  }

  int run(const Context &context) override {
    const OptionsHandle options = context.make_options();
    const InfoHandle info(npshm_stat(name_.c_str(), options.get()));
    if (!info) throw library_failure();
    const ArrayEntry entry = read_entry(info.get(), std::time(nullptr));
    const ProcessUse use = processes_of(info.get());
    if (context.text())
      print_text(entry, use);
    else
      write_json(info_json(entry, use), context.format());
    if (!entry.valid()) {
      std::fflush(stdout);
      std::fprintf(stderr, "npshm: %s\n",
                   printable("info " + entry.uri + ": not a valid array: " + entry.message).c_str());
      return exit_code_for_error(entry.status);
    }
    return kExitOk;
  }

 private:
  std::string name_;
};

}  // namespace

Subcommand add_info_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "info", "show one array: header, lifetime, holders, processes",
      "Shows the array NAME: its header (dtype, shape, order, item size, data size),\n"
      "lifetime policy, file size, owner, mode, modification time, the number of live\n"
      "handles (holders), and the processes that map it now with their PIDs and\n"
      "command names and the total number of mappings.  It does not attach the array,\n"
      "so it never changes its holders.  A file that is not a valid array is described\n"
      "as far as possible and the exit status says why (" +
          std::to_string(exit_code_for_error(NPSHM_E_FORMAT)) + ": " + error_slug(NPSHM_E_FORMAT) + ").");
  return {app, std::make_unique<InfoCommand>(app)};
}

}  // namespace npshm_cli
