#include "describe.hpp"

#include <cstdio>

#include "npshm.h"

namespace npshm_cli {

std::string order_text(int order) {
  const char *name = npshm_order_name(order);
  return name ? name : "?";
}

std::vector<std::string> order_names() {
  std::vector<std::string> names;
  for (int order = 0; order < NPSHM_ORDER_COUNT; ++order) names.push_back(npshm_order_name(order));
  return names;
}

std::vector<std::string> lifetime_names() {
  std::vector<std::string> names;
  for (int lifetime = 0; lifetime < NPSHM_LIFETIME_COUNT; ++lifetime) names.push_back(npshm_lifetime_name(lifetime));
  return names;
}

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
