/* bench_core: libnpshm against the raw system calls that do the same job,
 * each pair measured in alternating rounds, reported as medians with the
 * 25th-75th percentile spread and the ratio npshm / raw.
 *
 *   create            npshm_create          vs shm_open + posix_fallocate + mmap
 *   close             creator close+unlink  vs munmap + close + shm_unlink
 *   attach            npshm_attach + close  vs shm_open + fstat + mmap + munmap + close
 *   attach-many       attach with 10,000 handles of the array open vs none
 *   exists            npshm_exists / npshm_stat with 10,000 locks held vs none
 *   save              npshm_save (which syncs) vs cp + fsync, and vs cp
 *   populate          attach + read every page of 64 MiB, with and without the populate option
 *
 *   bench_core [SECTION...]        default: all of them
 *
 * A program, not a test.  Absolute times on a shared VM are noisy; the
 * ratios, measured in one run with the contenders alternating, are what
 * to read.  Lines starting with ROW feed bench/tables.py. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_stats.h"
#include "npshm.h"

extern char **environ;

static char name[64], raw_name[64], dir_path[128];

static void die(const char *what) {
  fprintf(stderr, "bench_core: %s: %s\n", what, npshm_last_message());
  exit(1);
}

static int wanted(int argc, char **argv, const char *section) {
  if (argc < 2) return 1;
  for (int i = 1; i < argc; ++i)
    if (strcmp(argv[i], section) == 0) return 1;
  return 0;
}

static npshm_options *owner_options(void) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_OWNER);
  return o;
}

/* ---- create and creator close+unlink ---------------------------------- */

/* The system calls npshm_create and a creator's close make, without the
   library around them: where the floor of the design is.  (O_TMPFILE so
   the name appears complete; an OFD lock; fstat; header, zeros and trailer
   written before mapping; linkat to publish.  Close: fstat + stat to check
   the name is ours, unlink, munmap, close.) */
static void sequence_floor(size_t bytes, double *create_us, double *close_us) {
  static char buf[(64 << 10) + 8192];
  const size_t total = 4096 + bytes + 64;
  char path[128];
  snprintf(path, sizeof path, "/dev/shm/%s", name);
  double t0 = now_us();
  (void)getpid();
  int fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  struct flock lk = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  if (fd < 0 || fcntl(fd, F_OFD_SETLK, &lk) != 0) exit(1);
  struct stat st;
  fstat(fd, &st);
  if (total <= sizeof buf) {
    if (pwrite(fd, buf, total, 0) != (ssize_t)total) exit(1);
  } else {
    if (posix_fallocate(fd, 0, (off_t)total) != 0 || pwrite(fd, buf, 4096, 0) != 4096 ||
        pwrite(fd, buf, 64, (off_t)(4096 + bytes)) != 64)
      exit(1);
  }
  void *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED || linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) != 0) exit(1);
  double t1 = now_us();
  (void)getpid();
  struct stat a, b;
  fstat(fd, &a);
  stat(path, &b);
  unlink(path);
  munmap(p, total);
  close(fd);
  double t2 = now_us();
  *create_us = t1 - t0;
  *close_us = t2 - t1;
}

