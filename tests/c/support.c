#define _GNU_SOURCE
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir_buf[256];
static char path_buf[512];

const char *private_dir(void) { return dir_buf; }

const char *private_path(const char *basename) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", dir_buf, basename);
  return path_buf;
}

int setup_private_dir(void **state) {
  (void)state;
  snprintf(dir_buf, sizeof dir_buf, "/dev/shm/npshm-test-c-XXXXXX");
  if (!mkdtemp(dir_buf)) return -1;
  return setenv("NPSHM_DIR", dir_buf, 1);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0; /* best effort: what cannot go stays, the walk goes on */
}

int teardown_private_dir(void **state) {
  (void)state;
  /* everything in it, directories and links a failed test left included
     (links are removed, never followed) */
  nftw(dir_buf, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  unsetenv("NPSHM_DIR");
  return 0;
}

int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) ++n;
  closedir(d);
  return n;
}

void unique_name(char *buf, size_t size, const char *stem) {
  static unsigned counter;
  snprintf(buf, size, "%s-%ld-%u", stem, (long)getpid(), counter++);
}

int run_in_child(int (*fn)(void *), void *arg) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    /* cmocka catches crashes in the parent's tests; a child must die of
       them, so the parent can tell. */
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
    _exit(fn(arg));
  }
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

void write_file(const char *path, const void *bytes, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, bytes, len), (ssize_t)len);
  close(fd);
}

npshm_array *create_or_fail(const char *name, const char *dtype, int ndim, const int64_t *shape,
                            int order, const npshm_options *opts) {
  npshm_array *a = npshm_create(name, dtype, ndim, shape, order, opts);
  if (!a) fail_msg("create %s failed: %s", name, npshm_last_message());
  return a;
}

void assert_last_error(int code, const char *fragment1, const char *fragment2) {
  const char *msg = npshm_last_message();
  if (npshm_last_error() != code)
    fail_msg("expected %s, got %s: %s", npshm_error_name(code), npshm_error_name(npshm_last_error()), msg);
  if (fragment1 && !strstr(msg, fragment1)) fail_msg("message '%s' lacks '%s'", msg, fragment1);
  if (fragment2 && !strstr(msg, fragment2)) fail_msg("message '%s' lacks '%s'", msg, fragment2);
}
