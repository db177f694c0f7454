/*
 * npshm.h -- share n-dimensional numeric arrays between processes on one
 * machine, with no copies.  This header is the reference documentation of
 * libnpshm's C ABI.
 *
 * ---------------------------------------------------------------------------
 * Conventions
 * ---------------------------------------------------------------------------
 * Segments.  Every array lives in one file that is a valid NumPy .npy file:
 *   an NPY header (padded with spaces so the data starts at a multiple of
 *   4096, normally exactly 4096), the array data, then a small npshm trailer
 *   (magic "NPSHMTRL", the lifetime policy, a random id) that numpy
 *   ignores.  So numpy.load("/dev/shm/NAME", mmap_mode="r") reads an npshm
 *   array without this library, and any .npy written by numpy.save can be
 *   attached.
 *
 * Names.  "shm://NAME" (or just "NAME") is the file NAME in the shm
 *   directory: /dev/shm unless the environment variable NPSHM_DIR or
 *   npshm_options_set_directory() says otherwise.  NAME is 1..200 bytes, has
 *   no '/', does not start with '.', and has no control characters.
 *   "file:///absolute/path.npy" is a .npy file anywhere.
 *
 * Handles.  npshm_create() and npshm_attach() return an npshm_array handle
 *   that owns one mapping of the whole file and shares, with the process's
 *   other handles of that file, one open file description.
 *   npshm_close() releases both; pointers obtained from the handle (data,
 *   shape, strides, strings) are valid until then.  A handle may be used
 *   from any thread; the accessors of one handle may run concurrently;
 *   npshm_close() must not race with other calls on the same handle.
 *
 * Errors.  Functions returning a pointer return NULL on failure; functions
 *   returning int return NPSHM_OK (0) or a negative NPSHM_E_* code.  On
 *   failure, npshm_last_error() returns the code and npshm_last_message()
 *   a message naming the operation, the array and the cause (including the
 *   system error), e.g.
 *     "create shm://big: no space left in /dev/shm for 1.0 GiB
 *      (No space left on device)".
 *   The error state is per thread and is kept until the next failure on that
 *   thread.  A failed call never leaves a file or a mapping behind.
 *
 * Options.  Optional settings travel in an npshm_options object made by
 *   npshm_options_new(); NULL means all defaults.  New settings are added as
 *   new setter functions, so old callers keep working (ABI stays stable).
 *
 * Lifetime.  A process holding handles of an array holds one shared Linux
 *   OFD lock on byte 0 of the file, through one open file description that
 *   all its handles of that file share (so attaching costs the same with
 *   10,000 handles open as with none); the kernel drops it when the process
 *   dies, even by SIGKILL.
 *   NPSHM_LIFETIME_PERSISTENT  kept until unlinked (the default).
 *   NPSHM_LIFETIME_OWNER       the creating handle's close unlinks it.
 *   NPSHM_LIFETIME_LAST        the last handle to close unlinks it, counting
 *                              only live processes.
 *   npshm_gc() unlinks OWNER and LAST segments that no live process holds,
 *   and files left by creators that died half-way; never anything else.
 *   Unlinking removes the name at once; existing mappings stay valid.
 *   At normal process exit (exit(), a return from main, an interpreter's
 *   normal shutdown) an exit hook of the library applies the policies of
 *   the handles still open, whatever still references them: OWNER arrays
 *   this process created are unlinked, LAST holds dropped (unlinked if no
 *   other live process holds them).  Unlink and unlock only: mappings stay
 *   valid; a later npshm_close of such a handle only unmaps.  Never in a
 *   forked child (only the opening process), never at _exit() or a signal.
 *   Holders are locks on byte 0 of every kind: OFD, POSIX record (fcntl,
 *   lockf) and flock locks; another program's lock keeps a LAST array.
 *
 * Space.  Create, load, save (the new file, on the target's file system)
 *   and a writable attach of a file with unallocated
 *   pages (a sparse .npy) reserve the memory up front, after comparing the
 *   request with the free space (statvfs, the owner's block quota): a
 *   reservation that would leave less than max(1%, min(16 MiB, 1/8)) of
 *   the file system free fails with NPSHM_E_NO_SPACE before anything is
 *   allocated, so npshm never fills a shared file system, even for a
 *   moment (other programs' unreserved pages would die of SIGBUS).
 *
 * Trust.  The shm directory is shared with every user; docs/trust-model.md
 *   has the whole model.  Every path another user could control is opened
 *   O_NOFOLLOW | O_NONBLOCK | O_NOCTTY and checked with fstat before use:
 *   links, FIFOs, sockets, devices and directories are refused, a lease
 *   never makes a call wait (NPSHM_E_BUSY).  On the way to any path the
 *   caller gives (a file:// name, a load's source, a save's target, the shm
 *   directory), a symbolic link in a sticky directory others can write
 *   (/tmp, /dev/shm) that belongs neither to the caller nor to that
 *   directory's owner is refused (NPSHM_E_PERMISSION), whatever
 *   fs.protected_symlinks says; other links are followed.  Attach refuses a file owned by
 *   another non-root user unless npshm_options_set_allow_other_owner()
 *   (its owner could truncate it: SIGBUS in every process mapping it, which
 *   no library can prevent; the library's own operations check the size
 *   and fail with NPSHM_E_FORMAT instead).  A lifetime applies only to the
 *   file created with it (device and inode in the trailer), in the shm
 *   directory: copies and file:// names are persistent.  Removal (a
 *   lifetime close, npshm_unlink, npshm_remove, gc) happens under an
 *   exclusive flock "remover lock", after checking that the name still
 *   refers to the file, so it never removes a newer array of the same name.
 *   gc removes only OWNER/LAST arrays bound to their file that no live
 *   process holds.  Error messages escape control, C1 and bidi characters
 *   and invalid UTF-8 of names and header text.
 *
 * Sizes are int64_t (shape, strides: signed, as in NumPy) or size_t (bytes).
 * All strings are NUL-terminated UTF-8.
 */
#ifndef NPSHM_H
#define NPSHM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NPSHM_BUILDING_LIBRARY) && defined(__GNUC__)
#define NPSHM_API __attribute__((visibility("default")))
#else
#define NPSHM_API
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define NPSHM_VERSION_MAJOR 0
#define NPSHM_VERSION_MINOR 1
#define NPSHM_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH */
#define NPSHM_VERSION_NUMBER                                                   \
  (NPSHM_VERSION_MAJOR * 10000 + NPSHM_VERSION_MINOR * 100 + NPSHM_VERSION_PATCH)

