#include "commands.hpp"

namespace npshm_cli {

std::vector<Command> all_commands() {
  return {ls_command(),     info_command(), create_command(), rm_command(),
          gc_command(),     load_command(), save_command()};
}

}  // namespace npshm_cli