static void bench_create_close(void) {
  puts("\n== create, and the creator's close+unlink (microseconds) ==");
  npshm_options *owner = owner_options();
  for (size_t bytes = 4096; bytes <= ((size_t)1 << 20); bytes *= 16) {
    enum { reps = 301 };
    double c[reps], cr[reps], x[reps], xr[reps], cs[reps], xs[reps];
    const int64_t n = (int64_t)(bytes / 8);
    for (int r = 0; r < reps; ++r) {
      for (int turn = 0; turn < 3; ++turn) {
        if ((turn + r) % 3 == 2) {
          sequence_floor(bytes, &cs[r], &xs[r]);
        } else if ((turn + r) % 3 == 0) {
          double t0 = now_us();
          npshm_array *h = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, owner);
          double t1 = now_us();
          if (!h) die("create");
          npshm_close(h); /* OWNER: the creator's close unlinks */
          double t2 = now_us();
          c[r] = t1 - t0;
          x[r] = t2 - t1;
        } else {
          double t0 = now_us();
          int fd = shm_open(raw_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
          if (fd < 0 || posix_fallocate(fd, 0, (off_t)bytes) != 0) exit(1);
          void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
          if (p == MAP_FAILED) exit(1);
          double t1 = now_us();
          munmap(p, bytes);
          close(fd);
          shm_unlink(raw_name);
          double t2 = now_us();
          cr[r] = t1 - t0;
          xr[r] = t2 - t1;
        }
      }
    }
    char size[32], what[96];
    human_size(bytes, size, sizeof size);
    snprintf(what, sizeof what, "C create, %s", size);
    report("c", what, summarize(c, reps), "shm_open+posix_fallocate+mmap", summarize(cr, reps), "us", "<= 1.5x");
    snprintf(what, sizeof what, "C creator close+unlink, %s", size);
    report("c", what, summarize(x, reps), "munmap+close+shm_unlink", summarize(xr, reps), "us", "<= 1.5x");
    snprintf(what, sizeof what, "C create, %s", size);
    report("floor", what, summarize(c, reps), "npshm's system calls, raw", summarize(cs, reps), "us", "-");
    snprintf(what, sizeof what, "C creator close+unlink, %s", size);
    report("floor", what, summarize(x, reps), "npshm's system calls, raw", summarize(xs, reps), "us", "-");
  }
  npshm_options_free(owner);
}

/* ---- attach ------------------------------------------------------------- */

static double raw_attach(size_t bytes) {
  double t0 = now_us();
  int fd = shm_open(raw_name, O_RDWR | O_CLOEXEC, 0);
  struct stat st;
  fstat(fd, &st);
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  munmap(p, bytes);
  close(fd);
  return now_us() - t0;
}

static double npshm_attach_close(void) {
  double t0 = now_us();
  npshm_array *h = npshm_attach(name, NULL);
  if (!h) die("attach");
  npshm_close(h);
  return now_us() - t0;
}

static void bench_attach(void) {
  puts("\n== attach + close (microseconds) ==");
  double small = 0, large = 0;
  for (size_t bytes = 4096; bytes <= ((size_t)1 << 30); bytes *= 256) {
    const int reps = bytes >= ((size_t)1 << 30) ? 21 : 201;
    double *a = malloc(sizeof(double) * (size_t)reps), *ar = malloc(sizeof(double) * (size_t)reps);
    const int64_t n = (int64_t)(bytes / 8);
    npshm_array *keep = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
    if (!keep) die("create");
    int fd = shm_open(raw_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || posix_fallocate(fd, 0, (off_t)bytes) != 0) exit(1);
    close(fd);
    for (int r = 0; r < reps; ++r) {
      if (r % 2) {
        a[r] = npshm_attach_close();
        ar[r] = raw_attach(bytes);
      } else {
        ar[r] = raw_attach(bytes);
        a[r] = npshm_attach_close();
      }
    }
    npshm_unlink(keep);
    npshm_close(keep);
    shm_unlink(raw_name);
    char size[32], what[96];
    snprintf(what, sizeof what, "C attach+close, %s", human_size(bytes, size, sizeof size));
    summary s = summarize(a, reps);
    report("c", what, s, "shm_open+fstat+mmap+munmap+close", summarize(ar, reps), "us", "-");
    if (bytes == 4096) small = s.median;
    large = s.median;
    free(a), free(ar);
  }
  printf("attach 1 GiB / attach 4 KiB: %.2fx (O(1) in the size)\n", large / small);
}

/* ---- attach with many handles, exists/stat with many locks -------------- */

enum { many = 10000 };

static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

/* Open count handles of name (or as many as the system allows). */
static int open_handles(npshm_array **held, int count) {
  int opened = 0;
  while (opened < count && (held[opened] = npshm_attach(name, NULL)) != NULL) ++opened;
  return opened;
}

