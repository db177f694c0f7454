/* Safety against hostile files and hostile co-users, at the C level:
   links, FIFOs, sockets, devices and directories at a name; leases; files
   of other users; squatting; copies of lifetime arrays; removal racing a
   re-creation; truncation; reservation; save's mode and leftovers;
   escaped messages; NPY header encodings.  (The tests that need two real
   accounts are in tests/users.)  A test name given as argument runs only
   the tests whose names match it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* ---- interposed system calls (this executable's definitions win over
   libc's for calls made from libnpshm) ---------------------------------- */

/* unlink: when armed for a path, first let another process remove that
   name and create a new array under it (what a racing remover and creator
   would do), then unlink. */
static char race_path[600];
static char race_name[64];
static int race_recreated = -1; /* -1 not run, 0 the other remover was refused, 1 it re-created */

static int race_child(void *arg) {
  (void)arg;
  if (npshm_remove(race_name, NULL) != NPSHM_OK) return 1;
  const int64_t shape[1] = {1};
  npshm_array *a = npshm_create(race_name, "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  if (!a) return 2;
  npshm_close(a);
  return 0;
}

int unlink(const char *path) {
  static int (*real)(const char *);
  if (!real) {
    void *sym = dlsym(RTLD_NEXT, "unlink");
    memcpy(&real, &sym, sizeof real); /* (ISO C has no object-to-function cast) */
  }
  if (race_path[0] && strcmp(path, race_path) == 0) {
    race_path[0] = '\0';
    int rc = run_in_child(race_child, NULL);
    race_recreated = rc == 0 ? 1 : 0;
  }
  return real(path);
}

/* posix_fallocate: "not supported by this file system" when asked to. */
static int fallocate_result;
int posix_fallocate(int fd, off_t offset, off_t len) {
  static int (*real)(int, off_t, off_t);
  if (!real) {
    void *sym = dlsym(RTLD_NEXT, "posix_fallocate");
    memcpy(&real, &sym, sizeof real);
  }
  if (fallocate_result) return fallocate_result;
  return real(fd, offset, len);
}

/* ---- helpers ------------------------------------------------------------ */

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "a call blocked (alarm): it must never wait on a file\n";
  if (write(2, msg, sizeof msg - 1) < 0) _exit(3);
  _exit(3);
}

static void make_array(const char *name, int lifetime) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, lifetime);
  const int64_t shape[1] = {16};
  npshm_array *a = create_or_fail(name, "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  npshm_close(a);
}

static int make_socket(const char *path) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(s);
    return -1;
  }
  return s;
}

static size_t read_whole(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  ssize_t n = read(fd, buf, cap);
  close(fd);
  assert_true(n >= 0);
  return (size_t)n;
}

/* ---- tests -------------------------------------------------------------- */