/* The version of the library actually loaded, e.g. "0.1.0". */
NPSHM_API const char *npshm_version(void);
/* The same as a number, comparable with NPSHM_VERSION_NUMBER. */
NPSHM_API int npshm_version_number(void);

/* ------------------------------------------------------------------------ */
/* Errors: stable codes (never renumbered)                                  */
/* ------------------------------------------------------------------------ */

/* Error codes (values of npshm_last_error() and int results). */
enum {
  NPSHM_OK = 0,
  NPSHM_E_INVALID = -1,    /* bad argument: name, dtype, shape, option    */
  NPSHM_E_NOT_FOUND = -2,  /* no array of that name                       */
  NPSHM_E_EXISTS = -3,     /* create: the name is taken                   */
  NPSHM_E_NO_SPACE = -4,   /* the shm directory (or disk) is full         */
  NPSHM_E_PERMISSION = -5, /* file or directory permissions deny it       */
  NPSHM_E_FORMAT = -6,     /* not a valid .npy / npshm file: corrupt,
                              truncated, foreign, or unsupported dtype    */
  NPSHM_E_MISMATCH = -7,   /* validation: dtype or shape differs          */
  NPSHM_E_READONLY = -8,   /* operation needs a writable handle           */
  NPSHM_E_BUSY = -9,       /* lock not obtained in time                   */
  NPSHM_E_NO_MEMORY = -10, /* out of memory, or mlock limit reached       */
  NPSHM_E_SYSTEM = -11,    /* any other system error (see the message)    */
  NPSHM_E_CANCELED = -12,  /* a progress callback asked to stop, or a wait
                              was interrupted (npshm_waiter_interrupt)    */
  NPSHM_E_TIMEOUT = -13,   /* a wait or lock ran out of time              */
  /* The most negative code (the last one above): the codes run from -1
     down to NPSHM_E_LAST without gaps, so a binding lists them with
       for (int c = -1; c >= NPSHM_E_LAST; --c) npshm_error_slug(c);
     A newer library may add codes below it (never renumbering these). */
  NPSHM_E_LAST = -13
};

/* Code of the last failure on this thread (NPSHM_OK if none yet). */
NPSHM_API int npshm_last_error(void);
/* Message of the last failure on this thread ("" if none).  Valid until the
   next failing call on this thread. */
NPSHM_API const char *npshm_last_message(void);
/* errno of the system call behind the last failure on this thread, or 0. */
NPSHM_API int npshm_last_errno(void);
/* Symbolic name of a code: "NPSHM_E_NOT_FOUND"; "unknown" for others. */
NPSHM_API const char *npshm_error_name(int code);
/* Short name of a code, for bindings' class names and messages: the symbolic
   name without "NPSHM_E_", in lower case ("not_found"; "ok" for NPSHM_OK);
   NULL for a code the library does not have. */
NPSHM_API const char *npshm_error_slug(int code);
/* The errno that best says in the system's terms what a code means (ENOENT
   for NPSHM_E_NOT_FOUND, ETIMEDOUT for a timeout...), for bindings that map
   codes to their language's errno-based exceptions; 0 for NPSHM_OK and for
   a code the library does not have.  npshm_last_errno() is the errno of the
   actual failure. */
NPSHM_API int npshm_error_errno(int code);
/* Forget the last failure on this thread. */
NPSHM_API void npshm_clear_error(void);

/* ------------------------------------------------------------------------ */
/* Enumerations                                                             */
/* ------------------------------------------------------------------------ */

/* Memory orders (npshm_create's order, npshm_order()). */
enum {
  NPSHM_ORDER_C = 0, /* row-major: last index varies fastest    */
  NPSHM_ORDER_F = 1, /* column-major: first index varies fastest */
  NPSHM_ORDER_COUNT = 2 /* orders run from 0 to NPSHM_ORDER_COUNT - 1 */
};

/* "C", "F" (NumPy's spelling); NULL for an unknown value. */
NPSHM_API const char *npshm_order_name(int order);
/* The inverse; -1 (and NPSHM_E_INVALID as last error) for an unknown name. */
NPSHM_API int npshm_order_from_name(const char *name);

/* Lifetime policies (npshm_options_set_lifetime, npshm_lifetime()). */
enum {
  NPSHM_LIFETIME_PERSISTENT = 0,
  NPSHM_LIFETIME_OWNER = 1,
  NPSHM_LIFETIME_LAST = 2,
  /* Lifetimes run from 0 to NPSHM_LIFETIME_COUNT - 1; list them with
     npshm_lifetime_name.  A newer library may add values. */
  NPSHM_LIFETIME_COUNT = 3
};

/* "persistent", "owner", "last"; NULL for an unknown value. */
NPSHM_API const char *npshm_lifetime_name(int lifetime);
/* The inverse; -1 (and NPSHM_E_INVALID as last error) for an unknown name. */
NPSHM_API int npshm_lifetime_from_name(const char *name);

/* Normalise a dtype description as npshm_create does ("f8" -> "<f8",
   "<i1" -> "|i1", structured lists re-spaced), checking it.  Writes the
   result, NUL-terminated, into out when it fits in cap bytes (out may be
   NULL when cap is 0), and the item size into *itemsize when itemsize is
   not NULL.  Returns the length of the normalised text (if it is >= cap,
   call again with a larger buffer), or NPSHM_E_INVALID. */
NPSHM_API int npshm_dtype_normalize(const char *descr, char *out, size_t cap,
                                    size_t *itemsize);

/* What a dtype is, asked of the library so that no binding parses descr
   text itself.  npshm_dtype_info_new() parses and normalises descr (as
   npshm_dtype_normalize); NULL and NPSHM_E_INVALID for a bad one.  Every
   string and sub-info returned is owned by the info and valid until
   npshm_dtype_info_free() of the outermost info. */
typedef struct npshm_dtype_info npshm_dtype_info;

