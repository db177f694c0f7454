/* The serialized state of a view, and views made from saved references
 * (see view_state.c for the state's form and what is checked). */
#ifndef NPSHM_R_VIEW_STATE_H
#define NPSHM_R_VIEW_STATE_H

#include <Rinternals.h>
#include "npshm.h"
#include "view_class.h"

/* The text of the core's reference to the whole array a, as an R string. */
SEXP npshm_r_reference_text(const npshm_array *a);

/* The state R serializes for the view x (whose handle must be open). */
SEXP npshm_r_view_state(SEXP x);

/* The view a state names, attached in this process (without attributes);
   an npshm condition if the state is malformed or the array refuses it.
   Reads the states of npshm 0.1.0 too. */
SEXP npshm_r_view_from_state(SEXP state);

/* Who decides the access of a view made from a reference: the reference
   (by the core's rule: writable only for a shm:// array named by its id,
   where this process can write the file), or the caller, who asks for
   read-only or for write access itself. */
enum { NPSHM_R_ACCESS_GRANTED = 0, NPSHM_R_ACCESS_READ = 1, NPSHM_R_ACCESS_WRITE = 2 };

/* The view the reference text names (without attributes), with the access
   given by access, writing in place if inplace and the handle is writable;
   what ("unserialize", "attach") starts the messages. */
SEXP npshm_r_view_of_reference(const char *text, int inplace, int access, const char *what);

/* Sets each attribute of the pairlist on view through Rf_setAttrib, which
   refuses, e.g., a dim that does not match the view's length. */
void npshm_r_set_attributes(SEXP view, SEXP attributes);

/* What the ALTREP classes serialize views with (view_class.h). */
extern const npshm_r_view_serialization npshm_r_views_serialize_as_references;

/* The view a state written by npshm 0.1.0 names, or NULL if the state is
   not one (legacy_state.c). */
SEXP npshm_r_legacy_view(SEXP state);

#endif
