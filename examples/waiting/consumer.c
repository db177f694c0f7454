/* The C consumer of the waiting example: waits for the array, then for
   each new version, and checks the frame it names (see producer.py).

     consumer NAME FRAMES
   prints "c: processed N frames, last version V" and exits 0 when it saw
   version FRAMES and every frame it kept was whole. */
#include <stdio.h>
#include <stdlib.h>

#include "npshm.h"

static int fail(const char *what) {
  fprintf(stderr, "c consumer: %s: %s\n", what, npshm_last_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  const char *name = argv[1];
  const uint64_t last = (uint64_t)atoll(argv[2]);
  if (npshm_wait_created(name, NULL, 30.0) != NPSHM_OK) return fail("wait_created");
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_array *a = npshm_attach(name, o);
  npshm_options_free(o);
  if (!a) return fail("attach");
  const double *data = npshm_data(a);
  const size_t slot = npshm_nbytes(a) / sizeof(double) / 2;
  uint64_t seen = 0, processed = 0;
  if (npshm_array_version(a, &seen) != NPSHM_OK) return fail("version");
  while (seen < last) {
    uint64_t v;
    if (npshm_wait_changed(a, seen, 30.0, &v) != NPSHM_OK) return fail("wait_changed");
    const double *frame = data + (v % 2) * slot;
    double sum = 0;
    for (size_t i = 0; i < slot; ++i) sum += frame[i];
    uint64_t after;
    npshm_array_version(a, &after);
    if (after < v + 2) { /* the slot was not rewritten while read */
      if (sum != (double)v * (double)slot) {
        fprintf(stderr, "c consumer: frame %llu torn (sum %g)\n", (unsigned long long)v, sum);
        return 1;
      }
      ++processed;
    }
    seen = v;
  }
  printf("c: processed %llu frames, last version %llu\n", (unsigned long long)processed,
         (unsigned long long)seen);
  npshm_close(a);
  return processed > 0 ? 0 : 1;
}
