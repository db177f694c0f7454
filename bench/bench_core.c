/* bench_core: libnpshm's create, attach and close against the floor, a
 * plain shm_open + mmap of the same size, for sizes from 4 KiB to 4 GiB;
 * then the first fill of a fresh 1 GiB array (memory reserved at create)
 * against first-touching an unreserved shm mapping.
 *
 *   bench_core [MAX_MIB]     largest size in MiB (default 4096)
 *
 * Prints medians in microseconds and the ratios npshm / floor.  A program,
 * not a test: run it on a quiet machine and read the ratios. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "npshm.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

static void die(const char *what) {
  fprintf(stderr, "bench_core: %s: %s\n", what, npshm_last_message());
  exit(1);
}

/* plain shm_open + mmap of an existing object (the attach floor) */
static double plain_attach(const char *shm_name, size_t bytes) {
  double t0 = now_us();
  int fd = shm_open(shm_name, O_RDWR, 0);
  struct stat st;
  fstat(fd, &st);
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  munmap(p, bytes);
  close(fd);
  return now_us() - t0;
}

/* plain shm_open(O_CREAT|O_EXCL) + ftruncate + mmap (the create floor,
   which reserves nothing) */
static double plain_create(const char *shm_name, size_t bytes) {
  double t0 = now_us();
  int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (ftruncate(fd, (off_t)bytes) != 0) exit(1);
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  munmap(p, bytes);
  close(fd);
  double t = now_us() - t0;
  shm_unlink(shm_name);
  return t;
}

int main(int argc, char **argv) {
  long max_mib = argc > 1 ? atol(argv[1]) : 4096;
  char name[64], plain[64];
  snprintf(name, sizeof name, "bench-core-%ld", (long)getpid());
  snprintf(plain, sizeof plain, "/bench-core-plain-%ld", (long)getpid());

  printf("npshm %s: create/attach/close vs plain shm_open+mmap (median of N runs, microseconds)\n\n",
         npshm_version());
  printf("%10s %5s | %12s %12s %7s | %12s %12s %7s\n", "size", "N", "npshm create", "plain create", "ratio",
         "npshm attach", "plain attach", "ratio");
  double attach_small = 0, attach_1g = 0;
  for (size_t bytes = 4096; bytes <= (size_t)max_mib << 20; bytes *= 4) {
    int reps = bytes <= (64u << 20) ? 200 : bytes <= (1u << 30) ? 10 : 3;
    double *c = malloc(sizeof(double) * (size_t)reps), *cp = malloc(sizeof(double) * (size_t)reps);
    double *a = malloc(sizeof(double) * (size_t)reps), *ap = malloc(sizeof(double) * (size_t)reps);
    const int64_t n = (int64_t)(bytes / 8);
    for (int r = 0; r < reps; ++r) {
      double t0 = now_us();
      npshm_array *h = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
      npshm_close(h);
      c[r] = now_us() - t0;
      if (!h) die("create");
      npshm_remove(name, NULL);
      cp[r] = plain_create(plain, bytes);
    }
    /* attach: the object exists (created once), measure open+map+close */
    const int64_t n1 = n;
    npshm_array *keep = npshm_create(name, "<f8", 1, &n1, NPSHM_ORDER_C, NULL);
    if (!keep) die("create");
    int fd = shm_open(plain, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (ftruncate(fd, (off_t)bytes) != 0) return 1;
    close(fd);
    for (int r = 0; r < reps; ++r) {
      double t0 = now_us();
      npshm_array *h = npshm_attach(name, NULL);
      npshm_close(h);
      a[r] = now_us() - t0;
      ap[r] = plain_attach(plain, bytes);
    }
    npshm_close(keep);
    npshm_remove(name, NULL);
    shm_unlink(plain);
    double mc = median(c, reps), mcp = median(cp, reps), ma = median(a, reps), map = median(ap, reps);
    if (bytes == 4096) attach_small = ma;
    if (bytes == (1u << 30)) attach_1g = ma;
    char label[32];
    if (bytes >= (1u << 30)) snprintf(label, sizeof label, "%zu GiB", bytes >> 30);
    else if (bytes >= (1u << 20)) snprintf(label, sizeof label, "%zu MiB", bytes >> 20);
    else snprintf(label, sizeof label, "%zu KiB", bytes >> 10);
    printf("%10s %5d | %12.1f %12.1f %6.2fx | %12.1f %12.1f %6.2fx\n", label, reps, mc, mcp, mc / mcp, ma,
           map, ma / map);
    free(c), free(cp), free(a), free(ap);
  }
  if (attach_1g > 0)
    printf("\nattach 1 GiB / attach 4 KiB: %.2fx (target: within 2x, O(1) in size)\n", attach_1g / attach_small);
  puts("create: npshm reserves the memory (posix_fallocate); plain create reserves nothing.");

  if (max_mib >= 1024) {
    /* first fill of a fresh 1 GiB array, 3 rounds alternating, medians */
    const size_t bytes = (size_t)1 << 30;
    const int64_t n = (int64_t)(bytes / 8);
    double npshm_fill[3], plain_fill[3];
    for (int r = 0; r < 3; ++r) {
      double t0 = now_us();
      npshm_array *h = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
      if (!h) die("create");
      memset(npshm_data(h), 1, bytes);
      npshm_fill[r] = now_us() - t0;
      npshm_close(h);
      npshm_remove(name, NULL);

      t0 = now_us();
      int fd = shm_open(plain, O_RDWR | O_CREAT | O_EXCL, 0600);
      if (ftruncate(fd, (off_t)bytes) != 0) return 1;
      void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      memset(p, 1, bytes);
      plain_fill[r] = now_us() - t0;
      munmap(p, bytes);
      close(fd);
      shm_unlink(plain);
    }
    double a = median(npshm_fill, 3), b = median(plain_fill, 3);
    printf("\ncreate + first fill of 1 GiB (median of 3): npshm %.0f ms (reserved), plain %.0f ms (unreserved): %.2fx\n",
           a / 1e3, b / 1e3, a / b);
  }
  return 0;
}
