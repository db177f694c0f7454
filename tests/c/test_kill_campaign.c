/* The SIGKILL campaign: several worker processes create, attach, close,
   load, save and gc the same few names at random, while the parent kills a
   random worker with SIGKILL at random moments and starts a new one.
   Checked: no surviving process ever crashes; every array any process
   attaches has exactly the dtype, shape, fill and lifetime its name stands
   for (never a partial or foreign file); after the campaign, gc leaves the
   shm directory empty, and the saved files are complete .npy files with no
   temporaries beside them.

   Seeded and reproducible in its choices (operations, names, kill times):
     NPSHM_KILL_SEED    (default 20261201)
     NPSHM_KILL_TRIALS  (default 300; NPSHM_KILL_LONG=1: 20000)
   Prints "SUMMARY: N passed, M failed, 0 skipped" (one per check). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "npshm.h"

enum { kNames = 4, kWorkers = 4 };

static char dir[256];
static char out_dir[300];

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* What name i stands for. */
static const char *dtype_of(int i) { return i % 2 ? "<i4" : "<f8"; }
static void shape_of(int i, int64_t shape[2]) {
  shape[0] = 3 + i;
  shape[1] = 1000 * (i + 1); /* up to 32 KiB .. 128 KiB: several pages */
}
static void name_of(int i, char *buf, size_t n) { snprintf(buf, n, "k%d", i); }
static void item_of(int i, unsigned char item[8]) {
  if (i % 2) {
    int32_t v = 1000 + i;
    memcpy(item, &v, 4);
  } else {
    double v = 0.5 + i;
    memcpy(item, &v, 8);
  }
}

/* 0 if a handle is exactly what name i stands for; else prints why. */
static int check(npshm_array *a, int i, const char *how) {
  int64_t shape[2];
  shape_of(i, shape);
  unsigned char item[8];
  item_of(i, item);
  const size_t itemsize = npshm_itemsize(a);
  const char *why = NULL;
  if (strcmp(npshm_dtype(a), dtype_of(i)) != 0)
    why = "dtype";
  else if (npshm_ndim(a) != 2 || npshm_shape(a)[0] != shape[0] || npshm_shape(a)[1] != shape[1])
    why = "shape";
  else if (npshm_lifetime(a) != NPSHM_LIFETIME_LAST && npshm_lifetime(a) != NPSHM_LIFETIME_OWNER)
    why = "lifetime";
  else {
    const unsigned char *d = npshm_data(a);
    const size_t n = npshm_nbytes(a) / itemsize;
    for (size_t k = 0; k < n && !why; k += 997)
      if (memcmp(d + k * itemsize, item, itemsize) != 0) why = "data";
    if (!why && memcmp(d + (n - 1) * itemsize, item, itemsize) != 0) why = "data (last item)";
  }
  if (why) fprintf(stderr, "WRONG %s of k%d after %s (pid %d)\n", why, i, how, (int)getpid());
  return why ? 1 : 0;
}

static npshm_options *opts_for(int lifetime) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, lifetime);
  npshm_options_set_gc_min_age(o, 0);
  return o;
}

/* One worker: random operations forever (until killed). */
static int worker(uint64_t seed) {
  uint64_t s = seed;
  npshm_array *held[kNames] = {0};
  for (;;) {
    const int i = (int)(rng_next(&s) % kNames);
    char name[16];
    name_of(i, name, sizeof name);
    const int op = (int)(rng_next(&s) % 8);
    const int lifetime = rng_next(&s) % 2 ? NPSHM_LIFETIME_LAST : NPSHM_LIFETIME_OWNER;
    npshm_options *o = opts_for(lifetime);
    int64_t shape[2];
    shape_of(i, shape);
    unsigned char item[8];
    item_of(i, item);
    npshm_options_set_fill(o, item, i % 2 ? 4 : 8);
    npshm_array *a = NULL;
    int wrong = 0;
    switch (op) {
      case 0: /* create (and keep) */
      case 1:
        if (!held[i]) {
          held[i] = npshm_create(name, dtype_of(i), 2, shape, NPSHM_ORDER_C, o);
          if (held[i]) wrong = check(held[i], i, "create");
        }
        break;
      case 2: /* attach, check, close */
      case 3:
        a = npshm_attach(name, NULL);
        if (a) {
          wrong = check(a, i, "attach");
          npshm_close(a);
        } else if (npshm_last_error() == NPSHM_E_FORMAT) {
          fprintf(stderr, "WRONG attach k%d: %s\n", i, npshm_last_message());
          wrong = 1;
        }
        break;
      case 4: /* close a held one */
        if (held[i]) {
          npshm_close(held[i]);
          held[i] = NULL;
        }
        break;
      case 5: { /* load from the prepared source */
        char src[400];
        snprintf(src, sizeof src, "%s/src%d.npy", out_dir, i);
        npshm_options_set_fill(o, NULL, 0);
        a = npshm_load(src, name, o);
        if (a) {
          wrong = check(a, i, "load");
          if (!held[i])
            held[i] = a;
          else
            npshm_close(a);
        }
        break;
      }
      case 6: { /* save by name */
        char path[400];
        snprintf(path, sizeof path, "%s/saved%d.npy", out_dir, i);
        npshm_save_name(name, path, NULL);
        break;
      }
      default: /* gc */
        npshm_list_free(npshm_gc(o, 0));
        break;
    }
    npshm_options_free(o);
    if (wrong) return 1;
  }
}

static pid_t spawn(uint64_t seed) {
  pid_t pid = fork();
  if (pid == 0) _exit(worker(seed));
  return pid;
}

