/* Shared helpers of the C tests: private shm directories, unique names,
   child processes, small files. */
#ifndef NPSHM_TEST_SUPPORT_H
#define NPSHM_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "npshm.h"

/* cmocka setup/teardown: a fresh private directory under /dev/shm, made the
   library's default through NPSHM_DIR, removed with everything in it. */
int setup_private_dir(void **state);
int teardown_private_dir(void **state);
/* The current private directory. */
const char *private_dir(void);
/* Path of a file in the private directory (static buffer). */
const char *private_path(const char *basename);
/* Number of entries (files, including hidden ones) in a directory. */
int count_entries(const char *dir);

/* "stem-<pid>-<counter>": unique per process and call. */
void unique_name(char *buf, size_t size, const char *stem);

/* Run fn(arg) in a forked child; the child's exit status is fn's return
   value.  Returns the exit status, or 128 + signal if it was killed. */
int run_in_child(int (*fn)(void *), void *arg);

/* Write bytes to path (created 0600 or truncated); asserts on failure. */
void write_file(const char *path, const void *bytes, size_t len);

/* Create a small 1-d or 2-d array, asserting success. */
npshm_array *create_or_fail(const char *name, const char *dtype, int ndim, const int64_t *shape,
                            int order, const npshm_options *opts);

/* Assert that the last error has this code and that its message contains
   both fragments (either may be NULL). */
void assert_last_error(int code, const char *fragment1, const char *fragment2);

#endif