NPSHM_API npshm_dtype_info *npshm_dtype_info_new(const char *descr);
NPSHM_API void npshm_dtype_info_free(npshm_dtype_info *info); /* NULL is fine */
/* The normalised descr, e.g. "<f8" or "[('x', '<f4'), ('y', '<f4')]". */
NPSHM_API const char *npshm_dtype_info_descr(const npshm_dtype_info *info);
/* One of 'b' 'i' 'u' 'f' 'c' 'S' 'U' 'V' 'M' 'm' ('V' for structured). */
NPSHM_API int npshm_dtype_info_kind(const npshm_dtype_info *info);
/* Bytes per item ("<U3": 12; structured: the sum of the fields). */
NPSHM_API size_t npshm_dtype_info_itemsize(const npshm_dtype_info *info);
/* '<' little-endian, '>' big-endian, '|' not applicable (one byte,
   S, V, structured); never '=' (native is resolved). */
NPSHM_API int npshm_dtype_info_byteorder(const npshm_dtype_info *info);
/* The datetime unit of M and m ("ns", "10s"); "" if none. */
NPSHM_API const char *npshm_dtype_info_unit(const npshm_dtype_info *info);
/* 1 for a structured dtype (a list of fields), else 0. */
NPSHM_API int npshm_dtype_info_is_structured(const npshm_dtype_info *info);
/* Fields of a structured dtype, in order (0 for the others). */
NPSHM_API size_t npshm_dtype_info_nfields(const npshm_dtype_info *info);
/* Field i's name, title (NULL if none), byte offset within the item, type,
   and sub-array shape (ndim 0 for a scalar field).  NULL / 0 / -1 when i
   is out of range. */
NPSHM_API const char *npshm_dtype_info_field_name(const npshm_dtype_info *info, size_t i);
NPSHM_API const char *npshm_dtype_info_field_title(const npshm_dtype_info *info, size_t i);
NPSHM_API size_t npshm_dtype_info_field_offset(const npshm_dtype_info *info, size_t i);
NPSHM_API const npshm_dtype_info *npshm_dtype_info_field_type(const npshm_dtype_info *info,
                                                              size_t i);
NPSHM_API int npshm_dtype_info_field_ndim(const npshm_dtype_info *info, size_t i);
NPSHM_API const int64_t *npshm_dtype_info_field_shape(const npshm_dtype_info *info,
                                                      size_t i);

/* Largest number of dimensions. */
#define NPSHM_MAX_NDIM 64
/* Longest NAME in "shm://NAME", in bytes. */
#define NPSHM_MAX_NAME 200
/* Data offset alignment of created segments. */
#define NPSHM_DATA_ALIGN 4096

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct npshm_options npshm_options;

/* Defaults: lifetime PERSISTENT, mode 0600, zero fill, writable, shm
   directory from NPSHM_DIR or /dev/shm, no expected dtype or shape.
   Returns NULL only when out of memory. */
NPSHM_API npshm_options *npshm_options_new(void);
NPSHM_API void npshm_options_free(npshm_options *opts); /* NULL is fine */

/* create: lifetime policy of the new segment. */
NPSHM_API int npshm_options_set_lifetime(npshm_options *opts, int lifetime);
/* create: permission bits of the new file (0..0777), applied exactly
   (not filtered by the umask). */
NPSHM_API int npshm_options_set_mode(npshm_options *opts, unsigned int mode);
/* create: fill every element with this item (size bytes, which must equal
   the dtype's itemsize; the bytes are copied).  item NULL: zero fill. */
NPSHM_API int npshm_options_set_fill(npshm_options *opts, const void *item,
                                     size_t size);
/* attach: map read-only; writes through the data pointer then fault. */
NPSHM_API int npshm_options_set_readonly(npshm_options *opts, int readonly);
/* create, attach: pre-fault the whole mapping now (populate non-zero), so
   later first touches of the data cost no page faults: the cost is paid
   once, up front, in one call (MADV_POPULATE_WRITE, or MADV_POPULATE_READ
   for a read-only mapping; a MAP_POPULATE mapping on kernels without
   them).  It maps every page into this process (the memory is already
   reserved).  Default 0. */
NPSHM_API int npshm_options_set_populate(npshm_options *opts, int populate);
/* all: the directory that "shm://" names live in (NULL: back to default). */
NPSHM_API int npshm_options_set_directory(npshm_options *opts,
                                          const char *dir);
/* attach: fail with NPSHM_E_MISMATCH unless the dtype equals descr
   (compared after normalisation, so "f8" equals "<f8"); NULL: no check. */
NPSHM_API int npshm_options_set_expected_dtype(npshm_options *opts,
                                               const char *descr);
/* attach: fail with NPSHM_E_MISMATCH unless the shape equals this one.
   ndim -1: no check. */
NPSHM_API int npshm_options_set_expected_shape(npshm_options *opts, int ndim,
                                               const int64_t *shape);

/* Progress of a long copy (npshm_load, npshm_save): called with the bytes
   done so far and the total, at the start, about every 64 MiB, and at the
   end.  Returning non-zero stops the operation: it then fails with
   NPSHM_E_CANCELED and leaves nothing behind. */
typedef int (*npshm_progress_fn)(uint64_t done, uint64_t total, void *context);

/* load, save: report progress to fn (NULL: none), passing context. */
NPSHM_API int npshm_options_set_progress(npshm_options *opts,
                                         npshm_progress_fn fn, void *context);

/* create: when an array of that name exists, attach it instead of failing
   with NPSHM_E_EXISTS -- if its dtype, shape and order equal the ones asked
   for (else NPSHM_E_MISMATCH), and only if it passes the anti-squatting
   check: a regular file owned by the caller or by root, not writable by
   group or others unless the create's mode grants that itself.  Otherwise
   NPSHM_E_PERMISSION naming the cause (so another user cannot make you
   write your data into a file they pre-created and can read).  The handle
   returned is then an attach (npshm_is_creator() is 0; the lifetime is the
   existing array's).  Default 0. */
NPSHM_API int npshm_options_set_exist_ok(npshm_options *opts, int exist_ok);

/* attach: accept a file owned by another user who is
   not root.  By default such a file is refused with NPSHM_E_PERMISSION:
   its owner can truncate it at any moment, and then every process mapping
   it dies of SIGBUS on its next access (see Trust in the conventions).
   Default 0. */
NPSHM_API int npshm_options_set_allow_other_owner(npshm_options *opts, int allow);

/* npshm_ref_attach: map the array writable whatever the reference grants
   (a file:// name, a plain .npy, a read-only reference): this call's own
   request for write access, as npshm_attach without read-only would be
   (NPSHM_E_PERMISSION if the file cannot be opened for writing).  With
   npshm_options_set_readonly too, npshm_ref_attach fails with
   NPSHM_E_INVALID.  Default 0: the reference decides (see Saved
   references).  Other calls ignore it. */
