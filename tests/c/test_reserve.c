/* Reservations never fill the file system, not even for a moment (needs
   root: a private 64 MiB tmpfs).  A bystander process writes unreserved
   pages of its own sparse mapping the whole time, as other programs using
   shared memory do; a request that does not fit must fail with
   NPSHM_E_NO_SPACE before anything is allocated, or the bystander's next
   page fault finds the file system full and dies of SIGBUS.  The same for a
   writable attach of a sparse .npy (as numpy's open_memmap makes): it
   reserves the pages the file lacks, or fails with NO_SPACE at attach,
   never SIGBUS at a later write. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#define MiB (1024L * 1024L)
#define FS_SIZE (64 * MiB)
#define BYSTANDER_KEPT (8 * MiB)   /* touched once, kept */
#define BYSTANDER_CHURN (8 * MiB)  /* faulted in and punched out again and again */
#define BYSTANDER_SIZE (BYSTANDER_KEPT + BYSTANDER_CHURN)
/* Larger than what is ever free while the bystander runs (at most
   64 - 8 = 56 MiB), smaller than the file system. */
#define TOO_BIG (60 * MiB)
#define ATTEMPTS 1000

static char base[64];       /* the mktemp directory */
static char mountpoint[96]; /* the private tmpfs inside it */
static int mounted;

static int setup_tmpfs(void **state) {
  (void)state;
  snprintf(base, sizeof base, "/tmp/npshm-test-reserve-XXXXXX");
  if (!mkdtemp(base)) return -1;
  snprintf(mountpoint, sizeof mountpoint, "%s/fs", base);
  if (mkdir(mountpoint, 0700) != 0) return -1;
  mounted = geteuid() == 0 && mount("npshm-test", mountpoint, "tmpfs", 0, "size=64m,mode=0700") == 0;
  if (!mounted) fprintf(stderr, "note: cannot mount a private tmpfs (not root?): reservation tests skip\n");
  return 0;
}

static pid_t bystander_pid; /* killed by the teardown if a test failed */

static int teardown_tmpfs(void **state) {
  (void)state;
  if (bystander_pid > 0) {
    kill(bystander_pid, SIGKILL);
    waitpid(bystander_pid, NULL, 0);
    bystander_pid = 0;
  }
  if (mounted) umount2(mountpoint, MNT_DETACH);
  rmdir(mountpoint);
  char p[160];
  snprintf(p, sizeof p, "%s/source.npy", base);
  unlink(p);
  rmdir(base);
  mounted = 0;
  return 0;
}

/* The bystander: maps a sparse file of its own in the file system, writes
   one byte into every page of its first half once, then into every page of
   its second half again and again, punching those out after each round so
   that every round faults in new, unreserved pages.
   Starts the test after its first round; reports its rounds on exit
   (stopped by SIGTERM). */
static volatile sig_atomic_t stop;
static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

struct bystander {
  pid_t pid;
  int rounds_fd;
};

static struct bystander start_bystander(void) {
  int report[2], ready[2];
  assert_int_equal(pipe(report), 0);
  assert_int_equal(pipe(ready), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGBUS, SIG_DFL); /* die of it, visibly */
    signal(SIGTERM, on_term);
    close(report[0]);
    close(ready[0]);
    char path[160];
    snprintf(path, sizeof path, "%s/bystander", mountpoint);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, BYSTANDER_SIZE) != 0) _exit(3);
    unsigned char *p = mmap(NULL, BYSTANDER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) _exit(4);
    long rounds = 0;
    for (long at = 0; at < BYSTANDER_KEPT; at += 4096) p[at] = 1;
    while (!stop) {
      for (long at = BYSTANDER_KEPT; at < BYSTANDER_SIZE && !stop; at += 4096) p[at] = (unsigned char)(rounds + 1);
      fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BYSTANDER_KEPT, BYSTANDER_CHURN);
      if (++rounds == 1 && write(ready[1], "r", 1) != 1) _exit(5); /* running: the parent may start */
    }
    if (write(report[1], &rounds, sizeof rounds) != sizeof rounds) _exit(6);
    unlink(path);
    _exit(0);
  }
  close(report[1]);
  close(ready[1]);
  char c;
  assert_int_equal(read(ready[0], &c, 1), 1);
  close(ready[0]);
  struct bystander b = {pid, report[0]};
  bystander_pid = pid;
  return b;
}

/* Fails the test at once if the bystander died. */
static void check_bystander(const struct bystander *b, int attempt) {
  int status = 0;
  if (waitpid(b->pid, &status, WNOHANG) != b->pid) return; /* alive */
  bystander_pid = 0;
  if (WIFSIGNALED(status))
    fail_msg("attempt %d: the bystander died of signal %d (%s) while npshm reserved memory", attempt,
             WTERMSIG(status), strsignal(WTERMSIG(status)));
  fail_msg("attempt %d: the bystander exited (status %d)", attempt, WEXITSTATUS(status));
}

/* Stops the bystander; fails the test if it died (SIGBUS) or did no round
   while the attempts ran. */