static void bench_attach_many(void) {
  printf("\n== attach + close with %d handles of the same array open in this process (microseconds) ==\n",
         many);
  raise_fd_limit();
  const int64_t n = 512;
  npshm_array *keep = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
  if (!keep) die("create");
  enum { reps = 201 };
  double none[reps], full[reps];
  for (int r = 0; r < reps; ++r) none[r] = npshm_attach_close();
  npshm_array **held = malloc(sizeof *held * many);
  int opened = open_handles(held, many);
  for (int r = 0; r < reps; ++r) full[r] = npshm_attach_close();
  for (int i = 0; i < opened; ++i) npshm_close(held[i]);
  /* and once more without, so drift shows up in the spread */
  for (int r = 0; r < reps; r += 2) none[r] = npshm_attach_close();
  char what[96];
  snprintf(what, sizeof what, "C attach+close, %d handles open", opened);
  report("c", what, summarize(full, reps), "no other handle open", summarize(none, reps), "us", "<= 1.2x");
  npshm_unlink(keep);
  npshm_close(keep);
  free(held);
}

static double time_exists(void) {
  double t0 = now_us();
  if (npshm_exists(name, NULL) != 1) die("exists");
  return now_us() - t0;
}

static double time_stat(void) {
  double t0 = now_us();
  npshm_info *info = npshm_stat(name, NULL);
  if (!info) die("stat");
  npshm_info_free(info);
  return now_us() - t0;
}

static void bench_exists(void) {
  printf("\n== exists and stat with %d locks held on the machine (microseconds) ==\n", many);
  raise_fd_limit();
  const int64_t n = 512;
  npshm_array *keep = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
  if (!keep) die("create");
  enum { reps = 51 };
  double e0[reps], s0[reps], e1[reps], s1[reps];
  for (int r = 0; r < reps; ++r) e0[r] = time_exists(), s0[r] = time_stat();
  /* many arrays, each held: one lock each, whatever the registry does */
  npshm_options *owner = owner_options();
  npshm_array **held = malloc(sizeof *held * many);
  int opened = 0;
  for (; opened < many; ++opened) {
    char other[96];
    snprintf(other, sizeof other, "%s-lock-%d", name, opened);
    const int64_t one = 1;
    if (!(held[opened] = npshm_create(other, "|u1", 1, &one, NPSHM_ORDER_C, owner))) break;
  }
  for (int r = 0; r < reps; ++r) e1[r] = time_exists(), s1[r] = time_stat();
  for (int i = 0; i < opened; ++i) npshm_close(held[i]);
  char what[96];
  snprintf(what, sizeof what, "C exists, %d other arrays held", opened);
  report("c", what, summarize(e1, reps), "no other lock", summarize(e0, reps), "us", "O(1): ~1x");
  snprintf(what, sizeof what, "C stat, %d other arrays held", opened);
  report("c", what, summarize(s1, reps), "no other lock", summarize(s0, reps), "us", "O(1): ~1x");
  npshm_unlink(keep);
  npshm_close(keep);
  npshm_options_free(owner);
  free(held);
}

/* ---- save ---------------------------------------------------------------- */

/* cp itself (coreutils), started with posix_spawn; then fsync of the copy
   when durable. */
static double raw_copy(const char *from, const char *to, int durable) {
  double t0 = now_us();
  char *args[] = {"cp", (char *)from, (char *)to, NULL};
  pid_t pid;
  int status = 0;
  if (posix_spawn(&pid, "/bin/cp", NULL, NULL, args, environ) != 0 || waitpid(pid, &status, 0) != pid ||
      status != 0) {
    fprintf(stderr, "bench_core: cp failed\n");
    exit(1);
  }
  if (durable) {
    int fd = open(to, O_RDONLY | O_CLOEXEC);
    fsync(fd);
    close(fd);
  }
  return now_us() - t0;
}