static void test_odd_things_at_a_name_are_refused(void **state) {
  (void)state;
  signal(SIGALRM, on_alarm);
  alarm(20);
  make_array("real", NPSHM_LIFETIME_PERSISTENT);
  char target[600];
  snprintf(target, sizeof target, "%s", private_path("real"));
  assert_int_equal(symlink(target, private_path("link")), 0);
  assert_int_equal(mkfifo(private_path("fifo"), 0666), 0);
  int sock = make_socket(private_path("sock"));
  assert_true(sock >= 0);
  assert_int_equal(mkdir(private_path("dir"), 0700), 0);
  int have_dev = mknod(private_path("dev"), S_IFCHR | 0666, makedev(1, 3)) == 0; /* /dev/null's numbers */
  const char *names[] = {"link", "fifo", "sock", "dir", have_dev ? "dev" : NULL};
  const char *kinds[] = {"symbolic link", "FIFO", "socket", "directory", "character device"};
  for (int i = 0; i < 5; ++i) {
    if (!names[i]) continue;
    npshm_options *rw = npshm_options_new();
    assert_null(npshm_attach(names[i], rw));
    assert_last_error(NPSHM_E_FORMAT, names[i], kinds[i]);
    npshm_options_set_readonly(rw, 1);
    assert_null(npshm_attach(names[i], rw));
    assert_last_error(NPSHM_E_FORMAT, names[i], kinds[i]);
    npshm_options_free(rw);

    npshm_info *info = npshm_stat(names[i], NULL);
    assert_non_null(info);
    assert_int_equal(npshm_info_status(info), NPSHM_E_FORMAT);
    assert_non_null(strstr(npshm_info_message(info), kinds[i]));
    npshm_info_free(info);

    assert_int_equal(npshm_remove(names[i], NULL), NPSHM_E_FORMAT);
    char uri[700];
    snprintf(uri, sizeof uri, "file://%s", private_path(names[i]));
    assert_null(npshm_load(private_path(names[i]), "loaded", NULL));
    assert_last_error(NPSHM_E_FORMAT, kinds[i], NULL);
    assert_null(npshm_attach(uri, NULL));
    assert_last_error(NPSHM_E_FORMAT, kinds[i], NULL);
  }
  /* save never replaces (or writes through) any of them */
  npshm_array *a = npshm_attach("real", NULL);
  assert_non_null(a);
  for (int i = 0; i < 5; ++i) {
    if (!names[i]) continue;
    assert_int_equal(npshm_save(a, private_path(names[i]), NULL), NPSHM_E_INVALID);
    assert_last_error(NPSHM_E_INVALID, kinds[i], NULL);
  }
  npshm_close(a);
  struct stat st;
  assert_int_equal(lstat(private_path("link"), &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  npshm_list *list = npshm_list_arrays(NULL);
  assert_non_null(list);
  assert_int_equal(npshm_list_size(list), 1); /* only "real" */
  npshm_list_free(list);
  alarm(0);
  close(sock);
  rmdir(private_path("dir"));
}

static int hold_lease(void *arg) {
  const char *path = arg;
  int fd = open(path, O_RDONLY);
  if (fd < 0 || fcntl(fd, F_SETLEASE, F_WRLCK) != 0) return 1;
  if (write(3, "x", 1) != 1) return 2; /* tell the parent */
  pause();                             /* until killed */
  return 0;
}

static void test_leases_never_block(void **state) {
  (void)state;
  make_array("leased", NPSHM_LIFETIME_PERSISTENT);
  char path[600];
  snprintf(path, sizeof path, "%s", private_path("leased"));
  int pipefd[2];
  assert_int_equal(pipe(pipefd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 3);
    _exit(hold_lease(path));
  }
  char c;
  assert_int_equal(read(pipefd[0], &c, 1), 1);
  signal(SIGALRM, on_alarm);
  alarm(20); /* a lease holder delays openers by 45 s unless O_NONBLOCK */
  assert_null(npshm_attach("leased", NULL));
  assert_last_error(NPSHM_E_BUSY, "shm://leased", "lease");
  /* Once the first open started breaking the lease, the kernel may let a
     read-only open through: busy or fine, but never a wait. */
  npshm_info *info = npshm_stat("leased", NULL);
  assert_non_null(info);
  assert_true(npshm_info_status(info) == NPSHM_E_BUSY || npshm_info_status(info) == NPSHM_OK);
  npshm_info_free(info);
  npshm_list *list = npshm_list_arrays(NULL);
  assert_non_null(list);
  npshm_list_free(list);
  npshm_options *o = npshm_options_new();
  npshm_options_set_gc_min_age(o, 0);
  npshm_list *gone = npshm_gc(o, 0);
  assert_non_null(gone);
  assert_int_equal(npshm_list_size(gone), 0);
  npshm_list_free(gone);
  npshm_options_free(o);
  const int removed = npshm_remove("leased", NULL);
  assert_true(removed == NPSHM_E_BUSY || removed == NPSHM_OK);
  alarm(0);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

static void test_other_users_files_refused_unless_allowed(void **state) {
  (void)state;
  if (geteuid() != 0) skip();
  make_array("theirs", NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(chown(private_path("theirs"), 4242, 4242), 0);
  npshm_options *o = npshm_options_new();
  assert_null(npshm_attach("theirs", o));
  assert_last_error(NPSHM_E_PERMISSION, "shm://theirs", "allow_other_owner");
  npshm_options_set_readonly(o, 1);
  assert_null(npshm_attach("theirs", o));
  assert_last_error(NPSHM_E_PERMISSION, "uid 4242", "SIGBUS");
  assert_int_equal(npshm_options_set_allow_other_owner(o, 1), NPSHM_OK);
  npshm_array *a = npshm_attach("theirs", o);
  assert_non_null(a);
  npshm_close(a);
  npshm_options_free(o);
  assert_int_equal(npshm_options_set_allow_other_owner(NULL, 1), NPSHM_E_INVALID);
}

/* A symbolic link owned by another user (uid 4242) in a sticky
   world-writable directory, pointing to the caller's private directory, is
   refused on the way to every path the caller gives: a file:// attach
   (read-write and read-only), stat and remove, a file:// create, the
   source of a load (absolute and relative), a shm directory, also when
   reached through the caller's own link; nothing of the private directory
   is read, written, removed or created.  The caller's own link is
   followed.  Root (only root can give a link another owner) is the
   caller: the rule binds root too. */
static void test_planted_directory_links_refused_at_every_path_input(void **state) {
  (void)state;
  if (geteuid() != 0) skip(); /* lchown to another user needs root */
  char sticky[600], priv[600], shared[700], data[800], url[820], own[600], via_own[820], fresh[820];
  snprintf(sticky, sizeof sticky, "%s", private_path("sticky"));
  snprintf(priv, sizeof priv, "%s", private_path("private"));
  snprintf(own, sizeof own, "%s", private_path("own"));
  assert_int_equal(mkdir(sticky, 0700), 0);
  assert_int_equal(chmod(sticky, 01777), 0);
  assert_int_equal(mkdir(priv, 0700), 0);
  snprintf(shared, sizeof shared, "%s/shared", sticky);
  snprintf(data, sizeof data, "%s/data.npy", priv);
  make_array("source", NPSHM_LIFETIME_PERSISTENT);
  npshm_array *src = npshm_attach("source", NULL);
  assert_non_null(src);
  ((double *)npshm_data(src))[0] = 42.0;
  assert_int_equal(npshm_save(src, data, NULL), NPSHM_OK);
  npshm_close(src);
  assert_int_equal(symlink(priv, shared), 0);
  assert_int_equal(lchown(shared, 4242, 4242), 0); /* planted by uid 4242 */
  assert_int_equal(symlink(sticky, own), 0);        /* the caller's own link, in a private directory */
  snprintf(url, sizeof url, "file://%s/data.npy", shared);
  snprintf(via_own, sizeof via_own, "file://%s/shared/data.npy", own);
  snprintf(fresh, sizeof fresh, "file://%s/new.npy", shared);

  npshm_options *ro = npshm_options_new();
  npshm_options_set_readonly(ro, 1);
  assert_null(npshm_attach(url, NULL));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow the symbolic link", "uid 4242");
  assert_null(npshm_attach(url, ro));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);
  assert_null(npshm_attach(via_own, ro));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", "shared");
  assert_null(npshm_stat(url, NULL));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);
  assert_int_equal(npshm_remove(url, NULL), NPSHM_E_PERMISSION);
  const int64_t shape[1] = {4};
  assert_null(npshm_create(fresh, "<f8", 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);

  /* load: absolute, and relative to a working directory in the sticky one */
  snprintf(url, sizeof url, "%s/data.npy", shared);
  assert_null(npshm_load(url, "loaded", NULL));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);
  char cwd[600];
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(sticky), 0);
  npshm_array *rel = npshm_load("shared/data.npy", "loaded", NULL);
  const int rel_error = npshm_last_error();
  assert_int_equal(chdir(cwd), 0);
  assert_null(rel);
  assert_int_equal(rel_error, NPSHM_E_PERMISSION);
  assert_int_equal(access(private_path("loaded"), F_OK), -1);

  /* a shm directory through the link: attach, create, list */
  npshm_options *in_dir = npshm_options_new();
  assert_int_equal(npshm_options_set_directory(in_dir, shared), NPSHM_OK);
  assert_null(npshm_attach("data.npy", in_dir));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);
  assert_null(npshm_create("made", "<f8", 1, shape, NPSHM_ORDER_C, in_dir));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);
  assert_null(npshm_list_arrays(in_dir));
  assert_last_error(NPSHM_E_PERMISSION, "refusing to follow", NULL);

  /* nothing in the private directory changed */
  char made[800];
  snprintf(made, sizeof made, "%s/new.npy", priv);
  assert_int_equal(access(made, F_OK), -1);
  snprintf(made, sizeof made, "%s/made", priv);
  assert_int_equal(access(made, F_OK), -1);
  npshm_array *check = npshm_attach(strcat(strcpy(url, "file://"), data), ro);
  assert_non_null(check);
  assert_true(((const double *)npshm_data(check))[0] == 42.0);
  npshm_close(check);

  /* the caller's own link is followed */
  assert_int_equal(lchown(shared, 0, 0), 0);
  snprintf(url, sizeof url, "file://%s/data.npy", shared);
  npshm_array *followed = npshm_attach(url, ro);
  assert_non_null(followed);
  assert_true(((const double *)npshm_data(followed))[0] == 42.0);
  npshm_close(followed);
  npshm_options_free(in_dir);
  npshm_options_free(ro);
}

