/* Arrays on hugetlbfs, end to end: create (fill, data on a huge page
   boundary so numpy can map it), attach, load, save, close -- and no huge
   page left held afterwards.  Also a tmpfs mounted huge=always as the shm
   directory.

   Needs root: mounts a small hugetlbfs and a huge tmpfs in a fresh
   directory, reserves a few huge pages (vm.nr_hugepages), and restores
   everything afterwards, also when a test fails or crashes (the tests run
   in a child process; this parent cleans up).  Skips (exit 77), saying
   why, where that is not possible. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#define HUGE_PAGE (2u << 20)
enum { reserved_pages = 16 };

static char huge_dir[64], thp_dir[64];

static long meminfo(const char *key) {
  FILE *f = fopen("/proc/meminfo", "re");
  if (!f) return -1;
  char line[256];
  long value = -1;
  const size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0 && line[n] == ':') value = atol(line + n + 1);
  fclose(f);
  return value;
}

static long read_long(const char *path) {
  FILE *f = fopen(path, "re");
  long v = -1;
  if (f) {
    if (fscanf(f, "%ld", &v) != 1) v = -1;
    fclose(f);
  }
  return v;
}

static int write_long(const char *path, long v) {
  FILE *f = fopen(path, "we");
  if (!f) return -1;
  int ok = fprintf(f, "%ld\n", v) > 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

static npshm_options *in_dir(const char *dir) {
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_directory(o, dir), NPSHM_OK);
  return o;
}

static void test_hugetlbfs_create_attach_close(void **state) {
  (void)state;
  const long free_before = meminfo("HugePages_Free");
  npshm_options *o = in_dir(huge_dir);
  const double fill = 4.25;
  npshm_options_set_fill(o, &fill, sizeof fill);
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_OWNER);
  const int64_t n = 3 * 100000 + 7; /* not a whole number of huge pages */
  npshm_array *a = npshm_create("huge", "<f8", 1, &n, NPSHM_ORDER_C, o);
  if (!a) fail_msg("create on hugetlbfs: %s", npshm_last_message());
  assert_int_equal(npshm_data_offset(a) % HUGE_PAGE, 0);
  assert_int_equal(npshm_page_size(a), HUGE_PAGE);
  npshm_info *info = npshm_stat("huge", o);
  assert_non_null(info);
  assert_int_equal(npshm_info_page_size(info), HUGE_PAGE);
  npshm_info_free(info);
  const double *d = npshm_data(a);
  assert_true(d[0] == 4.25 && d[n - 1] == 4.25);
  assert_true(meminfo("HugePages_Free") < free_before);

  /* another handle, and another process */
  npshm_options *plain = in_dir(huge_dir);
  npshm_array *b = npshm_attach("huge", plain);
  if (!b) fail_msg("attach on hugetlbfs: %s", npshm_last_message());
  ((double *)npshm_data(b))[5] = -1;
  assert_true(d[5] == -1);
  assert_int_equal(npshm_close(b), NPSHM_OK);

  /* what numpy.load(mmap_mode=...) does: map the data at its offset (numpy
     wants max_header_size raised for a header of 2 MiB) */
  int fd = open(npshm_path(a), O_RDONLY | O_CLOEXEC);
  assert_true(fd >= 0);
  void *p = mmap(NULL, (size_t)n * 8, PROT_READ, MAP_SHARED, fd, (off_t)npshm_data_offset(a));
  assert_true(p != MAP_FAILED);
  assert_true(((const double *)p)[n - 1] == 4.25);
  /* hugetlbfs unmaps whole huge pages only (else EINVAL, and the pages
     stay held): the mistake the library itself must not make */
  assert_int_equal(munmap(p, ((size_t)n * 8 + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE), 0);
  close(fd);
  if (access("/usr/bin/python3", X_OK) == 0) {
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys, numpy; a = numpy.load(sys.argv[1], mmap_mode=\"r\", max_header_size=2**22); "
             "sys.exit(0 if a[5] == -1 and a[-1] == 4.25 else 1)' %s 2>/dev/null",
             npshm_path(a));
    const int rc = system(cmd);
    /* 0: numpy mapped it; anything else but "no numpy" (exit 1 from the
       import) is a failure */
    if (rc != 0 && system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0)
      fail_msg("numpy.load(mmap_mode='r') of %s failed", npshm_path(a));
  }

  if (npshm_close(a) != NPSHM_OK) fail_msg("close: %s", npshm_last_message()); /* OWNER: unlinks */
  assert_int_equal(meminfo("HugePages_Free"), free_before);
  npshm_options_free(o);
  npshm_options_free(plain);
}

