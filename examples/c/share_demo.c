/* share_demo: one array, two processes, no copy.
 *
 * The parent creates a shared array of N float64 values (lifetime "last":
 * it disappears when the last process using it closes), fills it, and
 * starts a second, independent program (this one, exec'd with --attach)
 * that attaches the array by name, read-only, sums it, and reports the sum
 * through a second, one-element shared array.  Both print what they saw.
 *
 *   share_demo [MEGABYTES]          default 64
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "npshm.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what) {
  fprintf(stderr, "share_demo: %s: %s\n", what, npshm_last_message());
  return 1;
}

/* The second process: attach read-only, check the layout, sum. */
static int attacher(const char *name, const char *result_name) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_readonly(o, 1);
  npshm_options_set_expected_dtype(o, "<f8");
  double t0 = now();
  npshm_array *a = npshm_attach(name, o);
  double t1 = now();
  npshm_options_free(o);
  if (!a) return fail("attach");
  const double *x = npshm_data(a);
  size_t n = (size_t)npshm_shape(a)[0];
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += x[i];
  printf("  [pid %ld] attached %s (%s, %zu values) in %.1f us, read-only; sum = %.0f\n", (long)getpid(),
         npshm_name(a), npshm_dtype(a), n, (t1 - t0) * 1e6, sum);
  npshm_array *r = npshm_attach(result_name, NULL);
  if (!r) return fail("attach result");
  *(double *)npshm_data(r) = sum;
  npshm_close(r);
  npshm_close(a);
  return 0;
}

static char array_name[64], result_name[64];

static void cleanup_on_signal(int sig) {
  /* Ctrl-C: remove what we made, then die of the signal as usual. */
  npshm_remove(array_name, NULL);
  npshm_remove(result_name, NULL);
  signal(sig, SIG_DFL);
  raise(sig);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--attach") == 0) return attacher(argv[2], argv[3]);
  long megabytes = argc > 1 ? strtol(argv[1], NULL, 10) : 64;
  if (megabytes <= 0) {
    fprintf(stderr, "usage: share_demo [MEGABYTES]\n");
    return 2;
  }
  snprintf(array_name, sizeof array_name, "share-demo-%ld", (long)getpid());
  snprintf(result_name, sizeof result_name, "share-demo-%ld-result", (long)getpid());
  signal(SIGINT, cleanup_on_signal);
  signal(SIGTERM, cleanup_on_signal);

  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  const int64_t n = megabytes * 1024 * 1024 / 8;
  double t0 = now();
  npshm_array *a = npshm_create(array_name, "<f8", 1, &n, NPSHM_ORDER_C, o);
  double t1 = now();
  const int64_t one = 1;
  npshm_array *result = npshm_create(result_name, "<f8", 1, &one, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  if (!a || !result) {
    int rc = fail("create");
    npshm_close(a);
    return rc;
  }
  double *x = npshm_data(a);
  for (int64_t i = 0; i < n; ++i) x[i] = (double)(i % 1000);
  double expected = 0;
  for (int64_t i = 0; i < n; ++i) expected += x[i];
  printf("  [pid %ld] created %s: %ld MiB of %s in %.1f ms (memory reserved), filled it; sum = %.0f\n",
         (long)getpid(), npshm_name(a), megabytes, npshm_dtype(a), (t1 - t0) * 1e3, expected);
  printf("  the file %s is a .npy: numpy.load(path, mmap_mode='r') reads it\n", npshm_path(a));

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/proc/self/exe", argv[0], "--attach", array_name, result_name, (char *)NULL);
    perror("exec");
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  double reported = *(double *)npshm_data(result);
  int agree = WIFEXITED(status) && WEXITSTATUS(status) == 0 && reported == expected;
  printf("  [pid %ld] the other process reported %.0f: %s\n", (long)getpid(), reported,
         agree ? "both agree, and no byte was copied" : "MISMATCH");
  /* lifetime "last": our close is the last one, so the names go away */
  npshm_close(result);
  npshm_close(a);
  printf("  closed: %s is %s\n", array_name, npshm_exists(array_name, NULL) == 0 ? "gone" : "STILL THERE");
  return agree ? 0 : 1;
}
