/* Timing helpers shared by the C benchmarks: a monotonic clock, samples
 * summarised as a median with its spread (25th..75th percentile), and the
 * ROW lines that bench/tables.py turns into the markdown tables of
 * docs/benchmarks.md. */
#ifndef NPSHM_BENCH_STATS_H
#define NPSHM_BENCH_STATS_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median and quartiles of n samples (sorted in place). */
typedef struct {
  double median, p25, p75;
} summary;

static inline summary summarize(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
  summary s = {v[n / 2], v[n / 4], v[(3 * n) / 4 < n ? (3 * n) / 4 : n - 1]};
  return s;
}

static inline const char *human_size(size_t bytes, char *buf, size_t cap) {
  if (bytes >= ((size_t)1 << 30)) snprintf(buf, cap, "%zu GiB", bytes >> 30);
  else if (bytes >= ((size_t)1 << 20)) snprintf(buf, cap, "%zu MiB", bytes >> 20);
  else snprintf(buf, cap, "%zu KiB", bytes >> 10);
  return buf;
}

/* Print one comparison: a human line, then a machine line for tables.py:
   ROW <tab> table <tab> what <tab> ours <tab> ours spread <tab> peer name
   <tab> peer <tab> peer spread <tab> ratio <tab> target. */
static inline void report(const char *table, const char *what, summary ours, const char *peer_name,
                          summary peer, const char *unit, const char *target) {
  const double ratio = ours.median / peer.median;
  printf("%-44s %10.1f %s [%.1f-%.1f]  %-30s %10.1f %s [%.1f-%.1f]  %6.2fx  (target %s)\n", what,
         ours.median, unit, ours.p25, ours.p75, peer_name, peer.median, unit, peer.p25, peer.p75, ratio,
         target);
  printf("ROW\t%s\t%s\t%.1f %s\t%.1f-%.1f\t%s\t%.1f %s\t%.1f-%.1f\t%.2fx\t%s\n", table, what, ours.median, unit,
         ours.p25, ours.p75, peer_name, peer.median, unit, peer.p25, peer.p75, ratio, target);
  fflush(stdout);
}

#endif