NPSHM_API int npshm_options_set_ref_writable(npshm_options *opts, int writable);

/* save: never replace anything at the target path: fail with
   NPSHM_E_EXISTS if anything has that name (a file, a symbolic link, even a
   dangling one), also when another process makes it while the save runs
   (the new file is published with a link that fails if the name is taken,
   never by a rename over it), and leave nothing behind.  Default 0: a
   regular file there is replaced. */
NPSHM_API int npshm_options_set_no_clobber(npshm_options *opts, int no_clobber);

/* gc: leave unfinished creates younger than this many seconds alone
   (default 10), since a creator locks its file only just after making it. */
NPSHM_API int npshm_options_set_gc_min_age(npshm_options *opts, int seconds);

/* ------------------------------------------------------------------------ */
/* Arrays                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct npshm_array npshm_array;

/* Create a new array and return a writable handle to it.
   dtype: an NPY descr: a type string such as "<f8", "|u1", "<U10", "|S3",
     "|V16", "<M8[ns]", "<m8[10s]", "<c16" (the byte order may be omitted or
     '=': native; kinds b i u f c S U V M m), or a structured descr list as
     numpy writes it: "[('x', '<f4'), ('id', '<i8', (3,))]".
   shape: ndim (0..NPSHM_MAX_NDIM) extents, each >= 0; NULL allowed when
     ndim is 0.  The total size must not overflow.
   order: NPSHM_ORDER_C or NPSHM_ORDER_F.
   The name appears atomically, complete and filled, or not at all: an
   attacher never sees a partial array.  Memory is reserved up front, so a
   full shm directory fails here with NPSHM_E_NO_SPACE instead of SIGBUS
   later (and before anything is allocated when the request would leave
   less than the margin free: see Space above).  Errors: INVALID, EXISTS,
   NO_SPACE, NOT_FOUND (no such directory),
   PERMISSION, NO_MEMORY, SYSTEM. */
NPSHM_API npshm_array *npshm_create(const char *name, const char *dtype,
                                    int ndim, const int64_t *shape, int order,
                                    const npshm_options *opts);

/* npshm_create, with the new array's data a copy of the nbytes at data
   (nbytes must equal the array's size; the bytes in the memory order given
   by order).  The bytes are written into the file before it is mapped or
   named, which is several times quicker than copying through the new
   mapping (no page faults).  Honors opts' lifetime, mode, directory and
   progress.  Errors: those of npshm_create, and INVALID when nbytes
   differs or data is NULL; CANCELED. */
NPSHM_API npshm_array *npshm_create_from(const char *name, const char *dtype,
                                         int ndim, const int64_t *shape,
                                         int order, const void *data,
                                         size_t nbytes,
                                         const npshm_options *opts);

/* Attach an existing array (or any valid .npy file by "file://").
   Honors opts' readonly, directory, expected dtype and shape.
   A read-only attach opens the file read-write when it may (only to take
   the lock a LAST close needs) and maps it read-only.  A writable attach
   of a file with unallocated pages (a sparse .npy) reserves them first
   (NPSHM_E_NO_SPACE if they do not fit: see Space above).
   Errors: INVALID, NOT_FOUND, PERMISSION, FORMAT, MISMATCH, BUSY,
   NO_SPACE, NO_MEMORY, SYSTEM. */
NPSHM_API npshm_array *npshm_attach(const char *name,
                                    const npshm_options *opts);

/* Create an array from a .npy file (any valid header, any NPY version): a
   new segment named name gets the file's dtype, shape, order and data,
   copied by the kernel (copy_file_range/sendfile) straight into the new
   segment, which appears only once complete.  Honors opts' lifetime, mode,
   directory and progress.  Errors: those of npshm_create, plus NOT_FOUND,
   PERMISSION and FORMAT for the source file (the message names it), and
   CANCELED. */
NPSHM_API npshm_array *npshm_load(const char *npy_path, const char *name,
                                  const npshm_options *opts);

/* Write the array to npy_path as a plain .npy file (no npshm trailer).
   A regular file there is replaced atomically and keeps its permission
   bits if the caller owns it; else (no file, or another user's file) the
   new file gets read and write for the caller, read for group and others
   only where the array's file gives them read, write for group and others
   only where the caller owns the array's file and it gives them write,
   less the caller's umask (or the directory's default ACL).  The
   directories of npy_path are followed as the kernel follows them, except
   a symbolic link in a sticky directory that others can write to (as
   /tmp) owned neither by the caller nor by that directory's owner:
   refused with NPSHM_E_PERMISSION, whatever fs.protected_symlinks says.
   Anything
   else at that path -- a device, FIFO, socket, directory or symbolic link
   -- is refused with NPSHM_E_INVALID (never opened, never followed).  The
   data goes from the array's file to the new file in the kernel
   (copy_file_range/sendfile; nothing is read through the mapping), into a
   file with no name (O_TMPFILE) that gets its name only once complete and
   synced (fsync of the file, then of the directory); so a save killed at
   any point leaves the old file or the new one, never a partial one.
   Where the file system cannot make unnamed files, a hidden
   ".NAME.npshm-tmp-PID-RANDOM" beside the target is used instead, and the next
   save to that target removes it if its process died.  With
   npshm_options_set_no_clobber, anything at npy_path fails the save with
   NPSHM_E_EXISTS instead, whenever it appeared.  A file that
   changed size under the handle is refused (NPSHM_E_FORMAT).  Honors opts'
   progress and no-clobber (opts may be NULL).  Errors: INVALID, NOT_FOUND
   (no such directory), EXISTS (no-clobber), PERMISSION, NO_SPACE, FORMAT,
   CANCELED, SYSTEM. */
NPSHM_API int npshm_save(const npshm_array *a, const char *npy_path,
                         const npshm_options *opts);

/* The same by name, without attaching: the array's file is read, never
   mapped or locked, so its lifetime policy is never applied (saving a LAST
   array that nobody else holds does not remove it).  Honors opts'
   directory, progress and no-clobber.  Errors: those of npshm_save, plus NOT_FOUND and
   FORMAT for the array. */
NPSHM_API int npshm_save_name(const char *name, const char *npy_path,
                              const npshm_options *opts);

