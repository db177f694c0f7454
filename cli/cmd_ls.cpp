// npshm ls [PATTERN...]: the arrays in the shm directory (and, with --all,
// every other file there, with its kind).
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
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
#include "table.hpp"
#include "text_escape.hpp"

namespace npshm_cli {

namespace {

constexpr std::size_t kDtypeColumnMax = 32;

std::string shortened(const std::string &text, std::size_t max) {
  return text.size() <= max ? text : text.substr(0, max - 3) + "...";
}

std::string plural(std::size_t n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string without_scheme(const std::string &pattern) {
  return pattern.rfind("shm://", 0) == 0 ? pattern.substr(6) : pattern;
}

class LsCommand : public Command {
 public:
  explicit LsCommand(CLI::App *app) {
    app->add_option("PATTERN", patterns_,
                    "only names matching one of these shell patterns (*, ?, [...]); "
                    "quote them so the shell does not expand them");
    app->add_flag("-a,--all", all_, "also list files that are not arrays, with their kind");
    app->add_flag("--no-header", no_header_, "omit the header line and the totals line");
    app->add_flag("-1,--names", names_only_,
                  "print only the names, one per line (escaped as in the table)");
    app->add_flag("-0,--null", null_,
                  "print only the names, each ended by a NUL byte, exactly as they are "
                  "(for scripts and the bash completion; escaped as in the table when "
                  "the output is a terminal)")
        ->excludes("--names");
  }

  int run(const Context &context) override {
    const OptionsHandle options = context.make_options();
    const ListHandle list(npshm_list_arrays(options.get()));
    if (!list) throw library_failure();
    const std::string directory = context.shm_directory();

    const std::time_t now = std::time(nullptr);
    std::vector<ArrayEntry> entries;
    for (std::size_t i = 0; i < npshm_list_size(list.get()); ++i)
      entries.push_back(read_entry(npshm_list_get(list.get(), i), now));
    for (const OtherFile &file : other_files(directory))
      entries.push_back(read_other_entry(file, directory, now));
    std::sort(entries.begin(), entries.end(),
              [](const ArrayEntry &a, const ArrayEntry &b) { return a.name < b.name; });

    std::vector<bool> matched(patterns_.size(), false);
    std::vector<ArrayEntry> shown;
    std::size_t arrays = 0, others = 0;
    std::uint64_t array_bytes = 0;
    for (const ArrayEntry &e : entries) {
      if (!selected(e.name, matched)) continue;
      if (e.valid()) {
        ++arrays;
        array_bytes += e.file_size;
      } else {
        ++others;
      }
      if (e.valid() || all_) shown.push_back(e);
    }
    const auto space = directory_space(directory);

    if (!context.text()) {
      print_json(context.format(), directory, shown, arrays, array_bytes, others, space);
    } else if (null_) {
      // Raw bytes only into a pipe or file: a terminal never sees them.
      const bool terminal = ::isatty(STDOUT_FILENO) == 1;
      for (const ArrayEntry &e : shown) {
        std::cout << (terminal ? printable(e.name) : e.name);
        std::cout.put('\0');
      }
    } else if (names_only_) {
      for (const ArrayEntry &e : shown) std::cout << printable(e.name) << '\n';
    } else {
      print_table(shown);
      if (!no_header_)
        print_totals(directory, arrays, array_bytes, others, space);
    }
    return report_unmatched(matched);
  }

 private:
  bool selected(const std::string &name, std::vector<bool> &matched) const {
    if (patterns_.empty()) return true;
    bool any = false;
    for (std::size_t i = 0; i < patterns_.size(); ++i) {
      if (::fnmatch(without_scheme(patterns_[i]).c_str(), name.c_str(), 0) == 0) {
        matched[i] = true;
        any = true;
      }
    }
    return any;
  }

  int report_unmatched(const std::vector<bool> &matched) const {
    int status = kExitOk;
    for (std::size_t i = 0; i < patterns_.size(); ++i) {
      if (matched[i]) continue;
      std::fflush(stdout);
      std::cerr << "npshm: ls: nothing matches '" << printable(patterns_[i]) << "'\n";
      status = exit_code_for_error(NPSHM_E_NOT_FOUND);
    }
    return status;
  }

  void print_json(Format format, const std::string &directory,
                  const std::vector<ArrayEntry> &shown, std::size_t arrays,
                  std::uint64_t array_bytes, std::size_t others,
                  const std::optional<SpaceInfo> &space) const {
    if (format == Format::JsonLines) {
      for (const ArrayEntry &e : shown) write_json(entry_json(e), format);
      return;
    }
    Json result = {{"directory", directory}, {"arrays", Json::array()},
                   {"others", Json::array()}};
    for (const ArrayEntry &e : shown)
      result[e.valid() ? "arrays" : "others"].push_back(entry_json(e));
    result["totals"] = {{"arrays", arrays},
                        {"array_bytes", array_bytes},
                        {"others", others},
                        {"free_bytes", space ? Json(space->free_bytes) : Json(nullptr)},
                        {"size_bytes", space ? Json(space->total_bytes) : Json(nullptr)}};
    write_json(result, format);
  }

  void print_table(const std::vector<ArrayEntry> &shown) const {
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
    for (const ArrayEntry &e : shown) {
      if (!e.valid()) {
        table.add_row({e.name, e.kind == "invalid" ? "invalid: " + e.message : e.kind});
        continue;
      }
      table.add_row({e.name, shortened(e.dtype, kDtypeColumnMax),
                     shape_compact(static_cast<int>(e.shape.size()), e.shape.data()),
                     order_text(e.order), human_bytes(e.file_size), lifetime_text(e.lifetime),
                     e.holders < 0 ? "?" : std::to_string(e.holders), e.owner,
                     human_age(e.age_seconds)});
    }
    table.render(std::cout, !no_header_);
  }

  void print_totals(const std::string &directory, std::size_t arrays, std::uint64_t array_bytes,
                    std::size_t others, const std::optional<SpaceInfo> &space) const {
    std::string totals = plural(arrays, "array") + ", " + human_bytes(array_bytes);
    if (others != 0)
      totals += "; " + plural(others, "other file") + (all_ ? "" : " not shown (--all)");
    totals += "; " + printable(directory) + ": ";
    totals += space ? human_bytes(space->free_bytes) + " free of " +
                          human_bytes(space->total_bytes)
                    : std::string("free space unknown");
    std::cout << totals << '\n';
  }

  std::vector<std::string> patterns_;
  bool all_ = false;
  bool no_header_ = false;
  bool names_only_ = false;
  bool null_ = false;
};

}  // namespace

Subcommand add_ls_command(CLI::App &program, CommonOptions &common) {
  CLI::App *app = add_subcommand(
      program, common, "ls", "list the arrays in the shm directory",
      "Lists the arrays (valid .npy files) of the shm directory, sorted by name, one row\n"
      "each: NAME, DTYPE, SHAPE (as 1000x1000), ORDER, SIZE (memory the file takes),\n"
      "LIFETIME, HOLDERS (live handles), OWNER and AGE (since last modification).\n"
      "Other files (other programs' segments, semaphores, directories) are counted in\n"
      "the totals line and listed only with --all, with their kind: invalid (a\n"
      "regular file that is not an array, and why), directory, symlink, fifo, socket\n"
      "or device.  The last line gives the totals and the free space of the directory.\n"
      "Names are shown with control, C1 and bidi characters and invalid UTF-8 escaped\n"
      "(\\x1b, \\u202e, \\xff).  Exit " + exit_text(NPSHM_E_NOT_FOUND) +
          " if a PATTERN matches nothing.");
  auto command = std::make_unique<LsCommand>(app);
  return {app, std::move(command)};
}

}  // namespace npshm_cli