static void test_exist_ok_reuses_only_trusted_equal_arrays(void **state) {
  (void)state;
  const int64_t shape[1] = {16}, other[1] = {17};
  npshm_options *o = npshm_options_new();
  assert_int_equal(npshm_options_set_exist_ok(o, 1), NPSHM_OK);
  npshm_array *first = npshm_create("eo", "<f8", 1, shape, NPSHM_ORDER_C, o); /* nothing there: creates */
  assert_non_null(first);
  assert_int_equal(npshm_is_creator(first), 1);
  npshm_array *again = npshm_create("eo", "f8", 1, shape, NPSHM_ORDER_C, o);
  assert_non_null(again);
  assert_int_equal(npshm_is_creator(again), 0);
  assert_true(npshm_id(again) == npshm_id(first));
  npshm_close(again);
  assert_null(npshm_create("eo", "<f8", 1, other, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_MISMATCH, "shm://eo", "shape");
  assert_null(npshm_create("eo", "<i8", 1, shape, NPSHM_ORDER_C, NULL)); /* default: EXISTS */
  assert_last_error(NPSHM_E_EXISTS, "shm://eo", NULL);

  /* squatting: writable by others beyond the mode asked for */
  assert_int_equal(chmod(private_path("eo"), 0666), 0);
  assert_null(npshm_create("eo", "<f8", 1, shape, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_PERMISSION, "shm://eo", "writable");
  npshm_options_set_mode(o, 0666); /* asked for: fine */
  again = npshm_create("eo", "<f8", 1, shape, NPSHM_ORDER_C, o);
  assert_non_null(again);
  npshm_close(again);
  npshm_options_set_mode(o, 0600);
  assert_int_equal(chmod(private_path("eo"), 0600), 0);
  if (geteuid() == 0) {
    /* another user's file, even with allow_other_owner */
    assert_int_equal(chown(private_path("eo"), 4242, 4242), 0);
    npshm_options_set_allow_other_owner(o, 1);
    assert_null(npshm_create("eo", "<f8", 1, shape, NPSHM_ORDER_C, o));
    assert_last_error(NPSHM_E_PERMISSION, "shm://eo", "another user");
  }
  /* anything but a regular file */
  assert_int_equal(mkfifo(private_path("eo-fifo"), 0600), 0);
  assert_null(npshm_create("eo-fifo", "<f8", 1, shape, NPSHM_ORDER_C, o));
  assert_last_error(NPSHM_E_FORMAT, "shm://eo-fifo", "FIFO");
  npshm_close(first);
  npshm_options_free(o);
}

static void test_lifetime_applies_only_to_its_own_file(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  const int64_t shape[1] = {16};
  npshm_array *orig = create_or_fail("orig", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  /* cp /dev/shm/orig /dev/shm/snap */
  static char bytes[1 << 16];
  size_t n = read_whole(private_path("orig"), bytes, sizeof bytes);
  write_file(private_path("snap"), bytes, n);

  npshm_array *snap = npshm_attach("snap", NULL);
  assert_non_null(snap);
  assert_int_equal(npshm_lifetime(snap), NPSHM_LIFETIME_PERSISTENT);
  assert_int_equal(npshm_close(snap), NPSHM_OK);
  assert_int_equal(access(private_path("snap"), F_OK), 0);
  npshm_info *info = npshm_stat("snap", NULL);
  assert_int_equal(npshm_info_lifetime(info), NPSHM_LIFETIME_PERSISTENT);
  npshm_info_free(info);
  npshm_options *gc = npshm_options_new();
  npshm_options_set_gc_min_age(gc, 0);
  npshm_list *gone = npshm_gc(gc, 0);
  assert_int_equal(npshm_list_size(gone), 0);
  npshm_list_free(gone);
  assert_int_equal(access(private_path("snap"), F_OK), 0);

  /* file:// of the very file: persistent too; closing it removes nothing */
  char uri[700];
  snprintf(uri, sizeof uri, "file://%s", private_path("orig"));
  npshm_array *byfile = npshm_attach(uri, NULL);
  assert_non_null(byfile);
  assert_int_equal(npshm_lifetime(byfile), NPSHM_LIFETIME_PERSISTENT);
  npshm_close(byfile);
  assert_int_equal(access(private_path("orig"), F_OK), 0);

  assert_int_equal(npshm_lifetime(orig), NPSHM_LIFETIME_LAST);
  npshm_close(orig); /* the real one goes with its last holder */
  assert_int_equal(access(private_path("orig"), F_OK), -1);
  gone = npshm_gc(gc, 0);
  assert_int_equal(npshm_list_size(gone), 0);
  npshm_list_free(gone);
  npshm_options_free(gc);
}

static int make_abandoned(void *arg) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  const int64_t shape[1] = {4};
  npshm_array *a = npshm_create(arg, "<f8", 1, shape, NPSHM_ORDER_C, o);
  return a ? 0 : 1; /* exits holding it: nobody holds it afterwards */
}

static void expect_no_newer_array_removed(void) {
  /* Either the racing remover was kept out (and the name is gone), or it
     re-created the name and that newer array is still there. */
  assert_true(race_recreated != -1);
  if (race_recreated == 1) {
    assert_int_equal(npshm_exists(race_name, NULL), 1);
    npshm_remove(race_name, NULL);
  } else {
    assert_int_equal(npshm_exists(race_name, NULL), 0);
  }
}

static void arm_race(const char *name) {
  snprintf(race_name, sizeof race_name, "%s", name);
  snprintf(race_path, sizeof race_path, "%s", private_path(name));
  race_recreated = -1;
}

static void test_removal_never_hits_a_newer_array(void **state) {
  (void)state;
  const int64_t shape[1] = {4};
  npshm_options *o = npshm_options_new();
  /* a LAST close */
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_LAST);
  npshm_array *a = create_or_fail("race-last", "<f8", 1, shape, NPSHM_ORDER_C, o);
  arm_race("race-last");
  npshm_close(a);
  expect_no_newer_array_removed();
  /* an OWNER close */
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_OWNER);
  a = create_or_fail("race-owner", "<f8", 1, shape, NPSHM_ORDER_C, o);
  arm_race("race-owner");
  npshm_close(a);
  expect_no_newer_array_removed();
  /* npshm_unlink */
  a = create_or_fail("race-unlink", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  arm_race("race-unlink");
  npshm_unlink(a);
  npshm_close(a);
  expect_no_newer_array_removed();
  /* npshm_remove */
  make_array("race-remove", NPSHM_LIFETIME_PERSISTENT);
  arm_race("race-remove");
  npshm_remove("race-remove", NULL);
  expect_no_newer_array_removed();
  /* gc of an abandoned LAST array */
  assert_int_equal(run_in_child(make_abandoned, "race-gc"), 0);
  npshm_options_set_gc_min_age(o, 0);
  arm_race("race-gc");
  npshm_list_free(npshm_gc(o, 0));
  expect_no_newer_array_removed();
  npshm_options_free(o);
}

static int save_after_truncation(void *arg) {
  npshm_array *a = arg;
  int rc = npshm_save(a, private_path("truncated.npy"), NULL);
  return rc == NPSHM_E_FORMAT && strstr(npshm_last_message(), "changed size") ? 0 : 1;
}

static void test_size_change_detected(void **state) {
  (void)state;
  const int64_t shape[1] = {1 << 17}; /* 1 MiB */
  npshm_array *a = create_or_fail("shrinks", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  int fd = open(private_path("shrinks"), O_RDWR);
  assert_int_equal(ftruncate(fd, 4096), 0); /* what the owner could do */
  close(fd);
  assert_int_equal(npshm_msync(a, NPSHM_MS_SYNC), NPSHM_E_FORMAT);
  assert_last_error(NPSHM_E_FORMAT, "shm://shrinks", "changed size");
  assert_int_equal(run_in_child(save_after_truncation, a), 0); /* no SIGBUS */
  assert_int_equal(access(private_path("truncated.npy"), F_OK), -1);
  assert_int_equal(npshm_close(a), NPSHM_E_FORMAT);
  assert_last_error(NPSHM_E_FORMAT, "shm://shrinks", "changed size");
}

static void test_reserve_without_fallocate_writes(void **state) {
  (void)state;
  fallocate_result = EOPNOTSUPP;
  const int64_t shape[1] = {1 << 20}; /* 8 MiB */
  npshm_array *a = create_or_fail("reserved", "<f8", 1, shape, NPSHM_ORDER_C, NULL);
  fallocate_result = 0;
  struct stat st;
  assert_int_equal(stat(private_path("reserved"), &st), 0);
  /* every page exists (a plain ftruncate would leave the file sparse) */
  assert_true((uint64_t)st.st_blocks * 512 >= (uint64_t)st.st_size);
  npshm_close(a);
}

static int progress_calls;
static int count_progress(uint64_t done, uint64_t total, void *ctx) {
  (void)done;
  (void)total;
  (void)ctx;
  ++progress_calls;
  return 0;
}

static void test_load_reserves_first(void **state) {
  (void)state;
  make_array("src", NPSHM_LIFETIME_PERSISTENT);
  char src[600];
  snprintf(src, sizeof src, "%s", private_path("src"));
  npshm_options *o = npshm_options_new();
  npshm_options_set_progress(o, count_progress, NULL);
  progress_calls = 0;
  fallocate_result = ENOSPC; /* a full shm file system */
  assert_null(npshm_load(src, "dst", o));
  fallocate_result = 0;
  assert_last_error(NPSHM_E_NO_SPACE, "shm://dst", "no space");
  assert_int_equal(progress_calls, 0); /* failed before copying anything */
  assert_int_equal(npshm_exists("dst", NULL), 0);
  npshm_options_free(o);
}

static void test_save_keeps_modes(void **state) {
  (void)state;
  npshm_options *o = npshm_options_new();
  npshm_options_set_mode(o, 0640);
  const int64_t shape[1] = {8};
  npshm_array *a = create_or_fail("moded", "<f8", 1, shape, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  struct stat st;
  assert_int_equal(npshm_save(a, private_path("new.npy"), NULL), NPSHM_OK);
  assert_int_equal(stat(private_path("new.npy"), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640); /* the array's */
  write_file(private_path("private.npy"), "old", 3);
  assert_int_equal(chmod(private_path("private.npy"), 0600), 0);
  assert_int_equal(chmod(private_path("moded"), 0644), 0);
  assert_int_equal(npshm_save(a, private_path("private.npy"), NULL), NPSHM_OK);
  assert_int_equal(stat(private_path("private.npy"), &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600); /* the existing file's */
  assert_true(st.st_size > 3);
  if (geteuid() == 0) {
    /* Another user's world-writable file at the target (planted in a shared
       directory) lends its mode to nobody: the array's mode applies. */
    write_file(private_path("planted.npy"), "old", 3);
    assert_int_equal(chown(private_path("planted.npy"), 65534, 65534), 0);
    assert_int_equal(chmod(private_path("planted.npy"), 0666), 0);
    assert_int_equal(npshm_save(a, private_path("planted.npy"), NULL), NPSHM_OK);
    assert_int_equal(stat(private_path("planted.npy"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644); /* the array's, not 0666 */
    assert_int_equal(st.st_uid, 0);
  }
  npshm_close(a);
}

static int kill_myself(uint64_t done, uint64_t total, void *ctx) {
  (void)total;
  (void)ctx;
  if (done > 0) kill(getpid(), SIGKILL);
  return 0;
}

static int save_and_die(void *arg) {
  (void)arg;
  const int64_t shape[1] = {(int64_t)9 << 20}; /* 72 MiB: more than one progress step */
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, NPSHM_LIFETIME_OWNER);
  npshm_array *a = npshm_create("big", "<f8", 1, shape, NPSHM_ORDER_C, o);
  if (!a) return 1;
  npshm_options_set_progress(o, kill_myself, NULL);
  npshm_save(a, private_path("target.npy"), o);
  return 2;
}

static void test_killed_save_leaves_nothing(void **state) {
  (void)state;
  write_file(private_path("target.npy"), "old", 3);
  assert_int_equal(run_in_child(save_and_die, NULL), 128 + SIGKILL);
  npshm_options *gc = npshm_options_new();
  npshm_options_set_gc_min_age(gc, 0);
  npshm_list_free(npshm_gc(gc, 0)); /* the dead saver's OWNER array */
  npshm_options_free(gc);
  assert_int_equal(count_entries(private_dir()), 1); /* target.npy only, unchanged */
  char buf[8];
  assert_int_equal(read_whole(private_path("target.npy"), buf, sizeof buf), 3);
}

static void test_messages_are_escaped(void **state) {
  (void)state;
  char header[128];
  memset(header, ' ', sizeof header);
  const char dict[] = "{'descr': '\x1b[2J\xe2\x80\xae<f8', 'fortran_order': False, 'shape': (1,), }";
  memcpy(header, "\x93NUMPY\x03\x00", 8);
  uint32_t len = sizeof header - 12;
  memcpy(header + 8, &len, 4);
  memcpy(header + 12, dict, sizeof dict - 1);
  header[sizeof header - 1] = '\n';
  char file[256 + 8];
  memcpy(file, header, sizeof header);
  memset(file + sizeof header, 0, 8);
  write_file(private_path("hostile"), file, sizeof header + 8);
  assert_null(npshm_attach("hostile", NULL));
  const char *m = npshm_last_message();
  assert_null(strchr(m, '\x1b'));
  assert_null(strstr(m, "\xe2\x80\xae"));
  assert_non_null(strstr(m, "\\x1b[2J"));
  assert_non_null(strstr(m, "\\u202e"));
  npshm_info *info = npshm_stat("hostile", NULL);
  assert_null(strchr(npshm_info_message(info), '\x1b'));
  npshm_info_free(info);
  /* a name with a bidi override and a C1 control */
  assert_null(npshm_attach("evil\xe2\x80\xae\xc2\x9bname", NULL));
  m = npshm_last_message();
  assert_null(strstr(m, "\xe2\x80\xae"));
  assert_null(strstr(m, "\xc2\x9b"));
  assert_non_null(strstr(m, "evil\\u202e\\u009bname"));
}

static int header_version(const char *path) {
  char buf[8];
  assert_int_equal(read_whole(path, buf, sizeof buf), 8);
  return buf[6];
}

static void test_header_encodings(void **state) {
  (void)state;
  const int64_t shape[1] = {2};
  npshm_array *a = create_or_fail("latin", "[('\xc3\xa9t\xc3\xa9', '<f8')]", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_close(a);
  assert_int_equal(header_version(private_path("latin")), 1);
  static char bytes[8192];
  size_t n = read_whole(private_path("latin"), bytes, sizeof bytes);
  assert_true(memmem(bytes, n, "'\xe9t\xe9'", 5) != NULL); /* latin-1, as numpy writes v1 */
  a = npshm_attach("latin", NULL);
  assert_non_null(a);
  assert_string_equal(npshm_dtype(a), "[('\xc3\xa9t\xc3\xa9', '<f8')]"); /* UTF-8 inside */
  npshm_close(a);
  a = create_or_fail("cjk", "[('\xe6\x97\xa5', '<f8')]", 1, shape, NPSHM_ORDER_C, NULL);
  npshm_close(a);
  assert_int_equal(header_version(private_path("cjk")), 3); /* needs UTF-8 */
  a = npshm_attach("cjk", NULL);
  assert_string_equal(npshm_dtype(a), "[('\xe6\x97\xa5', '<f8')]");
  npshm_close(a);
  assert_null(npshm_create("dup", "[('a', '<f8'), ('a', '<i4')]", 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "duplicate field name", NULL);
  assert_null(npshm_create("dup", "[(('t', 'a'), '<f8'), ('t', '<i4')]", 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "duplicate field name", NULL);
  /* only plain void fields named '' are padding: other '' names are names */
  assert_null(npshm_create("dup", "[('', '<f8'), ('', '<i4')]", 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "duplicate field name", NULL);
  assert_null(npshm_create("dup", "[('', [('x', '|V2')]), ('', [('y', '|V2')])]", 1, shape, NPSHM_ORDER_C, NULL));
  assert_last_error(NPSHM_E_INVALID, "duplicate field name", NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      T(test_odd_things_at_a_name_are_refused),
      T(test_leases_never_block),
      T(test_other_users_files_refused_unless_allowed),
      T(test_planted_directory_links_refused_at_every_path_input),
      T(test_exist_ok_reuses_only_trusted_equal_arrays),
      T(test_lifetime_applies_only_to_its_own_file),
      T(test_removal_never_hits_a_newer_array),
      T(test_size_change_detected),
      T(test_reserve_without_fallocate_writes),
      T(test_load_reserves_first),
      T(test_save_keeps_modes),
      T(test_killed_save_leaves_nothing),
      T(test_messages_are_escaped),
      T(test_header_encodings),
  };
  if (argc > 1) cmocka_set_test_filter(argv[1]);
  return cmocka_run_group_tests_name("safety", tests, NULL, NULL);
}
