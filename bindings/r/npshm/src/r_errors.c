/* Raising npshm conditions from C; see r_errors.h. */
#include <stdarg.h>
#include <stdio.h>

#include <R.h>
#include <Rinternals.h>

#include "npshm.h"
#include "r_errors.h"

/* Calls npshm:::.raise_npshm(message, code, errno), which signals the
   condition and does not return. */
static void raise_in_r(const char *message, int code, int errnum) {
  SEXP ns = PROTECT(R_FindNamespace(PROTECT(Rf_mkString("npshm"))));
  SEXP msg = PROTECT(Rf_mkString(message));
  SEXP call = PROTECT(Rf_lang4(Rf_install(".raise_npshm"), msg,
                               Rf_ScalarInteger(code), Rf_ScalarInteger(errnum)));
  Rf_eval(call, ns);
  UNPROTECT(4);
  Rf_error("%s", message); /* not reached */
}

void npshm_r_stop(int code, int errnum, const char *fmt, ...) {
  char message[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  raise_in_r(message, code, errnum);
}

void npshm_r_stop_last(void) {
  int code = npshm_last_error();
  npshm_r_stop(code == NPSHM_OK ? NPSHM_E_SYSTEM : code, npshm_last_errno(), "%s",
               npshm_last_message());
}
