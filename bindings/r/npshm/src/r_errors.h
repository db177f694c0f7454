/* npshm errors raised from C as R conditions of classes "npshm_<slug>"
 * and "npshm_error" (R/errors.R makes them from the core's code table). */
#ifndef NPSHM_R_ERRORS_H
#define NPSHM_R_ERRORS_H

#if defined(__GNUC__)
#define NPSHM_R_NORETURN __attribute__((noreturn))
#else
#define NPSHM_R_NORETURN
#endif

/* Raises the condition for code (an NPSHM_E_* value) and errnum (0 for
   none) with the printf-style message. */
NPSHM_R_NORETURN void npshm_r_stop(int code, int errnum, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Raises the library's last failure on this thread (code, errno, message). */
NPSHM_R_NORETURN void npshm_r_stop_last(void);

#endif