static void stop_bystander(struct bystander *b) {
  kill(b->pid, SIGTERM);
  int status = 0;
  assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
  bystander_pid = 0;
  if (WIFSIGNALED(status))
    fail_msg("the bystander died of signal %d (%s) while npshm reserved memory", WTERMSIG(status),
             strsignal(WTERMSIG(status)));
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  long rounds = 0;
  assert_int_equal(read(b->rounds_fd, &rounds, sizeof rounds), (ssize_t)sizeof rounds);
  close(b->rounds_fd);
  assert_true(rounds >= 1);
  char path[160];
  snprintf(path, sizeof path, "%s/bystander", mountpoint);
  unlink(path);
}

/* A sparse .npy of n float64 at path: header written, data a hole. */
static void make_sparse_npy(const char *path, long n) {
  char dict[128];
  int len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld,), }", n);
  int header_len = 10 + len + 1;
  int padded = (header_len + 63) / 64 * 64;
  char header[256];
  memcpy(header, "\x93NUMPY\x01\x00", 8);
  header[8] = (char)((padded - 10) & 0xff);
  header[9] = (char)((padded - 10) >> 8);
  memcpy(header + 10, dict, (size_t)len);
  memset(header + 10 + len, ' ', (size_t)(padded - 10 - len - 1));
  header[padded - 1] = '\n';
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, header, (size_t)padded), padded);
  assert_int_equal(ftruncate(fd, padded + n * 8), 0);
  close(fd);
}

static off_t allocated(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return (off_t)st.st_blocks * 512;
}

static void test_requests_beyond_free_space_never_fill_it(void **state) {
  (void)state;
  if (!mounted) skip(); /* needs root to mount a private tmpfs */
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, mountpoint);
  char source[160];
  snprintf(source, sizeof source, "%s/source.npy", base); /* outside the small file system */
  make_sparse_npy(source, TOO_BIG / 8);
  const int64_t too_big[1] = {TOO_BIG / 8};

  struct bystander b = start_bystander();
  for (int i = 0; i < ATTEMPTS; ++i) {
    npshm_array *a = (i % 2) ? npshm_load(source, "big", o) : npshm_create("big", "<f8", 1, too_big, NPSHM_ORDER_C, o);
    check_bystander(&b, i);
    if (a) fail_msg("attempt %d: %s of 60 MiB succeeded in a 64 MiB file system the bystander uses", i,
                    (i % 2) ? "load" : "create");
    if (npshm_last_error() != NPSHM_E_NO_SPACE)
      fail_msg("attempt %d: %s, not NO_SPACE: %s", i, npshm_error_name(npshm_last_error()), npshm_last_message());
  }
  stop_bystander(&b);
  /* The message says what was asked and what is free. */
  assert_null(npshm_create("big", "<f8", 1, too_big, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_NO_SPACE, "shm://big", "for 60.0 MiB");
  assert_last_error(NPSHM_E_NO_SPACE, "is free of 64.0 MiB", "npshm keeps 8.0 MiB free");
  /* What fits with the margin to spare still works. */
  const int64_t fits[1] = {32 * MiB / 8};
  npshm_array *ok = npshm_create("fits", "<f8", 1, fits, NPSHM_ORDER_C, o);
  assert_non_null(ok);
  memset(npshm_data(ok), 1, npshm_nbytes(ok));
  npshm_close(ok);
  assert_int_equal(npshm_remove("fits", o), NPSHM_OK);
  assert_int_equal(count_entries(mountpoint), 0); /* nothing left behind */
  unlink(source);
  npshm_options_free(o);
}

static void test_writable_attach_reserves_a_sparse_file(void **state) {
  (void)state;
  if (!mounted) skip(); /* needs root to mount a private tmpfs */
  npshm_options *o = npshm_options_new();
  npshm_options_set_directory(o, mountpoint);
  char big[160], small[160];
  snprintf(big, sizeof big, "%s/sparse-big", mountpoint);
  snprintf(small, sizeof small, "%s/sparse-small", mountpoint);
  make_sparse_npy(big, TOO_BIG / 8);
  make_sparse_npy(small, 16 * MiB / 8);

  struct bystander b = start_bystander();
  for (int i = 0; i < ATTEMPTS / 10; ++i) {
    npshm_array *a = npshm_attach("sparse-big", o);
    check_bystander(&b, i);
    if (a) fail_msg("a writable attach of a sparse 60 MiB file succeeded: its writes would die of SIGBUS");
    assert_last_error(NPSHM_E_NO_SPACE, "attach shm://sparse-big", "for 60.0 MiB");
  }
  stop_bystander(&b);
  assert_true(allocated(big) < MiB); /* nothing reserved, nothing left */
  /* Read-only reserves nothing and is not refused. */
  npshm_options_set_readonly(o, 1);
  npshm_array *r = npshm_attach("sparse-big", o);
  assert_non_null(r);
  npshm_close(r);
  npshm_options_set_readonly(o, 0);
  /* One that fits is reserved whole at attach: every write is safe. */
  assert_true(allocated(small) < MiB);
  npshm_array *w = npshm_attach("sparse-small", o);
  assert_non_null(w);
  assert_true(allocated(small) >= 16 * MiB);
  memset(npshm_data(w), 7, npshm_nbytes(w));
  npshm_close(w);
  unlink(big);
  unlink(small);
  npshm_options_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_requests_beyond_free_space_never_fill_it, setup_tmpfs, teardown_tmpfs),
      cmocka_unit_test_setup_teardown(test_writable_attach_reserves_a_sparse_file, setup_tmpfs, teardown_tmpfs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