static int passed, failed;
static void expect(int ok, const char *what) {
  if (ok)
    ++passed;
  else {
    ++failed;
    fprintf(stderr, "FAILED: %s\n", what);
  }
}

static int count_dir(const char *path, int hidden_only) {
  DIR *d = opendir(path);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && (!hidden_only || e->d_name[0] == '.')) ++n;
  closedir(d);
  return n;
}

static void remove_tree(void) {
  DIR *d = opendir(out_dir);
  struct dirent *e;
  char p[700];
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", out_dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
  rmdir(out_dir);
  d = opendir(dir);
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
  rmdir(dir);
}

int main(void) {
  const char *env = getenv("NPSHM_KILL_SEED");
  const uint64_t seed = env ? strtoull(env, NULL, 10) : 20261201ULL;
  env = getenv("NPSHM_KILL_TRIALS");
  long trials = env ? atol(env) : 300;
  if (getenv("NPSHM_KILL_LONG") && strcmp(getenv("NPSHM_KILL_LONG"), "1") == 0) trials = 20000;
  printf("kill campaign: seed %llu, %ld trials, %d workers (NPSHM_KILL_SEED to repeat)\n",
         (unsigned long long)seed, trials, kWorkers);
  fflush(stdout);

  snprintf(dir, sizeof dir, "/dev/shm/npshm-test-kill-XXXXXX");
  if (!mkdtemp(dir)) return 1;
  snprintf(out_dir, sizeof out_dir, "%s-out", dir);
  if (mkdir(out_dir, 0700) != 0) return 1;
  setenv("NPSHM_DIR", dir, 1);

  /* sources for the loads: plain .npy files of each name's layout */
  for (int i = 0; i < kNames; ++i) {
    npshm_options *o = opts_for(NPSHM_LIFETIME_OWNER);
    unsigned char item[8];
    item_of(i, item);
    npshm_options_set_fill(o, item, i % 2 ? 4 : 8);
    int64_t shape[2];
    shape_of(i, shape);
    npshm_array *a = npshm_create("source", dtype_of(i), 2, shape, NPSHM_ORDER_C, o);
    char src[400];
    snprintf(src, sizeof src, "%s/src%d.npy", out_dir, i);
    expect(a && npshm_save(a, src, NULL) == NPSHM_OK, "prepare a load source");
    npshm_close(a);
    npshm_options_free(o);
  }

  uint64_t s = seed;
  pid_t pids[kWorkers];
  for (int w = 0; w < kWorkers; ++w) pids[w] = spawn(rng_next(&s));
  int crashes = 0, wrong = 0;
  for (long t = 0; t < trials; ++t) {
    struct timespec pause = {0, (long)(rng_next(&s) % 3000000)}; /* 0..3 ms */
    nanosleep(&pause, NULL);
    const int w = (int)(rng_next(&s) % kWorkers);
    kill(pids[w], SIGKILL);
    /* reap whoever ended: only our SIGKILL is an acceptable end */
    for (int k = 0; k < kWorkers; ++k) {
      int status;
      pid_t r = waitpid(pids[k], &status, k == w ? 0 : WNOHANG);
      if (r != pids[k]) continue;
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && k == w) {
        /* killed by us */
      } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        ++wrong;
      } else {
        ++crashes;
        fprintf(stderr, "worker %d ended by %s %d (trial %ld)\n", (int)pids[k],
                WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                t);
      }
      pids[k] = spawn(rng_next(&s));
    }
  }
  for (int w = 0; w < kWorkers; ++w) {
    kill(pids[w], SIGKILL);
    waitpid(pids[w], NULL, 0);
  }
  expect(crashes == 0, "no worker crashed");
  expect(wrong == 0, "no wrong metadata or data was ever observed");

  npshm_options *o = opts_for(NPSHM_LIFETIME_PERSISTENT);
  npshm_list_free(npshm_gc(o, 0));
  npshm_options_free(o);
  expect(count_dir(dir, 0) == 0, "after gc, nothing is left in the shm directory");
  if (count_dir(dir, 0) != 0) system("ls -la \"$NPSHM_DIR\" >&2");

  /* saved files: complete; temporaries of killed saves go with the next save */
  int complete = 1;
  for (int i = 0; i < kNames; ++i) {
    char uri[450];
    snprintf(uri, sizeof uri, "file://%s/saved%d.npy", out_dir, i);
    npshm_options *ro = npshm_options_new();
    npshm_options_set_readonly(ro, 1);
    npshm_array *a = npshm_attach(uri, ro);
    npshm_options_free(ro);
    if (!a) {
      if (npshm_last_error() != NPSHM_E_NOT_FOUND) {
        fprintf(stderr, "saved%d.npy: %s\n", i, npshm_last_message());
        complete = 0;
      }
      continue;
    }
    int64_t shape[2];
    shape_of(i, shape);
    complete &= strcmp(npshm_dtype(a), dtype_of(i)) == 0 && npshm_shape(a)[1] == shape[1];
    char path[400];
    snprintf(path, sizeof path, "%s/saved%d.npy", out_dir, i);
    npshm_save(a, path, NULL); /* cleans what a killed save left */
    npshm_close(a);
  }
  expect(complete, "every saved file is a complete .npy of its array");
  expect(count_dir(out_dir, 1) == 0, "no save temporary is left beside the targets");
  remove_tree();
  printf("SUMMARY: %d passed, %d failed, 0 skipped\n", passed, failed);
  return failed ? 1 : 0;
}
