/* Waiting from R (waiting.c; SWIG wraps these as npc_r_wait_created, ...).
 * Names are single strings (as npshm_r_attach takes them); versions and
 * timeouts are doubles (versions exact up to 2^53; timeout < 0: none).
 * Waits run in slices of at most 0.1 s with R_CheckUserInterrupt() between
 * them, so Ctrl-C / Esc interrupts them; a timeout raises the condition
 * npshm_timeout (from the core's code table). */
#ifndef NPSHM_R_WAITING_H
#define NPSHM_R_WAITING_H

#include <Rinternals.h>

SEXP npshm_r_wait_created(SEXP name, double timeout);
SEXP npshm_r_wait_released(SEXP name, double timeout);
/* The version of the array name; notify needs write access.  Both keep one
   handle per name and access open in this R session (so a LAST array is
   not removed by a short-lived handle's close). */
SEXP npshm_r_notify(SEXP name);
SEXP npshm_r_version(SEXP name);
SEXP npshm_r_wait_changed(SEXP name, double seen, double timeout);
/* Array locks on the handle of the view x (npshm_lock, npshm_unlock in
   the core): exclusive or shared; the lock is waited for in the same
   interruptible slices, a timeout raises npshm_timeout. */
SEXP npshm_r_lock(SEXP x, int exclusive, double timeout);
SEXP npshm_r_unlock(SEXP x);

#endif