static void test_hugetlbfs_load_and_save(void **state) {
  (void)state;
  const long free_before = meminfo("HugePages_Free");
  /* an array in ordinary shm, saved as a .npy, loaded into hugetlbfs, saved back */
  enum { count = 400000 };
  const int64_t n = count;
  npshm_array *src = create_or_fail("plain", "<i4", 1, &n, NPSHM_ORDER_C, NULL);
  assert_true(npshm_page_size(src) >= 4096);
  assert_int_equal(npshm_page_size(NULL), 0);
  int32_t *v = npshm_data(src);
  for (int i = 0; i < count; ++i) v[i] = i * 3;
  char npy[128], back[128];
  snprintf(npy, sizeof npy, "%s/in.npy", private_dir());
  snprintf(back, sizeof back, "%s/back.npy", private_dir());
  assert_int_equal(npshm_save(src, npy, NULL), NPSHM_OK);

  npshm_options *o = in_dir(huge_dir);
  npshm_array *h = npshm_load(npy, "loaded", o);
  if (!h) fail_msg("load into hugetlbfs: %s", npshm_last_message());
  assert_int_equal(npshm_data_offset(h) % HUGE_PAGE, 0);
  assert_memory_equal(npshm_data(h), v, sizeof(int32_t) * count);
  if (npshm_save(h, back, NULL) != NPSHM_OK) fail_msg("save from hugetlbfs: %s", npshm_last_message());
  npshm_unlink(h);
  npshm_close(h);

  char uri[160];
  snprintf(uri, sizeof uri, "file://%s", back);
  npshm_array *r = npshm_attach(uri, NULL);
  assert_non_null(r);
  assert_memory_equal(npshm_data(r), v, sizeof(int32_t) * count);
  npshm_close(r);
  npshm_close(src);
  unlink(npy);
  unlink(back);
  npshm_options_free(o);
  assert_int_equal(meminfo("HugePages_Free"), free_before);
}

/* The recipe of docs/huge-pages.md: a tmpfs mounted huge=always as the shm
   directory works with the whole API. */
static void test_huge_tmpfs_directory(void **state) {
  (void)state;
  npshm_options *o = in_dir(thp_dir);
  const int64_t n = 3 * (HUGE_PAGE / 8);
  npshm_array *a = npshm_create("thp", "<f8", 1, &n, NPSHM_ORDER_C, o);
  if (!a) fail_msg("create on a huge tmpfs: %s", npshm_last_message());
  assert_int_equal(npshm_page_size(a), HUGE_PAGE);
  double *d = npshm_data(a);
  for (int64_t i = 0; i < n; i += 512) d[i] = (double)i;
  npshm_array *b = npshm_attach("thp", o);
  assert_non_null(b);
  assert_true(((double *)npshm_data(b))[n - 512] == (double)(n - 512));
  npshm_close(b);
  npshm_unlink(a);
  npshm_close(a);
  npshm_options_free(o);
}

static int run_huge_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_hugetlbfs_create_attach_close, setup_private_dir, teardown_private_dir),
      cmocka_unit_test_setup_teardown(test_hugetlbfs_load_and_save, setup_private_dir, teardown_private_dir),
      cmocka_unit_test_setup_teardown(test_huge_tmpfs_directory, setup_private_dir, teardown_private_dir),
  };
  return cmocka_run_group_tests_name("huge_pages", tests, NULL, NULL);
}

static int skip_all(const char *why) {
  printf("SKIP: %s\n", why);
  return 77;
}

int main(void) {
  if (geteuid() != 0) return skip_all("needs root (mounts hugetlbfs and tmpfs, sets vm.nr_hugepages)");
  const char *nr_path = "/proc/sys/vm/nr_hugepages";
  const long nr_before = read_long(nr_path);
  if (nr_before < 0) return skip_all("no /proc/sys/vm/nr_hugepages (kernel without hugetlb)");
  snprintf(huge_dir, sizeof huge_dir, "/run/npshm-hugetest-%ld", (long)getpid());
  snprintf(thp_dir, sizeof thp_dir, "/run/npshm-thptest-%ld", (long)getpid());
  if (mkdir(huge_dir, 0700) != 0 || mkdir(thp_dir, 0700) != 0) return skip_all("cannot make the mount points");
  int status = 77;
  const char *why = NULL;
  if (write_long(nr_path, nr_before + reserved_pages) != 0 || read_long(nr_path) < nr_before + reserved_pages)
    why = "cannot reserve huge pages (vm.nr_hugepages)";
  else if (mount("none", huge_dir, "hugetlbfs", 0, "size=24M,pagesize=2M") != 0)
    why = "cannot mount hugetlbfs";
  else if (mount("none", thp_dir, "tmpfs", 0, "size=16M,huge=always") != 0)
    why = "cannot mount a tmpfs with huge=always";
  if (!why) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) _exit(run_huge_tests());
    int ws = 0;
    waitpid(child, &ws, 0);
    status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  }
  /* restore, whatever happened */
  umount2(thp_dir, MNT_DETACH);
  umount2(huge_dir, MNT_DETACH);
  rmdir(thp_dir);
  rmdir(huge_dir);
  write_long(nr_path, nr_before);
  if (why) return skip_all(why);
  if (read_long(nr_path) != nr_before) {
    fprintf(stderr, "huge_pages: vm.nr_hugepages not restored to %ld\n", nr_before);
    return 1;
  }
  return status;
}
