#include "commands.hpp"

namespace npshm_cli {

void add_dir_option(CLI::App *app, std::string &dir) {
  app->add_option("--dir", dir, "the shm directory (default: $NPSHM_DIR, else /dev/shm)")
      ->type_name("DIR")
      ->check(CLI::Validator(
          [](std::string &value) {
            return value.empty() ? std::string("an empty directory name is refused (leave "
                                               "--dir out for the default)")
                                 : std::string();
          },
          "", "NonEmpty"));
}

CLI::App *add_subcommand(CLI::App &program, CommonOptions &common, const std::string &name,
                         const std::string &summary, const std::string &details) {
  CLI::App *app = program.add_subcommand(name, summary);
  app->group("Commands");
  if (!details.empty()) app->footer(details);
  add_dir_option(app, common.dir);
  add_output_options(app, common.output);
  return app;
}

std::vector<Subcommand> add_all_commands(CLI::App &program, CommonOptions &common) {
  std::vector<Subcommand> all;
  all.push_back(add_ls_command(program, common));
  all.push_back(add_info_command(program, common));
  all.push_back(add_create_command(program, common));
  all.push_back(add_rm_command(program, common));
  all.push_back(add_gc_command(program, common));
  all.push_back(add_load_command(program, common));
  all.push_back(add_save_command(program, common));
  all.push_back(add_wait_command(program, common));
  all.push_back(add_notify_command(program, common));
  return all;
}

}  // namespace npshm_cli