static void bench_save(void) {
  const size_t bytes = (size_t)64 << 20;
  printf("\n== save of %zu MiB from /dev/shm to %s (milliseconds) ==\n", bytes >> 20, dir_path);
  const int64_t n = (int64_t)(bytes / 8);
  npshm_array *a = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
  if (!a) die("create");
  memset(npshm_data(a), 7, bytes);
  char target[256], raw_target[256];
  snprintf(target, sizeof target, "%s/npshm.npy", dir_path);
  snprintf(raw_target, sizeof raw_target, "%s/raw.npy", dir_path);
  /* npshm_save syncs the new file (and its directory) before it names it,
     so the peer that does the same work is cp + fsync; plain cp is shown
     for scale.  fresh: a process that attaches only to save (the CLI's
     npshm save); creator: the handle that wrote every page, so they are
     all mapped */
  for (int variant = 0; variant < 3; ++variant) {
    const int durable = variant != 1;
    enum { reps = 7 };
    double s[reps], sr[reps];
    for (int r = 0; r < reps; ++r) {
      for (int turn = 0; turn < 2; ++turn) {
        if ((turn + r) % 2 == 0) {
          double t0 = now_us();
          npshm_array *h = variant == 2 ? a : npshm_attach(name, NULL);
          if (!h || npshm_save(h, target, NULL) != 0) die("save");
          if (h != a) npshm_close(h);
          s[r] = (now_us() - t0) / 1e3;
        } else {
          sr[r] = raw_copy(npshm_path(a), raw_target, durable) / 1e3;
        }
        unlink(target);
        unlink(raw_target);
      }
    }
    const char *what = variant == 2 ? "C save 64 MiB, creator's handle (pages mapped)" : "C attach+save 64 MiB";
    report("c", what, summarize(s, reps), durable ? "cp + fsync" : "cp (not synced)", summarize(sr, reps), "ms",
           variant == 0 ? "<= 1.2x" : "-");
  }
  npshm_unlink(a);
  npshm_close(a);
}

/* ---- populate ------------------------------------------------------------ */

static double attach_and_read(size_t bytes, npshm_options *opts) {
  double t0 = now_us();
  npshm_array *h = npshm_attach(name, opts);
  if (!h) die("attach");
  volatile const char *d = npshm_data(h);
  unsigned sum = 0;
  for (size_t at = 0; at < bytes; at += 4096) sum += (unsigned)d[at];
  double t = now_us() - t0;
  npshm_close(h);
  (void)sum;
  return t / 1e3;
}

static void bench_populate(void) {
  const size_t bytes = (size_t)64 << 20;
  puts("\n== attach + read every page of 64 MiB, with the populate option or by faulting (milliseconds) ==");
  const int64_t n = (int64_t)(bytes / 8);
  npshm_array *keep = npshm_create(name, "<f8", 1, &n, NPSHM_ORDER_C, NULL);
  if (!keep) die("create");
  npshm_options *pop = npshm_options_new(), *pop_ro = npshm_options_new(), *ro = npshm_options_new();
  npshm_options_set_populate(pop, 1);
  npshm_options_set_populate(pop_ro, 1);
  npshm_options_set_readonly(pop_ro, 1);
  npshm_options_set_readonly(ro, 1);
  enum { reps = 7 };
  double p[reps], f[reps], pr[reps], fr[reps];
  for (int r = 0; r < reps; ++r) {
    p[r] = attach_and_read(bytes, pop);
    f[r] = attach_and_read(bytes, NULL);
    pr[r] = attach_and_read(bytes, pop_ro);
    fr[r] = attach_and_read(bytes, ro);
  }
  report("c", "C attach(populate)+read 64 MiB", summarize(p, reps), "attach+read (page faults)",
         summarize(f, reps), "ms", "< 1x");
  report("c", "C attach(readonly, populate)+read 64 MiB", summarize(pr, reps), "attach(readonly)+read (page faults)",
         summarize(fr, reps), "ms", "< 1x");
  npshm_options_free(pop);
  npshm_options_free(pop_ro);
  npshm_options_free(ro);
  npshm_unlink(keep);
  npshm_close(keep);
}

int main(int argc, char **argv) {
  snprintf(name, sizeof name, "bench-core-%ld", (long)getpid());
  snprintf(raw_name, sizeof raw_name, "/bench-core-raw-%ld", (long)getpid());
  snprintf(dir_path, sizeof dir_path, "/var/tmp/bench-core-%ld", (long)getpid());
  printf("npshm %s: C API against raw system calls; median [25th-75th percentile], alternating rounds\n",
         npshm_version());
  if (wanted(argc, argv, "create") || wanted(argc, argv, "close")) bench_create_close();
  if (wanted(argc, argv, "attach")) bench_attach();
  if (wanted(argc, argv, "attach-many")) bench_attach_many();
  if (wanted(argc, argv, "exists")) bench_exists();
  if (wanted(argc, argv, "populate")) bench_populate();
  if (wanted(argc, argv, "save")) {
    if (mkdir(dir_path, 0700) != 0) exit(1);
    bench_save();
    rmdir(dir_path);
  }
  return 0;
}
