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
    line("status:", std::string("invalid (") + npshm_error_name(e.status) + "): " + e.message);
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

void print_json(const ArrayEntry &e, const ProcessUse &use) {
  JsonWriter json(std::cout);
  json.begin_object();
  write_entry_members(json, e);
  if (use.known) {
    json.key("mappings").number(static_cast<std::uint64_t>(use.mappings));
    json.key("processes").begin_array();
    for (std::int64_t pid : use.pids) {
      json.begin_object();
      json.key("pid").number(pid);
      json.key("command").string(process_command(pid));
      json.end_object();
    }
    json.end_array();
  } else {
    json.key("mappings").null();
    json.key("processes").null();
  }
  json.end_object();
  json.finish();
}

int run_info(const Arguments &args, const Context &context) {
  if (args.positionals().size() != 1)
    throw UsageError(args.positionals().empty() ? "info needs an array NAME"
                                                : "info takes one NAME");
  const OptionsHandle options = context.make_options();
  const InfoHandle info(npshm_stat(args.positionals()[0].c_str(), options.get()));
  if (!info) throw library_failure();
  const ArrayEntry entry = read_entry(info.get(), std::time(nullptr));
  const ProcessUse use = processes_of(info.get());
  if (args.flag("json"))
    print_json(entry, use);
  else
    print_text(entry, use);
  if (!entry.valid()) {
    std::fflush(stdout);
    throw Failure(exit_code_for_error(entry.status),
                  "info " + entry.uri + ": not a valid array: " + entry.message);
  }
  return kExitOk;
}

}  // namespace

Command info_command() {
  return {"info", "show one array: header, lifetime, holders, processes",
          "Usage: npshm info NAME [--json] [--dir DIR]\n"
          "\n"
          "Show the array NAME (or shm://NAME, or file:///path.npy): its header\n"
          "(dtype, shape, order, item size, data size), lifetime policy, file size,\n"
          "owner, mode, modification time, the number of live handles (holders),\n"
          "and the processes that map it now with their PIDs and command names and\n"
          "the total number of mappings.  It does not attach the array, so it never\n"
          "changes its holders.  A file that is not a valid array is described as\n"
          "far as possible and the command exits 1.\n"
          "\n"
          "Options:\n"
          "  --json      print a JSON object instead\n"
          "  --dir DIR   the shm directory (default: $NPSHM_DIR, else /dev/shm)\n",
          {{"json", false}},
          run_info};
}

}  // namespace npshm_cli
