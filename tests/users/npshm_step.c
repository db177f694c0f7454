/* One npshm operation per run, for the multi-user tests: they run it as
   one user or another (setpriv) against a private shm directory (NPSHM_DIR).
   Prints "OK [details]" or "ERR <slug> <message>" and exits 0 (the outcome
   is in the output; a crash or hang is what the tests look for besides).

     npshm_step create NAME [MODE_OCTAL [LIFETIME [exist_ok|-] [hold]]]
                                              (hold: close only at stdin EOF)
     npshm_step attach NAME [ro] [allow]      attach, read every byte, close
     npshm_step hold NAME [allow]             attach, then wait for stdin EOF
     npshm_step write NAME VALUE [allow]      attach, fill with VALUE, close
     npshm_step sum NAME [allow]              attach read-only, print the sum
     npshm_step ref FILE VALUE [writable] [allow]
                                              attach the reference whose text
                                              FILE holds (npshm_ref_attach;
                                              writable: ask for write access),
                                              fill with VALUE if the handle is
                                              writable, print ro= and the sum
     npshm_step save NAME PATH                npshm_save_name
     npshm_step remove NAME
     npshm_step stat NAME
     npshm_step list
     npshm_step gc                            (minimum age 0)
     npshm_step notify NAME [ro] [allow]      attach, notify, print the version
     npshm_step wait_changed NAME SEEN SECONDS [allow]
                                              attach read-only, wait for a change
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npshm.h"

static int fail(void) {
  char slug[64];
  snprintf(slug, sizeof slug, "%s", npshm_error_name(npshm_last_error()));
  printf("ERR %s %s\n", slug, npshm_last_message());
  return 0;
}

static int has(int argc, char **argv, const char *word) {
  for (int i = 3; i < argc; ++i)
    if (strcmp(argv[i], word) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) return 2;
  const char *op = argv[1];
  const char *name = argc > 2 ? argv[2] : NULL;
  npshm_options *o = npshm_options_new();
  npshm_options_set_allow_other_owner(o, has(argc, argv, "allow"));
  npshm_options_set_readonly(o, has(argc, argv, "ro") || strcmp(op, "sum") == 0);
  if (strcmp(op, "create") == 0) {
    if (argc > 3) npshm_options_set_mode(o, (unsigned)strtoul(argv[3], NULL, 8));
    if (argc > 4) npshm_options_set_lifetime(o, npshm_lifetime_from_name(argv[4]));
    if (argc > 5) npshm_options_set_exist_ok(o, strcmp(argv[5], "exist_ok") == 0);
    const int64_t shape[1] = {1024};
    npshm_array *a = npshm_create(name, "<f8", 1, shape, NPSHM_ORDER_C, o);
    if (!a) return fail();
    printf("OK creator=%d\n", npshm_is_creator(a));
    fflush(stdout);
    if (has(argc, argv, "hold")) { /* keep it until stdin closes */
      int c;
      while ((c = getchar()) != EOF) {
      }
    }
    npshm_close(a);
    return 0;
  }
  if (strcmp(op, "attach") == 0 || strcmp(op, "hold") == 0 || strcmp(op, "sum") == 0 ||
      strcmp(op, "write") == 0) {
    npshm_array *a = npshm_attach(name, o);
    if (!a) return fail();
    double sum = 0;
    const double *d = npshm_data(a);
    size_t n = npshm_nbytes(a) / sizeof(double);
    if (strcmp(op, "write") == 0)
      for (size_t i = 0; i < n; ++i) ((double *)npshm_data(a))[i] = atof(argv[3]);
    for (size_t i = 0; i < n; ++i) sum += d[i];
    printf("OK sum=%g lifetime=%s owner-ok\n", sum, npshm_lifetime_name(npshm_lifetime(a)));
    if (strcmp(op, "hold") == 0) {
      int c;
      while ((c = getchar()) != EOF) {
      }
    }
    if (npshm_close(a) != NPSHM_OK) return fail();
    return 0;
  }
  if (strcmp(op, "ref") == 0) {
    char text[4096] = "";
    FILE *f = fopen(name, "r");
    if (!f) return printf("ERR cannot open %s\n", name), 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    if (n > 0 && text[n - 1] == '\n') text[n - 1] = '\0';
    npshm_options_set_readonly(o, 0);
    npshm_options_set_ref_writable(o, has(argc, argv, "writable"));
    npshm_ref *ref = npshm_ref_parse(text);
    if (!ref) return fail();
    npshm_array *a = npshm_ref_attach(ref, o);
    npshm_ref_free(ref);
    if (!a) return fail();
    const size_t count = npshm_nbytes(a) / sizeof(double);
    if (!npshm_is_readonly(a))
      for (size_t i = 0; i < count; ++i) ((double *)npshm_data(a))[i] = atof(argv[3]);
    double sum = 0;
    for (size_t i = 0; i < count; ++i) sum += ((const double *)npshm_data(a))[i];
    printf("OK ro=%d sum=%g\n", npshm_is_readonly(a), sum);
    if (npshm_close(a) != NPSHM_OK) return fail();
    return 0;
  }
  if (strcmp(op, "notify") == 0 || strcmp(op, "wait_changed") == 0) {
    const int wait = strcmp(op, "wait_changed") == 0;
    if (wait) npshm_options_set_readonly(o, 1);
    npshm_array *a = npshm_attach(name, o);
    if (!a) return fail();
    uint64_t v = 0;
    const int rc = wait ? npshm_wait_changed(a, strtoull(argv[3], NULL, 10), atof(argv[4]), &v)
                        : npshm_notify(a, &v);
    if (rc != NPSHM_OK) return fail();
    printf("OK version=%llu\n", (unsigned long long)v);
    npshm_close(a);
    return 0;
  }
  if (strcmp(op, "save") == 0) {
    if (npshm_save_name(name, argv[3], o) != NPSHM_OK) return fail();
    printf("OK\n");
    return 0;
  }
  if (strcmp(op, "remove") == 0) {
    if (npshm_remove(name, o) != NPSHM_OK) return fail();
    printf("OK\n");
    return 0;
  }
  if (strcmp(op, "stat") == 0) {
    npshm_info *i = npshm_stat(name, o);
    if (!i) return fail();
    printf("OK status=%s message=%s\n", npshm_error_name(npshm_info_status(i)), npshm_info_message(i));
    npshm_info_free(i);
    return 0;
  }
  if (strcmp(op, "list") == 0 || strcmp(op, "gc") == 0) {
    npshm_options_set_gc_min_age(o, 0);
    npshm_list *l = strcmp(op, "list") == 0 ? npshm_list_arrays(o) : npshm_gc(o, 0);
    if (!l) return fail();
    printf("OK");
    for (size_t i = 0; i < npshm_list_size(l); ++i) printf(" %s", npshm_info_name(npshm_list_get(l, i)));
    printf("\n");
    npshm_list_free(l);
    return 0;
  }
  return 2;
}