/* Check an open handle: NPSHM_OK, or NPSHM_E_MISMATCH with a message saying
   what differs.  dtype NULL or ndim -1 skip that check. */
NPSHM_API int npshm_validate(const npshm_array *a, const char *dtype,
                             int ndim, const int64_t *shape);

/* Check a view of the array's data before making one: NPSHM_OK if every
   element of the view that starts offset bytes into the data, with ndim
   extents (shape) and byte strides (negative allowed) of itemsize bytes
   each, lies inside the data (npshm_nbytes bytes); a view with no elements
   needs only 0 <= offset <= npshm_nbytes.  Else NPSHM_E_INVALID with a
   message saying what reaches outside.  The same check npshm_ref_make
   applies.  No arithmetic can overflow. */
NPSHM_API int npshm_check_view(const npshm_array *a, int64_t offset, int ndim,
                               const int64_t *shape, const int64_t *strides,
                               size_t itemsize);

/* Release the handle: apply the lifetime policy (OWNER: the creating handle
   unlinks; LAST: unlinks if no other live handle exists, also when several
   close at once), unmap, close.  A handle that could only open the file
   read-only (no write permission) cannot tell whether it is the last: it
   leaves a LAST array to the other holders or to npshm_gc.
   A handle inherited through fork() is only unmapped and closed in the
   child: the policy is the opening process's to apply.
   The handle is freed even when an error is returned.  NULL is fine. */
NPSHM_API int npshm_close(npshm_array *a);

/* Remove the array's name now (if it still names this array).  The mapping
   stays valid until close; other holders keep theirs.  A read-only handle
   cannot (NPSHM_E_READONLY): a reader never removes an array by itself
   (only the LAST policy, which the creator chose, may). */
NPSHM_API int npshm_unlink(npshm_array *a);

/* Remove an array by name.  Refuses (NPSHM_E_FORMAT) a file that is not a
   valid .npy, so it never deletes a foreign file, and removes the name only
   if it still refers to the file checked (NPSHM_E_NOT_FOUND otherwise;
   NPSHM_E_BUSY if another npshm process keeps removing it). */
NPSHM_API int npshm_remove(const char *name, const npshm_options *opts);

/* 1 if name is an array (a readable, valid .npy), 0 if nothing by that
   name exists, negative error code otherwise (e.g. a foreign file:
   NPSHM_E_FORMAT). */
NPSHM_API int npshm_exists(const char *name, const npshm_options *opts);

/* Accessors.  Pointers stay valid until npshm_close(a).  The data of arrays
   npshm created is 4096-aligned; a foreign .npy's data is where its header
   ends (numpy aligns it to 64 bytes, but older or hand-made files may
   leave it unaligned for the dtype). */
NPSHM_API void *npshm_data(const npshm_array *a);
NPSHM_API const char *npshm_dtype(const npshm_array *a); /* normalised descr */
NPSHM_API int npshm_ndim(const npshm_array *a);
NPSHM_API const int64_t *npshm_shape(const npshm_array *a);   /* ndim items */
NPSHM_API const int64_t *npshm_strides(const npshm_array *a); /* in bytes */
NPSHM_API int npshm_order(const npshm_array *a);
NPSHM_API size_t npshm_itemsize(const npshm_array *a);
NPSHM_API size_t npshm_nbytes(const npshm_array *a); /* data bytes */
NPSHM_API const char *npshm_name(const npshm_array *a); /* "shm://x" */
NPSHM_API const char *npshm_path(const npshm_array *a); /* "/dev/shm/x" */
NPSHM_API int npshm_is_readonly(const npshm_array *a);
NPSHM_API int npshm_lifetime(const npshm_array *a);
/* 1 if this handle created the array, else 0. */
NPSHM_API int npshm_is_creator(const npshm_array *a);
/* A random 64-bit number chosen when the array was created (kept in its
   trailer): two arrays that had the same name one after the other have
   different ids, so a process that saved (name, id) -- a pickle, a
   serialized R vector -- can tell the array it meant from a newer one.
   0 for plain .npy files (no npshm trailer). */
NPSHM_API uint64_t npshm_id(const npshm_array *a);
/* Size of the pages backing the array's file: the huge page size on
   hugetlbfs or on a tmpfs mounted with huge=always (or within_size,
   advise), else the base page size (4096).  (On such a tmpfs the kernel
   may still use small pages where a huge one does not fit.)  Reads the
   mount table: not for hot paths.  0 for NULL. */
NPSHM_API size_t npshm_page_size(const npshm_array *a);
/* Byte offset of the data within the file (4096 for created arrays; the
   huge page size on hugetlbfs, so that the data starts on a page). */
NPSHM_API size_t npshm_data_offset(const npshm_array *a);

/* Memory control over the data of a handle. */
#define NPSHM_MS_ASYNC 1
#define NPSHM_MS_SYNC 2
#define NPSHM_MS_INVALIDATE 4
NPSHM_API int npshm_msync(const npshm_array *a, int flags);
NPSHM_API int npshm_mlock(const npshm_array *a);
NPSHM_API int npshm_munlock(const npshm_array *a);

/* ------------------------------------------------------------------------ */
/* Host identity                                                            */
/* ------------------------------------------------------------------------ */

/* Longest host identity, in bytes, with its terminating NUL. */
#define NPSHM_HOST_ID_MAX 128

/* The identity of the host as far as shared arrays go: two processes that
   get the same text see the same files under "shm://" names (the same
   kernel and the same shm directory), so one can attach what the other
   created; different texts mean the names may not resolve, or may resolve
   to other arrays.  The text is the kernel's boot id, then the device
   (major:minor) and inode of the shm directory (opts' directory, else
   NPSHM_DIR, else /dev/shm), colon-separated, e.g.
     "3f2b0c1e-8a4d-4c55-9a0e-6d1c2b3a4f50:0:25:1".
   A boot id alone is not enough: containers and namespaces with private
   /dev/shm mounts share it.  Stable while the machine runs and the
   directory is not re-mounted; compare texts for equality only.
   Writes the text, NUL-terminated, into out when it fits in cap bytes (out
   may be NULL when cap is 0; NPSHM_HOST_ID_MAX always suffices).  Returns
   its length, or NOT_FOUND (no such directory, or not a directory),
   PERMISSION or SYSTEM (no boot id). */
