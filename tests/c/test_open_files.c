/* One open file description (one holder lock) per array per process,
   shared by all of the process's handles: lifetimes still count processes
   right, also across fork() and with threads attaching and closing at once;
   npshm_stat's holder count. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "support.h"

static npshm_options *with_lifetime(int lifetime) {
  npshm_options *o = npshm_options_new();
  npshm_options_set_lifetime(o, lifetime);
  return o;
}

static int holders_of(const char *name) {
  npshm_info *info = npshm_stat(name, NULL);
  assert_non_null(info);
  int n = npshm_info_holders(info);
  npshm_info_free(info);
  return n;
}

static int open_descriptors(void) {
  int n = 0;
  for (int fd = 0; fd < 4096; ++fd)
    if (fcntl(fd, F_GETFD) != -1) ++n;
  return n;
}

static void test_many_handles_one_lock(void **state) {
  (void)state;
  npshm_options *o = with_lifetime(NPSHM_LIFETIME_LAST);
  const int64_t n = 16;
  npshm_array *first = create_or_fail("many", "<i8", 1, &n, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  const int fds_before = open_descriptors();
  enum { count = 200 };
  npshm_array *h[count];
  for (int i = 0; i < count; ++i) {
    h[i] = npshm_attach("many", NULL);
    assert_non_null(h[i]);
    ((int64_t *)npshm_data(h[i]))[i % n] = i;
  }
  assert_int_equal(open_descriptors(), fds_before); /* no descriptor per handle */
  assert_int_equal(holders_of("many"), 1);
  assert_int_equal(((int64_t *)npshm_data(first))[199 % n], 199);
  /* closing every handle but one (the creator's first) never removes it */
  for (int i = 0; i < count; ++i) {
    assert_int_equal(npshm_close(h[i]), NPSHM_OK);
    assert_int_equal(npshm_exists("many", NULL), 1);
  }
  assert_int_equal(holders_of("many"), 1);
  npshm_close(first); /* the process's last handle: LAST removes it */
  assert_int_equal(npshm_exists("many", NULL), 0);
}

static void test_creator_first_then_attached_last(void **state) {
  (void)state;
  npshm_options *o = with_lifetime(NPSHM_LIFETIME_LAST);
  const int64_t n = 4;
  npshm_array *created = create_or_fail("order", "<f8", 1, &n, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  npshm_array *attached = npshm_attach("order", NULL);
  assert_non_null(attached);
  npshm_close(created);
  assert_int_equal(npshm_exists("order", NULL), 1);
  assert_int_equal(holders_of("order"), 1);
  ((double *)npshm_data(attached))[3] = 1.5; /* still mapped, still ours */
  npshm_close(attached);
  assert_int_equal(npshm_exists("order", NULL), 0);
}

static void test_stat_holders(void **state) {
  (void)state;
  const int64_t n = 4;
  npshm_array *a = create_or_fail("held", "<f8", 1, &n, NPSHM_ORDER_C, NULL);
  assert_int_equal(holders_of("held"), 1);
  npshm_close(a);
  assert_int_equal(holders_of("held"), 0);
}

/* A child attaches the array its parent holds and lets go of everything
   it has: its own new handle must not share the description (and lock) it
   inherited, or its close would find only that lock and take itself for
   the last holder. */
static int child_attach_and_close_all(void *arg) {
  npshm_array *inherited = arg;
  npshm_array *own = npshm_attach("forked", NULL);
  if (!own) return 2;
  npshm_close(inherited); /* a child's inherited handle: only unmapped */
  npshm_close(own);        /* the parent still holds it: not the last */
  return npshm_exists("forked", NULL) == 1 ? 0 : 1;
}

static void test_child_does_not_share_parents_lock(void **state) {
  (void)state;
  npshm_options *o = with_lifetime(NPSHM_LIFETIME_LAST);
  const int64_t n = 4;
  npshm_array *a = create_or_fail("forked", "<f8", 1, &n, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  assert_int_equal(run_in_child(child_attach_and_close_all, a), 0);
  assert_int_equal(npshm_exists("forked", NULL), 1);
  npshm_close(a);
  assert_int_equal(npshm_exists("forked", NULL), 0);
}

struct churn {
  const char *name;
  int failures;
};

static void *attach_close_churn(void *arg) {
  struct churn *c = arg;
  for (int i = 0; i < 300; ++i) {
    npshm_array *h = npshm_attach(c->name, NULL);
    if (!h) {
      ++c->failures;
      continue;
    }
    ((volatile int64_t *)npshm_data(h))[0] += 0;
    if (npshm_close(h) != NPSHM_OK) ++c->failures;
  }
  return NULL;
}

static void test_threads_attach_and_close_at_once(void **state) {
  (void)state;
  npshm_options *o = with_lifetime(NPSHM_LIFETIME_LAST);
  const int64_t n = 4;
  npshm_array *keep = create_or_fail("threads", "<i8", 1, &n, NPSHM_ORDER_C, o);
  npshm_options_free(o);
  enum { nthreads = 4 };
  pthread_t t[nthreads];
  struct churn c[nthreads];
  for (int i = 0; i < nthreads; ++i) {
    c[i].name = "threads";
    c[i].failures = 0;
    assert_int_equal(pthread_create(&t[i], NULL, attach_close_churn, &c[i]), 0);
  }
  for (int i = 0; i < nthreads; ++i) {
    pthread_join(t[i], NULL);
    assert_int_equal(c[i].failures, 0);
  }
  assert_int_equal(npshm_exists("threads", NULL), 1);
  assert_int_equal(holders_of("threads"), 1);
  npshm_close(keep);
  assert_int_equal(npshm_exists("threads", NULL), 0);
}

/* More handles than the process may have descriptors. */
static void test_more_handles_than_descriptors(void **state) {
  (void)state;
  struct rlimit old, low;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
  low = old;
  low.rlim_cur = 64;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
  const int64_t n = 1;
  npshm_array *a = create_or_fail("fds", "<f8", 1, &n, NPSHM_ORDER_C, NULL);
  enum { count = 500 };
  npshm_array *h[count];
  int opened = 0;
  for (; opened < count; ++opened)
    if (!(h[opened] = npshm_attach("fds", NULL))) break;
  for (int i = 0; i < opened; ++i) npshm_close(h[i]);
  npshm_close(a);
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
  assert_int_equal(opened, count);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_private_dir, teardown_private_dir)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_many_handles_one_lock),
      T(test_creator_first_then_attached_last),
      T(test_stat_holders),
      T(test_child_does_not_share_parents_lock),
      T(test_threads_attach_and_close_at_once),
      T(test_more_handles_than_descriptors),
  };
  return cmocka_run_group_tests_name("open_files", tests, NULL, NULL);
}
