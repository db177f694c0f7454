/* A C program built against an installed libnpshm through pkg-config:
 *   cc consumer.c $(pkg-config --cflags --libs npshm)
 * Creates an array NAME, attaches it a second time, checks that a write
 * through one handle is seen through the other, removes it.  Prints
 * "consumer ok <version>". */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <npshm.h>

static int fail(const char *what) {
  fprintf(stderr, "consumer: %s: %s\n", what, npshm_last_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  if (npshm_version_number() / 100 != NPSHM_VERSION_NUMBER / 100) return fail("version");
  int64_t shape[2] = {3, 4};
  npshm_array *a = npshm_create(argv[1], "<f8", 2, shape, NPSHM_ORDER_C, NULL);
  if (!a) return fail("create");
  npshm_array *b = npshm_attach(argv[1], NULL);
  if (!b) return fail("attach");
  ((double *)npshm_data(a))[11] = 2.5;
  int same = ((const double *)npshm_data(b))[11] == 2.5 && npshm_shape(b)[1] == 4 &&
             strcmp(npshm_dtype(b), "<f8") == 0;
  npshm_close(b);
  if (npshm_unlink(a) != 0) return fail("unlink");
  npshm_close(a);
  if (!same) return fail("the second handle does not see the write");
  printf("consumer ok %s\n", npshm_version());
  return 0;
}
