/* column_sums: the demo's C participant.
 *
 *   npshm_demo_column_sums DATA SUMS SLOT
 *
 * Attaches DATA (a Fortran-order float64 matrix, ROWS x COLS) read-only and
 * SUMS (a Fortran-order float64 matrix, COLS x SLOTS) writable, both by name
 * and with no copy, then talks to the demo's coordinator over stdin/stdout:
 *
 *   -> "ready PID"                 attached, waiting
 *   <- "go"                        compute the column sums of DATA into
 *                                  column SLOT of SUMS
 *   -> "done SECONDS CHECKSUM"     CHECKSUM: the sum of its column sums
 *   <- "release" (or end of input) close both arrays and exit
 *
 * End of input before "go" (the coordinator is gone or gave up) ends the
 * program at once with status 3.  Errors go to stderr, status 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "npshm.h"

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One line from the coordinator, without its newline; 0 at end of input. */
static int read_command(char *line, size_t size) {
  if (!fgets(line, (int)size, stdin)) return 0;
  line[strcspn(line, "\n")] = '\0';
  return 1;
}

static npshm_array *attach_matrix(const char *name, int readonly) {
  npshm_options *opts = npshm_options_new();
  if (!opts) return NULL;
  npshm_options_set_readonly(opts, readonly);
  npshm_options_set_expected_dtype(opts, "<f8");
  npshm_array *a = npshm_attach(name, opts);
  npshm_options_free(opts);
  if (a && (npshm_ndim(a) != 2 || npshm_order(a) != NPSHM_ORDER_F)) {
    fprintf(stderr, "column_sums: %s: expected a 2-d Fortran-order array\n", npshm_name(a));
    npshm_close(a);
    return NULL;
  }
  if (!a) fprintf(stderr, "column_sums: %s\n", npshm_last_message());
  return a;
}

/* Sum of n contiguous values, four running sums so the additions overlap. */
static double sum_column(const double *x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < n; ++i) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s DATA SUMS SLOT\n", argv[0]);
    return 2;
  }
  char *end = NULL;
  long slot = strtol(argv[3], &end, 10);
  if (*end != '\0' || slot < 0) {
    fprintf(stderr, "column_sums: SLOT must be a whole number >= 0, not '%s'\n", argv[3]);
    return 2;
  }

  npshm_array *data = attach_matrix(argv[1], 1);
  npshm_array *sums = data ? attach_matrix(argv[2], 0) : NULL;
  if (!data || !sums) {
    npshm_close(data);
    return 1;
  }
  const int64_t rows = npshm_shape(data)[0], cols = npshm_shape(data)[1];
  if (npshm_shape(sums)[0] != cols || slot >= npshm_shape(sums)[1]) {
    fprintf(stderr, "column_sums: %s has shape (%lld, %lld); need (%lld, > %ld)\n", npshm_name(sums),
            (long long)npshm_shape(sums)[0], (long long)npshm_shape(sums)[1], (long long)cols, slot);
    npshm_close(sums);
    npshm_close(data);
    return 1;
  }

  char line[64];
  printf("ready %ld\n", (long)getpid());
  fflush(stdout);
  if (!read_command(line, sizeof line) || strcmp(line, "go") != 0) {
    npshm_close(sums);
    npshm_close(data);
    return 3;
  }

  const double t0 = seconds_now();
  const double *x = npshm_data(data);
  double *out = (double *)npshm_data(sums) + slot * cols;
  double checksum = 0;
  for (int64_t j = 0; j < cols; ++j) {
    out[j] = sum_column(x + j * rows, rows);
    checksum += out[j];
  }
  printf("done %.6f %.17g\n", seconds_now() - t0, checksum);
  fflush(stdout);

  /* Keep the arrays until the coordinator has looked at us. */
  read_command(line, sizeof line);
  npshm_close(sums);
  npshm_close(data);
  return 0;
}
