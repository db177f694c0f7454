#include "describe.hpp"

#include <cstdio>

#include "npshm.h"

namespace npshm_cli {

std::string order_text(int order) { return order == NPSHM_ORDER_F ? "F" : "C"; }

std::string lifetime_text(int lifetime) {
  const char *name = npshm_lifetime_name(lifetime);
  return name ? name : "?";
}

std::string mode_text(unsigned int mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

}  // namespace npshm_cli