NPSHM_API int npshm_host_id(const npshm_options *opts, char *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

/* A name resolved as every other function resolves it (see Names above),
   without touching the file. */
typedef struct npshm_location npshm_location;

/* Check and resolve name with opts' directory (NULL opts: defaults).
   Errors: INVALID (the message says what is wrong with the name). */
NPSHM_API npshm_location *npshm_resolve(const char *name,
                                        const npshm_options *opts);
NPSHM_API void npshm_location_free(npshm_location *loc); /* NULL is fine */
/* The canonical name: "shm://NAME" or "file:///path". */
NPSHM_API const char *npshm_location_name(const npshm_location *loc);
/* The file's path ("/dev/shm/NAME"), its directory and its base name. */
NPSHM_API const char *npshm_location_path(const npshm_location *loc);
NPSHM_API const char *npshm_location_directory(const npshm_location *loc);
NPSHM_API const char *npshm_location_basename(const npshm_location *loc);
/* 1 for a shm:// name, 0 for a file:// name. */
NPSHM_API int npshm_location_is_shm(const npshm_location *loc);

/* ------------------------------------------------------------------------ */
/* Saved references                                                         */
/* ------------------------------------------------------------------------ */

/* A reference names one view of one array in a short printable text that
   another process (or the same one later) turns back into that view: what
   Python pickles, R serializes and Julia serializes instead of the data.
   The text, one line of printable ASCII with no spaces inside fields:
     npshm-ref/1 uri=shm://NAME dir=/dev/shm id=<16 hex> offset=<bytes>
       shape=<n,n,...> strides=<s,s,...> ro=<0|1> dtype=<descr> sum=<16 hex>
   (uri, dir and dtype percent-encoded; dir empty for file:// names; sum a
   damage check of everything before it; the full grammar is in
   core/store/reference.hpp).  A view is the elements at byte
     npshm_data(a) + offset + sum(index[k] * strides[k])
   for every index below shape; strides may be negative.
   A reference is a claim to check, never a grant.  The damage check (sum,
   FNV-1a 64) catches a truncated or garbled text, never forgery: anyone
   can write a reference with a valid sum.  What accepting a reference from
   someone else (npshm_ref_parse + npshm_ref_attach) can and cannot do:
   - It attaches only the very array named (same id; NOT_FOUND otherwise),
     with the array's dtype (MISMATCH), and a view whose every element
     lies inside the data (INVALID): checked against the file's own header
     before it is locked or mapped (tests/c/test_reference.c:
     test_crafted_references_refused, test_views_inside_and_outside).
   - Write access travels only with a shm:// name and a non-zero id
     (knowing the random id of an array in the shm directory is the
     capability) and only where this process can open the file for
     writing; otherwise the handle is read-only (users suite:
     test_reference_users.py::test_writable_shm_reference_without_write_permission_is_read_only).
     A file:// reference, or one naming a plain .npy (id 0), attaches
     read-only whatever its text says, so a reference someone else wrote
     cannot make your process write your own file:// array
     (test_reference.c: test_file_and_plain_references_attach_read_only;
     users suite: test_forged_file_reference_attaches_read_only_*), unless
     the call asks for write access itself: npshm_options_set_ref_writable
     (test_reference.c: test_ref_writable_is_the_callers_request).
   - It can NOT protect an array others can read: the id is in the file,
     so whoever can read it (mode 0644) can write a reference that carries
     write access.  Their own attach of it still cannot write (the system
     refuses them the write open: the handle is read-only), but a process
     of yours that can write the array and accepts their reference gets a
     writable handle (users suite:
     test_reader_can_forge_a_writable_reference_to_a_0644_array).  A copy
     of an array keeps its id, and dir may name any directory: whoever
     knows the id can name a copy of yours too (untested).  Keep arrays
     0600 (the default), or attach references you did not make with
     npshm_options_set_readonly.
   - The usual attach rules apply: another user's file is refused unless
     npshm_options_set_allow_other_owner (see Trust above). */
typedef struct npshm_ref npshm_ref;

/* A reference to the view of a (offset bytes from npshm_data(a), ndim
   extents shape, byte strides strides; strides NULL: C-contiguous).
   readonly non-zero, a read-only handle, a file:// name or a plain .npy
   (id 0) makes a read-only reference (ro=1).
   Errors: INVALID (the view reaches outside the data, bad ndim/shape). */
NPSHM_API npshm_ref *npshm_ref_make(const npshm_array *a, int64_t offset,
                                    int ndim, const int64_t *shape,
                                    const int64_t *strides, int readonly);
/* Parse a reference's text.  Errors: INVALID, with a message saying what
   is malformed (unknown version, failed damage check, bad field). */
NPSHM_API npshm_ref *npshm_ref_parse(const char *text);
NPSHM_API void npshm_ref_free(npshm_ref *ref); /* NULL is fine */
/* The reference's text (valid until npshm_ref_free). */
NPSHM_API const char *npshm_ref_text(const npshm_ref *ref);
/* What it names: canonical name, path, shm directory ("" for file://),
   the array's id, and the view's dtype (the array's), offset, shape,
   strides, read-only flag.  Pointers valid until npshm_ref_free.
   npshm_ref_is_readonly is 1 when the reference grants read access only:
   its text says ro=1, or it names a file:// name or an id-0 array (their
   ro=0 is never honoured). */
NPSHM_API const char *npshm_ref_name(const npshm_ref *ref);
NPSHM_API const char *npshm_ref_path(const npshm_ref *ref);
NPSHM_API const char *npshm_ref_directory(const npshm_ref *ref);
NPSHM_API uint64_t npshm_ref_id(const npshm_ref *ref);
NPSHM_API const char *npshm_ref_dtype(const npshm_ref *ref);
NPSHM_API int64_t npshm_ref_offset(const npshm_ref *ref);
NPSHM_API int npshm_ref_ndim(const npshm_ref *ref);
NPSHM_API const int64_t *npshm_ref_shape(const npshm_ref *ref);
NPSHM_API const int64_t *npshm_ref_strides(const npshm_ref *ref);
NPSHM_API int npshm_ref_is_readonly(const npshm_ref *ref);

/* Attach the array ref names and check the view against its header before
   locking or mapping it.  The handle is writable only when
   npshm_options_set_ref_writable asks for it, or when the reference grants
   write access (npshm_ref_is_readonly is 0), opts is not read-only and
   this process can open the file for writing; else it is read-only (check
   npshm_is_readonly).  Honors opts' other settings (opts' directory, when
   set, replaces the reference's).  Errors: those of npshm_attach, and
   NOT_FOUND when the name now holds another array (removed and created
   again), MISMATCH when the dtype differs, INVALID when the view reaches
   outside the data or opts asks for both read-only and ref_writable. */
NPSHM_API npshm_array *npshm_ref_attach(const npshm_ref *ref,
                                        const npshm_options *opts);
/* Check ref against an open handle (e.g. one a binding keeps for reuse):
   NPSHM_OK, or the error npshm_ref_attach would give, or MISMATCH if a is
   another file, or READONLY if ref grants write access and a is
   read-only.  A writable a does not make a read-only ref writable: show
   the view read-only when npshm_ref_is_readonly(ref) is 1. */
NPSHM_API int npshm_ref_check(const npshm_ref *ref, const npshm_array *a);

/* ------------------------------------------------------------------------ */
/* Listing and garbage collection                                           */
/* ------------------------------------------------------------------------ */

/* What is known of one file, without attaching it. */
typedef struct npshm_info npshm_info;

/* Describe one array by name.  A file that exists but is not a valid array
   still gives an info, with a non-zero npshm_info_status(). */
NPSHM_API npshm_info *npshm_stat(const char *name, const npshm_options *opts);
NPSHM_API void npshm_info_free(npshm_info *info); /* NULL is fine */

/* NPSHM_OK for a valid array, else the error code (e.g. NPSHM_E_FORMAT)
   that attaching would give; npshm_info_message() says why. */
NPSHM_API int npshm_info_status(const npshm_info *info);
NPSHM_API const char *npshm_info_message(const npshm_info *info); /* or "" */
NPSHM_API const char *npshm_info_name(const npshm_info *info);
NPSHM_API const char *npshm_info_path(const npshm_info *info);
/* The fields below are meaningful only when the status is NPSHM_OK. */
NPSHM_API const char *npshm_info_dtype(const npshm_info *info);
NPSHM_API int npshm_info_ndim(const npshm_info *info);
NPSHM_API const int64_t *npshm_info_shape(const npshm_info *info);
NPSHM_API int npshm_info_order(const npshm_info *info);
NPSHM_API size_t npshm_info_itemsize(const npshm_info *info);
NPSHM_API size_t npshm_info_nbytes(const npshm_info *info);
NPSHM_API int npshm_info_lifetime(const npshm_info *info);
/* These are meaningful for any status. */
/* Holders: the locks on byte 0 of the file, of every kind another program
   may take -- OFD locks (npshm's: one per process holding handles of it,
   however many handles it has, plus one per forked child that still has
   inherited handles open), POSIX record locks (fcntl F_SETLK, lockf; one
   per process) and flock locks (one per open file description); -1 if
   unknown.  Each keeps a LAST array from being removed by a close or gc.
   A count of the lock table /proc/locks: a listing reads it once for all
   its items; npshm_stat reads it on the first call of this function.  The
   kernel hands /proc/locks out in pieces: while other processes take or
   drop locks the count may be off for a moment, and a remover's own flock
   counts for the microseconds it is held.  (The lifetime policies never
   rely on it: they try the locks themselves.) */
NPSHM_API int npshm_info_holders(const npshm_info *info);
NPSHM_API uint64_t npshm_info_file_size(const npshm_info *info);
/* As npshm_page_size, for the file described (0 if unknown). */
NPSHM_API size_t npshm_info_page_size(const npshm_info *info);
NPSHM_API unsigned int npshm_info_uid(const npshm_info *info);
NPSHM_API unsigned int npshm_info_mode(const npshm_info *info); /* 0777 bits */
NPSHM_API int64_t npshm_info_mtime(const npshm_info *info); /* Unix seconds */

/* Processes that map the file now, read from /proc/PID/maps (only the
   processes this user may inspect).  Writes up to cap PIDs, ascending, into
   pids (may be NULL when cap is 0), and, if mappings is not NULL, the total
   number of mappings of the file in those processes.  Returns how many
   processes there are (possibly more than cap), or -1 if the system cannot
   tell.  This scans every process: meant for tools, not hot paths. */
NPSHM_API int npshm_info_processes(const npshm_info *info, int64_t *pids,
                                   size_t cap, size_t *mappings);

/* A snapshot of several infos. */
typedef struct npshm_list npshm_list;

/* Every regular file in the shm directory except hidden ones (names
   starting with '.'), valid or not (see npshm_info_status); sorted by
   name.  One odd file never makes the whole listing fail; symbolic links
   and other non-regular entries are not listed (never followed or
   opened), and a file another process holds a lease on is listed with
   status NPSHM_E_BUSY instead of being waited for. */
NPSHM_API npshm_list *npshm_list_arrays(const npshm_options *opts);
NPSHM_API size_t npshm_list_size(const npshm_list *list);
/* Item i (0 <= i < size), owned by the list; NULL if i is out of range. */
NPSHM_API const npshm_info *npshm_list_get(const npshm_list *list, size_t i);
NPSHM_API void npshm_list_free(npshm_list *list); /* NULL is fine */

/* Unlink, in the shm directory, every OWNER or LAST array that no live
   process holds, and every unfinished create whose creator died.  Never
   touches PERSISTENT arrays, foreign files or anything in use.  dry_run
   non-zero: unlink nothing, only report.  Returns what was (or would be)
   removed, or NULL on error. */
NPSHM_API npshm_list *npshm_gc(const npshm_options *opts, int dry_run);

/* ------------------------------------------------------------------------ */
/* Waiting and locking                                                      */
/* ------------------------------------------------------------------------ */

/* Timeouts are in seconds: negative waits without limit, 0 checks once
   without waiting.  A wait that runs out of time fails with
   NPSHM_E_TIMEOUT, never before the timeout has passed.  No wait uses CPU
   while it waits (on Linux: futexes and inotify; other systems poll every
   few milliseconds).  Waits are not interrupted by signals: bindings that
   must react to Ctrl-C wait in slices (see docs/waiting.md). */

/* Return NPSHM_OK once name exists as an array (a complete, readable .npy:
   npshm publishes only complete arrays).  The directory is watched before
   the name is looked up, so a creation at any moment is seen.  Errors:
   INVALID (name, timeout NaN), NOT_FOUND (the directory does not exist),
   PERMISSION (the name exists but cannot be read), TIMEOUT, SYSTEM. */
NPSHM_API int npshm_wait_created(const char *name, const npshm_options *opts,
                                 double timeout);

/* npshm_wait_created for event loops: a watch of the directory, whose
   descriptor becomes readable when something happened there, and a look.
   npshm_watch_created sets the watch (NULL: NPSHM_E_NOT_FOUND if the
   directory does not exist, NPSHM_E_INVALID for a bad name, ...); from
   then on no creation is missed.  npshm_watch_check consumes the
   descriptor's events and looks: 1 once name exists as an array, 0 not yet
   (wait until the descriptor is readable, then check again), negative: an
   error (a name that exists but cannot be read).  npshm_watch_fd: the
   descriptor to poll for reading (owned by the watch), or -1 where the
   system has none (then check every few milliseconds). */
typedef struct npshm_watch npshm_watch;
NPSHM_API npshm_watch *npshm_watch_created(const char *name, const npshm_options *opts);
NPSHM_API int npshm_watch_fd(const npshm_watch *w);
NPSHM_API int npshm_watch_check(npshm_watch *w);
NPSHM_API void npshm_watch_free(npshm_watch *w); /* NULL is ignored */

/* Versions.  Every array npshm creates carries a 64-bit version (0 when
   created) and a futex word after its trailer (docs/format.md).  Plain
   .npy files and files made by earlier releases have none: these calls
   fail on them with NPSHM_E_FORMAT.
   npshm_notify adds one to the version, wakes every process and thread
   waiting on the array, and writes the new version into *version (may be
   NULL).  It needs a writable handle (NPSHM_E_READONLY otherwise): a
   reader can wait, not notify.  Anyone who can write the file can notify
   (and set the version to anything): writers are trusted.
   npshm_array_version writes the current version into *version.
   npshm_wait_changed returns as soon as the version differs from seen,
   writing it into *version (may be NULL); it never misses a notify made
   after seen was read.  Waiters see the latest version and may skip
   intermediate ones (ten quick notifies may wake a waiter once, with the
   version ten higher).  A reader of the file can wake waiters without a
   new version; they then wait again, so only a notify makes it return.
   Where another user may resize the file (it is another user's, or group
   or others may write it), these calls first check its size and fail with
   NPSHM_E_FORMAT if it changed ("the file changed size"): touching the
   version past a truncated end would be SIGBUS.  A file only this user
   (and root) may write is not checked: only they could truncate it. */
NPSHM_API int npshm_notify(npshm_array *a, uint64_t *version);
NPSHM_API int npshm_array_version(const npshm_array *a, uint64_t *version);
NPSHM_API int npshm_wait_changed(const npshm_array *a, uint64_t seen,
                                 double timeout, uint64_t *version);

/* Waiting for any of several arrays from one thread (for a process that
   serves many waits at once, such as an event loop, without a thread per
   wait).  npshm_waiter_new: NULL with NPSHM_E_SYSTEM (errno ENOSYS) where
   the system cannot (Linux before 5.16: no futex_waitv; other systems), or
   NPSHM_E_NO_MEMORY.
   npshm_wait_changed_any returns NPSHM_OK as soon as the version of one of
   the n arrays differs from seen[i] (the same promise as
   npshm_wait_changed: no notify made after seen was read is missed),
   writing i into *index and that version into *version (either may be
   NULL; the lowest such i when several differ).  n runs from 1 to
   NPSHM_WAIT_ANY_MAX (else NPSHM_E_INVALID); one waiter serves one wait at
   a time.  NPSHM_E_FORMAT: an array without a version block;
   NPSHM_E_TIMEOUT as the other waits; NPSHM_E_CANCELED: interrupted.
   npshm_waiter_interrupt (from any thread; async-signal-safe) makes the
   waiter's current wait end with NPSHM_E_CANCELED, or its next one if none
   is under way: so a thread waiting for a set of arrays takes up a new set.
   The arrays must stay open during the wait. */
#define NPSHM_WAIT_ANY_MAX 127
typedef struct npshm_waiter npshm_waiter;
NPSHM_API npshm_waiter *npshm_waiter_new(void);
NPSHM_API void npshm_waiter_free(npshm_waiter *w); /* NULL is ignored */
NPSHM_API int npshm_wait_changed_any(npshm_waiter *w, npshm_array **arrays,
                                     const uint64_t *seen, size_t n, double timeout,
                                     size_t *index, uint64_t *version);
NPSHM_API int npshm_waiter_interrupt(npshm_waiter *w);

/* Return NPSHM_OK once no process other than the caller's holds the array
   (holds a handle of it; the caller's own handles do not count).  The
   kernel drops a holder's lock when it closes the array or dies, even by
   SIGKILL; the wait is woken by each close of the file (inotify) and asks
   the kernel about the lock (no lock is taken: new attachers are never
   held up by a waiter).  It sees npshm holders and POSIX record locks
   (fcntl, lockf) on byte 0, not flock locks (which the holder counts of
   npshm_stat do include).  npshm_wait_released: by name (NOT_FOUND if
   there is no such array); npshm_wait_released_array: of a handle. */
NPSHM_API int npshm_wait_released(const char *name, const npshm_options *opts,
                                  double timeout);
NPSHM_API int npshm_wait_released_array(const npshm_array *a, double timeout);

/* Array locks: a reader-writer lock per array, between processes and
   between handles (two handles in one process exclude each other; the
   threads sharing one handle share its lock).  exclusive non-zero: a
   writer's lock (needs a writable handle, else NPSHM_E_READONLY); 0: a
   shared reader's lock.  Locking a handle that holds the lock changes its
   mode.  The kernel releases the lock when the handle is closed or its
   process dies, even by SIGKILL: a crash never leaves an array locked.  It
   is an OFD lock on byte 1 of the file, separate from the holder lock.  A
   waiter sleeps until a holder unlocks (an unlock reads one byte of the
   file, which wakes the waiters through inotify) or closes the file (its
   exit included), then tries again (no queue: no fairness between
   waiters).  Advisory: it orders cooperating handles and
   stops no write.  Trust: any process that can open the file can take a
   lock on it (a reader can hold a shared lock and keep writers waiting),
   as any such process can hold the array today.
   npshm_unlock: NPSHM_E_INVALID if the handle holds no lock. */
NPSHM_API int npshm_lock(npshm_array *a, int exclusive, double timeout);
NPSHM_API int npshm_unlock(npshm_array *a);

#ifdef __cplusplus
}
#endif

#endif /* NPSHM_H */
