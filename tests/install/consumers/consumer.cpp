// A C++ program built against an installed libnpshm with CMake:
//   find_package(npshm 0.1 REQUIRED)
//   target_link_libraries(consumer PRIVATE npshm::npshm)
// Creates an array NAME, attaches it again, checks a write is shared,
// removes it.  Prints "consumer ok <version>".
#include <npshm.h>

#include <cstdint>
#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  const std::int64_t shape[1] = {16};
  npshm_array *a = npshm_create(argv[1], "<i4", 1, shape, NPSHM_ORDER_C, nullptr);
  if (!a) {
    std::fprintf(stderr, "consumer: create: %s\n", npshm_last_message());
    return 1;
  }
  npshm_array *b = npshm_attach(argv[1], nullptr);
  bool same = false;
  if (b) {
    static_cast<std::int32_t *>(npshm_data(a))[15] = 7;
    same = static_cast<const std::int32_t *>(npshm_data(b))[15] == 7 &&
           std::string(npshm_dtype(b)) == "<i4";
    npshm_close(b);
  }
  npshm_unlink(a);
  npshm_close(a);
  if (!same) {
    std::fprintf(stderr, "consumer: attach or shared write failed\n");
    return 1;
  }
  std::printf("consumer ok %s\n", npshm_version());
  return 0;
}
