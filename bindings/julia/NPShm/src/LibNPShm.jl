# LibNPShm: the low-level ccall layer of NPShm.jl.
#
# GENERATED from include/npshm.h by
# bindings/julia/tools/gen_libnpshm.py -- do not edit by hand.
# Regenerate with:  /usr/bin/python3 bindings/julia/tools/gen_libnpshm.py
#
# One wrapper per public C function, with the C name and argument
# order.  Pointers are passed and returned as-is: the high-level
# module (NPShm.jl) owns handles, checks results and converts.
module LibNPShm

# The library is loaded by its SONAME; NPShm.__init__ first dlopens
# the file found through NPSHM_LIB or the build tree, and the
# dynamic loader then resolves this name to that already loaded copy.
const libnpshm = "libnpshm.so.0"

# Opaque handle types (only ever used behind Ptr).
mutable struct npshm_dtype_info end
mutable struct npshm_options end
mutable struct npshm_array end
mutable struct npshm_location end
mutable struct npshm_ref end
mutable struct npshm_info end
mutable struct npshm_list end
mutable struct npshm_watch end
mutable struct npshm_waiter end

# Constants (enums and integer #defines of the header).
const NPSHM_VERSION_MAJOR = Cint(0)
const NPSHM_VERSION_MINOR = Cint(1)
const NPSHM_VERSION_PATCH = Cint(0)
const NPSHM_MAX_NDIM = Cint(64)
const NPSHM_MAX_NAME = Cint(200)
const NPSHM_DATA_ALIGN = Cint(4096)
const NPSHM_MS_ASYNC = Cint(1)
const NPSHM_MS_SYNC = Cint(2)
const NPSHM_MS_INVALIDATE = Cint(4)
const NPSHM_HOST_ID_MAX = Cint(128)
const NPSHM_WAIT_ANY_MAX = Cint(127)
const NPSHM_OK = Cint(0)
const NPSHM_E_INVALID = Cint(-1)
const NPSHM_E_NOT_FOUND = Cint(-2)
const NPSHM_E_EXISTS = Cint(-3)
const NPSHM_E_NO_SPACE = Cint(-4)
const NPSHM_E_PERMISSION = Cint(-5)
const NPSHM_E_FORMAT = Cint(-6)
const NPSHM_E_MISMATCH = Cint(-7)
const NPSHM_E_READONLY = Cint(-8)
const NPSHM_E_BUSY = Cint(-9)
const NPSHM_E_NO_MEMORY = Cint(-10)
const NPSHM_E_SYSTEM = Cint(-11)
const NPSHM_E_CANCELED = Cint(-12)
const NPSHM_E_TIMEOUT = Cint(-13)
const NPSHM_E_LAST = Cint(-13)
const NPSHM_ORDER_C = Cint(0)
const NPSHM_ORDER_F = Cint(1)
const NPSHM_ORDER_COUNT = Cint(2)
const NPSHM_LIFETIME_PERSISTENT = Cint(0)
const NPSHM_LIFETIME_OWNER = Cint(1)
const NPSHM_LIFETIME_LAST = Cint(2)
const NPSHM_LIFETIME_COUNT = Cint(3)

# Functions (141, in header order).

"""
    npshm_version() -> Ptr{UInt8}

C: `const char *npshm_version(void)`
"""
function npshm_version()
    ccall((:npshm_version, libnpshm), Ptr{UInt8}, ())
end

"""
    npshm_version_number() -> Cint

C: `int npshm_version_number(void)`
"""
function npshm_version_number()
    ccall((:npshm_version_number, libnpshm), Cint, ())
end

"""
    npshm_last_error() -> Cint

C: `int npshm_last_error(void)`
"""
function npshm_last_error()
    ccall((:npshm_last_error, libnpshm), Cint, ())
end

"""
    npshm_last_message() -> Ptr{UInt8}

C: `const char *npshm_last_message(void)`
"""
function npshm_last_message()
    ccall((:npshm_last_message, libnpshm), Ptr{UInt8}, ())
end

"""
    npshm_last_errno() -> Cint

C: `int npshm_last_errno(void)`
"""
function npshm_last_errno()
    ccall((:npshm_last_errno, libnpshm), Cint, ())
end

"""
    npshm_error_name(code) -> Ptr{UInt8}

C: `const char *npshm_error_name(int code)`
"""
function npshm_error_name(code)
    ccall((:npshm_error_name, libnpshm), Ptr{UInt8},
          (Cint,), code)
end

"""
    npshm_error_slug(code) -> Ptr{UInt8}

C: `const char *npshm_error_slug(int code)`
"""
function npshm_error_slug(code)
    ccall((:npshm_error_slug, libnpshm), Ptr{UInt8},
          (Cint,), code)
end

"""
    npshm_error_errno(code) -> Cint

C: `int npshm_error_errno(int code)`
"""
function npshm_error_errno(code)
    ccall((:npshm_error_errno, libnpshm), Cint,
          (Cint,), code)
end

"""
    npshm_clear_error() -> Cvoid

C: `void npshm_clear_error(void)`
"""
function npshm_clear_error()
    ccall((:npshm_clear_error, libnpshm), Cvoid, ())
end

"""
    npshm_order_name(order) -> Ptr{UInt8}

C: `const char *npshm_order_name(int order)`
"""
function npshm_order_name(order)
    ccall((:npshm_order_name, libnpshm), Ptr{UInt8},
          (Cint,), order)
end

"""
    npshm_order_from_name(name) -> Cint

C: `int npshm_order_from_name(const char *name)`
"""
function npshm_order_from_name(name)
    ccall((:npshm_order_from_name, libnpshm), Cint,
          (Cstring,), name)
end

"""
    npshm_lifetime_name(lifetime) -> Ptr{UInt8}

C: `const char *npshm_lifetime_name(int lifetime)`
"""
function npshm_lifetime_name(lifetime)
    ccall((:npshm_lifetime_name, libnpshm), Ptr{UInt8},
          (Cint,), lifetime)
end

"""
    npshm_lifetime_from_name(name) -> Cint

C: `int npshm_lifetime_from_name(const char *name)`
"""
function npshm_lifetime_from_name(name)
    ccall((:npshm_lifetime_from_name, libnpshm), Cint,
          (Cstring,), name)
end

"""
    npshm_dtype_normalize(descr, out, cap, itemsize) -> Cint

C: `int npshm_dtype_normalize(const char *descr, char *out, size_t cap, size_t *itemsize)`
"""
function npshm_dtype_normalize(descr, out, cap, itemsize)
    ccall((:npshm_dtype_normalize, libnpshm), Cint,
          (Cstring, Ptr{UInt8}, Csize_t, Ptr{Csize_t}), descr, out, cap, itemsize)
end

"""
    npshm_dtype_info_new(descr) -> Ptr{npshm_dtype_info}

C: `npshm_dtype_info *npshm_dtype_info_new(const char *descr)`
"""
function npshm_dtype_info_new(descr)
    ccall((:npshm_dtype_info_new, libnpshm), Ptr{npshm_dtype_info},
          (Cstring,), descr)
end

"""
    npshm_dtype_info_free(info) -> Cvoid

C: `void npshm_dtype_info_free(npshm_dtype_info *info)`
"""
function npshm_dtype_info_free(info)
    ccall((:npshm_dtype_info_free, libnpshm), Cvoid,
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_descr(info) -> Ptr{UInt8}

C: `const char *npshm_dtype_info_descr(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_descr(info)
    ccall((:npshm_dtype_info_descr, libnpshm), Ptr{UInt8},
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_kind(info) -> Cint

C: `int npshm_dtype_info_kind(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_kind(info)
    ccall((:npshm_dtype_info_kind, libnpshm), Cint,
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_itemsize(info) -> Csize_t

C: `size_t npshm_dtype_info_itemsize(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_itemsize(info)
    ccall((:npshm_dtype_info_itemsize, libnpshm), Csize_t,
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_byteorder(info) -> Cint

C: `int npshm_dtype_info_byteorder(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_byteorder(info)
    ccall((:npshm_dtype_info_byteorder, libnpshm), Cint,
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_unit(info) -> Ptr{UInt8}

C: `const char *npshm_dtype_info_unit(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_unit(info)
    ccall((:npshm_dtype_info_unit, libnpshm), Ptr{UInt8},
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_is_structured(info) -> Cint

C: `int npshm_dtype_info_is_structured(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_is_structured(info)
    ccall((:npshm_dtype_info_is_structured, libnpshm), Cint,
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_nfields(info) -> Csize_t

C: `size_t npshm_dtype_info_nfields(const npshm_dtype_info *info)`
"""
function npshm_dtype_info_nfields(info)
    ccall((:npshm_dtype_info_nfields, libnpshm), Csize_t,
          (Ptr{npshm_dtype_info},), info)
end

"""
    npshm_dtype_info_field_name(info, i) -> Ptr{UInt8}

C: `const char *npshm_dtype_info_field_name(const npshm_dtype_info *info, size_t i)`
"""
function npshm_dtype_info_field_name(info, i)
    ccall((:npshm_dtype_info_field_name, libnpshm), Ptr{UInt8},
          (Ptr{npshm_dtype_info}, Csize_t), info, i)
end

"""
    npshm_dtype_info_field_title(info, i) -> Ptr{UInt8}

C: `const char *npshm_dtype_info_field_title(const npshm_dtype_info *info, size_t i)`
"""
function npshm_dtype_info_field_title(info, i)
    ccall((:npshm_dtype_info_field_title, libnpshm), Ptr{UInt8},
          (Ptr{npshm_dtype_info}, Csize_t), info, i)
end

"""
    npshm_dtype_info_field_offset(info, i) -> Csize_t

C: `size_t npshm_dtype_info_field_offset(const npshm_dtype_info *info, size_t i)`
"""
function npshm_dtype_info_field_offset(info, i)
    ccall((:npshm_dtype_info_field_offset, libnpshm), Csize_t,
          (Ptr{npshm_dtype_info}, Csize_t), info, i)
end

"""
    npshm_dtype_info_field_type(info, i) -> Ptr{npshm_dtype_info}

C: `const npshm_dtype_info *npshm_dtype_info_field_type(const npshm_dtype_info *info, size_t i)`
"""
function npshm_dtype_info_field_type(info, i)
    ccall((:npshm_dtype_info_field_type, libnpshm), Ptr{npshm_dtype_info},
          (Ptr{npshm_dtype_info}, Csize_t), info, i)
end

"""
    npshm_dtype_info_field_ndim(info, i) -> Cint

C: `int npshm_dtype_info_field_ndim(const npshm_dtype_info *info, size_t i)`
"""
function npshm_dtype_info_field_ndim(info, i)
    ccall((:npshm_dtype_info_field_ndim, libnpshm), Cint,
          (Ptr{npshm_dtype_info}, Csize_t), info, i)
end

"""
    npshm_dtype_info_field_shape(info, i) -> Ptr{Int64}

C: `const int64_t *npshm_dtype_info_field_shape(const npshm_dtype_info *info, size_t i)`
"""
function npshm_dtype_info_field_shape(info, i)
    ccall((:npshm_dtype_info_field_shape, libnpshm), Ptr{Int64},
          (Ptr{npshm_dtype_info}, Csize_t), info, i)
end

"""
    npshm_options_new() -> Ptr{npshm_options}

C: `npshm_options *npshm_options_new(void)`
"""
function npshm_options_new()
    ccall((:npshm_options_new, libnpshm), Ptr{npshm_options}, ())
end

"""
    npshm_options_free(opts) -> Cvoid

C: `void npshm_options_free(npshm_options *opts)`
"""
function npshm_options_free(opts)
    ccall((:npshm_options_free, libnpshm), Cvoid,
          (Ptr{npshm_options},), opts)
end

"""
    npshm_options_set_lifetime(opts, lifetime) -> Cint

C: `int npshm_options_set_lifetime(npshm_options *opts, int lifetime)`
"""
function npshm_options_set_lifetime(opts, lifetime)
    ccall((:npshm_options_set_lifetime, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, lifetime)
end

"""
    npshm_options_set_mode(opts, mode) -> Cint

C: `int npshm_options_set_mode(npshm_options *opts, unsigned int mode)`
"""
function npshm_options_set_mode(opts, mode)
    ccall((:npshm_options_set_mode, libnpshm), Cint,
          (Ptr{npshm_options}, Cuint), opts, mode)
end

"""
    npshm_options_set_fill(opts, item, size) -> Cint

C: `int npshm_options_set_fill(npshm_options *opts, const void *item, size_t size)`
"""
function npshm_options_set_fill(opts, item, size)
    ccall((:npshm_options_set_fill, libnpshm), Cint,
          (Ptr{npshm_options}, Ptr{Cvoid}, Csize_t), opts, item, size)
end

"""
    npshm_options_set_readonly(opts, readonly) -> Cint

C: `int npshm_options_set_readonly(npshm_options *opts, int readonly)`
"""
function npshm_options_set_readonly(opts, readonly)
    ccall((:npshm_options_set_readonly, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, readonly)
end

"""
    npshm_options_set_populate(opts, populate) -> Cint

C: `int npshm_options_set_populate(npshm_options *opts, int populate)`
"""
function npshm_options_set_populate(opts, populate)
    ccall((:npshm_options_set_populate, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, populate)
end

"""
    npshm_options_set_directory(opts, dir) -> Cint

C: `int npshm_options_set_directory(npshm_options *opts, const char *dir)`
"""
function npshm_options_set_directory(opts, dir)
    ccall((:npshm_options_set_directory, libnpshm), Cint,
          (Ptr{npshm_options}, Cstring), opts, dir)
end

"""
    npshm_options_set_expected_dtype(opts, descr) -> Cint

C: `int npshm_options_set_expected_dtype(npshm_options *opts, const char *descr)`
"""
function npshm_options_set_expected_dtype(opts, descr)
    ccall((:npshm_options_set_expected_dtype, libnpshm), Cint,
          (Ptr{npshm_options}, Cstring), opts, descr)
end

"""
    npshm_options_set_expected_shape(opts, ndim, shape) -> Cint

C: `int npshm_options_set_expected_shape(npshm_options *opts, int ndim, const int64_t *shape)`
"""
function npshm_options_set_expected_shape(opts, ndim, shape)
    ccall((:npshm_options_set_expected_shape, libnpshm), Cint,
          (Ptr{npshm_options}, Cint, Ptr{Int64}), opts, ndim, shape)
end

"""
    npshm_options_set_progress(opts, fn, context) -> Cint

C: `int npshm_options_set_progress(npshm_options *opts, npshm_progress_fn fn, void *context)`
"""
function npshm_options_set_progress(opts, fn, context)
    ccall((:npshm_options_set_progress, libnpshm), Cint,
          (Ptr{npshm_options}, Ptr{Cvoid}, Ptr{Cvoid}), opts, fn, context)
end

"""
    npshm_options_set_exist_ok(opts, exist_ok) -> Cint

C: `int npshm_options_set_exist_ok(npshm_options *opts, int exist_ok)`
"""
function npshm_options_set_exist_ok(opts, exist_ok)
    ccall((:npshm_options_set_exist_ok, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, exist_ok)
end

"""
    npshm_options_set_allow_other_owner(opts, allow) -> Cint

C: `int npshm_options_set_allow_other_owner(npshm_options *opts, int allow)`
"""
function npshm_options_set_allow_other_owner(opts, allow)
    ccall((:npshm_options_set_allow_other_owner, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, allow)
end

"""
    npshm_options_set_ref_writable(opts, writable) -> Cint

C: `int npshm_options_set_ref_writable(npshm_options *opts, int writable)`
"""
function npshm_options_set_ref_writable(opts, writable)
    ccall((:npshm_options_set_ref_writable, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, writable)
end

"""
    npshm_options_set_no_clobber(opts, no_clobber) -> Cint

C: `int npshm_options_set_no_clobber(npshm_options *opts, int no_clobber)`
"""
function npshm_options_set_no_clobber(opts, no_clobber)
    ccall((:npshm_options_set_no_clobber, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, no_clobber)
end

"""
    npshm_options_set_gc_min_age(opts, seconds) -> Cint

C: `int npshm_options_set_gc_min_age(npshm_options *opts, int seconds)`
"""
function npshm_options_set_gc_min_age(opts, seconds)
    ccall((:npshm_options_set_gc_min_age, libnpshm), Cint,
          (Ptr{npshm_options}, Cint), opts, seconds)
end

"""
    npshm_create(name, dtype, ndim, shape, order, opts) -> Ptr{npshm_array}

C: `npshm_array *npshm_create(const char *name, const char *dtype, int ndim, const int64_t *shape, int order, const npshm_options *opts)`
"""
function npshm_create(name, dtype, ndim, shape, order, opts)
    ccall((:npshm_create, libnpshm), Ptr{npshm_array},
          (Cstring, Cstring, Cint, Ptr{Int64}, Cint, Ptr{npshm_options}), name, dtype, ndim, shape, order, opts)
end

"""
    npshm_create_from(name, dtype, ndim, shape, order, data, nbytes, opts) -> Ptr{npshm_array}

C: `npshm_array *npshm_create_from(const char *name, const char *dtype, int ndim, const int64_t *shape, int order, const void *data, size_t nbytes, const npshm_options *opts)`
"""
function npshm_create_from(name, dtype, ndim, shape, order, data, nbytes, opts)
    ccall((:npshm_create_from, libnpshm), Ptr{npshm_array},
          (Cstring, Cstring, Cint, Ptr{Int64}, Cint, Ptr{Cvoid}, Csize_t, Ptr{npshm_options}), name, dtype, ndim, shape, order, data, nbytes, opts)
end

"""
    npshm_attach(name, opts) -> Ptr{npshm_array}

C: `npshm_array *npshm_attach(const char *name, const npshm_options *opts)`
"""
function npshm_attach(name, opts)
    ccall((:npshm_attach, libnpshm), Ptr{npshm_array},
          (Cstring, Ptr{npshm_options}), name, opts)
end

"""
    npshm_load(npy_path, name, opts) -> Ptr{npshm_array}

C: `npshm_array *npshm_load(const char *npy_path, const char *name, const npshm_options *opts)`
"""
function npshm_load(npy_path, name, opts)
    ccall((:npshm_load, libnpshm), Ptr{npshm_array},
          (Cstring, Cstring, Ptr{npshm_options}), npy_path, name, opts)
end

"""
    npshm_save(a, npy_path, opts) -> Cint

C: `int npshm_save(const npshm_array *a, const char *npy_path, const npshm_options *opts)`
"""
function npshm_save(a, npy_path, opts)
    ccall((:npshm_save, libnpshm), Cint,
          (Ptr{npshm_array}, Cstring, Ptr{npshm_options}), a, npy_path, opts)
end

"""
    npshm_save_name(name, npy_path, opts) -> Cint

C: `int npshm_save_name(const char *name, const char *npy_path, const npshm_options *opts)`
"""
function npshm_save_name(name, npy_path, opts)
    ccall((:npshm_save_name, libnpshm), Cint,
          (Cstring, Cstring, Ptr{npshm_options}), name, npy_path, opts)
end

"""
    npshm_validate(a, dtype, ndim, shape) -> Cint

C: `int npshm_validate(const npshm_array *a, const char *dtype, int ndim, const int64_t *shape)`
"""
function npshm_validate(a, dtype, ndim, shape)
    ccall((:npshm_validate, libnpshm), Cint,
          (Ptr{npshm_array}, Cstring, Cint, Ptr{Int64}), a, dtype, ndim, shape)
end

"""
    npshm_check_view(a, offset, ndim, shape, strides, itemsize) -> Cint

C: `int npshm_check_view(const npshm_array *a, int64_t offset, int ndim, const int64_t *shape, const int64_t *strides, size_t itemsize)`
"""
function npshm_check_view(a, offset, ndim, shape, strides, itemsize)
    ccall((:npshm_check_view, libnpshm), Cint,
          (Ptr{npshm_array}, Int64, Cint, Ptr{Int64}, Ptr{Int64}, Csize_t), a, offset, ndim, shape, strides, itemsize)
end

"""
    npshm_close(a) -> Cint

C: `int npshm_close(npshm_array *a)`
"""
function npshm_close(a)
    ccall((:npshm_close, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_unlink(a) -> Cint

C: `int npshm_unlink(npshm_array *a)`
"""
function npshm_unlink(a)
    ccall((:npshm_unlink, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_remove(name, opts) -> Cint

C: `int npshm_remove(const char *name, const npshm_options *opts)`
"""
function npshm_remove(name, opts)
    ccall((:npshm_remove, libnpshm), Cint,
          (Cstring, Ptr{npshm_options}), name, opts)
end

"""
    npshm_exists(name, opts) -> Cint

C: `int npshm_exists(const char *name, const npshm_options *opts)`
"""
function npshm_exists(name, opts)
    ccall((:npshm_exists, libnpshm), Cint,
          (Cstring, Ptr{npshm_options}), name, opts)
end

"""
    npshm_data(a) -> Ptr{Cvoid}

C: `void *npshm_data(const npshm_array *a)`
"""
function npshm_data(a)
    ccall((:npshm_data, libnpshm), Ptr{Cvoid},
          (Ptr{npshm_array},), a)
end

"""
    npshm_dtype(a) -> Ptr{UInt8}

C: `const char *npshm_dtype(const npshm_array *a)`
"""
function npshm_dtype(a)
    ccall((:npshm_dtype, libnpshm), Ptr{UInt8},
          (Ptr{npshm_array},), a)
end

"""
    npshm_ndim(a) -> Cint

C: `int npshm_ndim(const npshm_array *a)`
"""
function npshm_ndim(a)
    ccall((:npshm_ndim, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_shape(a) -> Ptr{Int64}

C: `const int64_t *npshm_shape(const npshm_array *a)`
"""
function npshm_shape(a)
    ccall((:npshm_shape, libnpshm), Ptr{Int64},
          (Ptr{npshm_array},), a)
end

"""
    npshm_strides(a) -> Ptr{Int64}

C: `const int64_t *npshm_strides(const npshm_array *a)`
"""
function npshm_strides(a)
    ccall((:npshm_strides, libnpshm), Ptr{Int64},
          (Ptr{npshm_array},), a)
end

"""
    npshm_order(a) -> Cint

C: `int npshm_order(const npshm_array *a)`
"""
function npshm_order(a)
    ccall((:npshm_order, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_itemsize(a) -> Csize_t

C: `size_t npshm_itemsize(const npshm_array *a)`
"""
function npshm_itemsize(a)
    ccall((:npshm_itemsize, libnpshm), Csize_t,
          (Ptr{npshm_array},), a)
end

"""
    npshm_nbytes(a) -> Csize_t

C: `size_t npshm_nbytes(const npshm_array *a)`
"""
function npshm_nbytes(a)
    ccall((:npshm_nbytes, libnpshm), Csize_t,
          (Ptr{npshm_array},), a)
end

"""
    npshm_name(a) -> Ptr{UInt8}

C: `const char *npshm_name(const npshm_array *a)`
"""
function npshm_name(a)
    ccall((:npshm_name, libnpshm), Ptr{UInt8},
          (Ptr{npshm_array},), a)
end

"""
    npshm_path(a) -> Ptr{UInt8}

C: `const char *npshm_path(const npshm_array *a)`
"""
function npshm_path(a)
    ccall((:npshm_path, libnpshm), Ptr{UInt8},
          (Ptr{npshm_array},), a)
end

"""
    npshm_is_readonly(a) -> Cint

C: `int npshm_is_readonly(const npshm_array *a)`
"""
function npshm_is_readonly(a)
    ccall((:npshm_is_readonly, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_lifetime(a) -> Cint

C: `int npshm_lifetime(const npshm_array *a)`
"""
function npshm_lifetime(a)
    ccall((:npshm_lifetime, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_is_creator(a) -> Cint

C: `int npshm_is_creator(const npshm_array *a)`
"""
function npshm_is_creator(a)
    ccall((:npshm_is_creator, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_id(a) -> UInt64

C: `uint64_t npshm_id(const npshm_array *a)`
"""
function npshm_id(a)
    ccall((:npshm_id, libnpshm), UInt64,
          (Ptr{npshm_array},), a)
end

"""
    npshm_page_size(a) -> Csize_t

C: `size_t npshm_page_size(const npshm_array *a)`
"""
function npshm_page_size(a)
    ccall((:npshm_page_size, libnpshm), Csize_t,
          (Ptr{npshm_array},), a)
end

"""
    npshm_data_offset(a) -> Csize_t

C: `size_t npshm_data_offset(const npshm_array *a)`
"""
function npshm_data_offset(a)
    ccall((:npshm_data_offset, libnpshm), Csize_t,
          (Ptr{npshm_array},), a)
end

"""
    npshm_msync(a, flags) -> Cint

C: `int npshm_msync(const npshm_array *a, int flags)`
"""
function npshm_msync(a, flags)
    ccall((:npshm_msync, libnpshm), Cint,
          (Ptr{npshm_array}, Cint), a, flags)
end

"""
    npshm_mlock(a) -> Cint

C: `int npshm_mlock(const npshm_array *a)`
"""
function npshm_mlock(a)
    ccall((:npshm_mlock, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_munlock(a) -> Cint

C: `int npshm_munlock(const npshm_array *a)`
"""
function npshm_munlock(a)
    ccall((:npshm_munlock, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

"""
    npshm_host_id(opts, out, cap) -> Cint

C: `int npshm_host_id(const npshm_options *opts, char *out, size_t cap)`
"""
function npshm_host_id(opts, out, cap)
    ccall((:npshm_host_id, libnpshm), Cint,
          (Ptr{npshm_options}, Ptr{UInt8}, Csize_t), opts, out, cap)
end

"""
    npshm_resolve(name, opts) -> Ptr{npshm_location}

C: `npshm_location *npshm_resolve(const char *name, const npshm_options *opts)`
"""
function npshm_resolve(name, opts)
    ccall((:npshm_resolve, libnpshm), Ptr{npshm_location},
          (Cstring, Ptr{npshm_options}), name, opts)
end

"""
    npshm_location_free(loc) -> Cvoid

C: `void npshm_location_free(npshm_location *loc)`
"""
function npshm_location_free(loc)
    ccall((:npshm_location_free, libnpshm), Cvoid,
          (Ptr{npshm_location},), loc)
end

"""
    npshm_location_name(loc) -> Ptr{UInt8}

C: `const char *npshm_location_name(const npshm_location *loc)`
"""
function npshm_location_name(loc)
    ccall((:npshm_location_name, libnpshm), Ptr{UInt8},
          (Ptr{npshm_location},), loc)
end

"""
    npshm_location_path(loc) -> Ptr{UInt8}

C: `const char *npshm_location_path(const npshm_location *loc)`
"""
function npshm_location_path(loc)
    ccall((:npshm_location_path, libnpshm), Ptr{UInt8},
          (Ptr{npshm_location},), loc)
end

"""
    npshm_location_directory(loc) -> Ptr{UInt8}

C: `const char *npshm_location_directory(const npshm_location *loc)`
"""
function npshm_location_directory(loc)
    ccall((:npshm_location_directory, libnpshm), Ptr{UInt8},
          (Ptr{npshm_location},), loc)
end

"""
    npshm_location_basename(loc) -> Ptr{UInt8}

C: `const char *npshm_location_basename(const npshm_location *loc)`
"""
function npshm_location_basename(loc)
    ccall((:npshm_location_basename, libnpshm), Ptr{UInt8},
          (Ptr{npshm_location},), loc)
end

"""
    npshm_location_is_shm(loc) -> Cint

C: `int npshm_location_is_shm(const npshm_location *loc)`
"""
function npshm_location_is_shm(loc)
    ccall((:npshm_location_is_shm, libnpshm), Cint,
          (Ptr{npshm_location},), loc)
end

"""
    npshm_ref_make(a, offset, ndim, shape, strides, readonly) -> Ptr{npshm_ref}

C: `npshm_ref *npshm_ref_make(const npshm_array *a, int64_t offset, int ndim, const int64_t *shape, const int64_t *strides, int readonly)`
"""
function npshm_ref_make(a, offset, ndim, shape, strides, readonly)
    ccall((:npshm_ref_make, libnpshm), Ptr{npshm_ref},
          (Ptr{npshm_array}, Int64, Cint, Ptr{Int64}, Ptr{Int64}, Cint), a, offset, ndim, shape, strides, readonly)
end

"""
    npshm_ref_parse(text) -> Ptr{npshm_ref}

C: `npshm_ref *npshm_ref_parse(const char *text)`
"""
function npshm_ref_parse(text)
    ccall((:npshm_ref_parse, libnpshm), Ptr{npshm_ref},
          (Cstring,), text)
end

"""
    npshm_ref_free(ref) -> Cvoid

C: `void npshm_ref_free(npshm_ref *ref)`
"""
function npshm_ref_free(ref)
    ccall((:npshm_ref_free, libnpshm), Cvoid,
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_text(ref) -> Ptr{UInt8}

C: `const char *npshm_ref_text(const npshm_ref *ref)`
"""
function npshm_ref_text(ref)
    ccall((:npshm_ref_text, libnpshm), Ptr{UInt8},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_name(ref) -> Ptr{UInt8}

C: `const char *npshm_ref_name(const npshm_ref *ref)`
"""
function npshm_ref_name(ref)
    ccall((:npshm_ref_name, libnpshm), Ptr{UInt8},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_path(ref) -> Ptr{UInt8}

C: `const char *npshm_ref_path(const npshm_ref *ref)`
"""
function npshm_ref_path(ref)
    ccall((:npshm_ref_path, libnpshm), Ptr{UInt8},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_directory(ref) -> Ptr{UInt8}

C: `const char *npshm_ref_directory(const npshm_ref *ref)`
"""
function npshm_ref_directory(ref)
    ccall((:npshm_ref_directory, libnpshm), Ptr{UInt8},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_id(ref) -> UInt64

C: `uint64_t npshm_ref_id(const npshm_ref *ref)`
"""
function npshm_ref_id(ref)
    ccall((:npshm_ref_id, libnpshm), UInt64,
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_dtype(ref) -> Ptr{UInt8}

C: `const char *npshm_ref_dtype(const npshm_ref *ref)`
"""
function npshm_ref_dtype(ref)
    ccall((:npshm_ref_dtype, libnpshm), Ptr{UInt8},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_offset(ref) -> Int64

C: `int64_t npshm_ref_offset(const npshm_ref *ref)`
"""
function npshm_ref_offset(ref)
    ccall((:npshm_ref_offset, libnpshm), Int64,
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_ndim(ref) -> Cint

C: `int npshm_ref_ndim(const npshm_ref *ref)`
"""
function npshm_ref_ndim(ref)
    ccall((:npshm_ref_ndim, libnpshm), Cint,
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_shape(ref) -> Ptr{Int64}

C: `const int64_t *npshm_ref_shape(const npshm_ref *ref)`
"""
function npshm_ref_shape(ref)
    ccall((:npshm_ref_shape, libnpshm), Ptr{Int64},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_strides(ref) -> Ptr{Int64}

C: `const int64_t *npshm_ref_strides(const npshm_ref *ref)`
"""
function npshm_ref_strides(ref)
    ccall((:npshm_ref_strides, libnpshm), Ptr{Int64},
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_is_readonly(ref) -> Cint

C: `int npshm_ref_is_readonly(const npshm_ref *ref)`
"""
function npshm_ref_is_readonly(ref)
    ccall((:npshm_ref_is_readonly, libnpshm), Cint,
          (Ptr{npshm_ref},), ref)
end

"""
    npshm_ref_attach(ref, opts) -> Ptr{npshm_array}

C: `npshm_array *npshm_ref_attach(const npshm_ref *ref, const npshm_options *opts)`
"""
function npshm_ref_attach(ref, opts)
    ccall((:npshm_ref_attach, libnpshm), Ptr{npshm_array},
          (Ptr{npshm_ref}, Ptr{npshm_options}), ref, opts)
end

"""
    npshm_ref_check(ref, a) -> Cint

C: `int npshm_ref_check(const npshm_ref *ref, const npshm_array *a)`
"""
function npshm_ref_check(ref, a)
    ccall((:npshm_ref_check, libnpshm), Cint,
          (Ptr{npshm_ref}, Ptr{npshm_array}), ref, a)
end

"""
    npshm_stat(name, opts) -> Ptr{npshm_info}

C: `npshm_info *npshm_stat(const char *name, const npshm_options *opts)`
"""
function npshm_stat(name, opts)
    ccall((:npshm_stat, libnpshm), Ptr{npshm_info},
          (Cstring, Ptr{npshm_options}), name, opts)
end

"""
    npshm_info_free(info) -> Cvoid

C: `void npshm_info_free(npshm_info *info)`
"""
function npshm_info_free(info)
    ccall((:npshm_info_free, libnpshm), Cvoid,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_status(info) -> Cint

C: `int npshm_info_status(const npshm_info *info)`
"""
function npshm_info_status(info)
    ccall((:npshm_info_status, libnpshm), Cint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_message(info) -> Ptr{UInt8}

C: `const char *npshm_info_message(const npshm_info *info)`
"""
function npshm_info_message(info)
    ccall((:npshm_info_message, libnpshm), Ptr{UInt8},
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_name(info) -> Ptr{UInt8}

C: `const char *npshm_info_name(const npshm_info *info)`
"""
function npshm_info_name(info)
    ccall((:npshm_info_name, libnpshm), Ptr{UInt8},
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_path(info) -> Ptr{UInt8}

C: `const char *npshm_info_path(const npshm_info *info)`
"""
function npshm_info_path(info)
    ccall((:npshm_info_path, libnpshm), Ptr{UInt8},
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_dtype(info) -> Ptr{UInt8}

C: `const char *npshm_info_dtype(const npshm_info *info)`
"""
function npshm_info_dtype(info)
    ccall((:npshm_info_dtype, libnpshm), Ptr{UInt8},
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_ndim(info) -> Cint

C: `int npshm_info_ndim(const npshm_info *info)`
"""
function npshm_info_ndim(info)
    ccall((:npshm_info_ndim, libnpshm), Cint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_shape(info) -> Ptr{Int64}

C: `const int64_t *npshm_info_shape(const npshm_info *info)`
"""
function npshm_info_shape(info)
    ccall((:npshm_info_shape, libnpshm), Ptr{Int64},
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_order(info) -> Cint

C: `int npshm_info_order(const npshm_info *info)`
"""
function npshm_info_order(info)
    ccall((:npshm_info_order, libnpshm), Cint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_itemsize(info) -> Csize_t

C: `size_t npshm_info_itemsize(const npshm_info *info)`
"""
function npshm_info_itemsize(info)
    ccall((:npshm_info_itemsize, libnpshm), Csize_t,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_nbytes(info) -> Csize_t

C: `size_t npshm_info_nbytes(const npshm_info *info)`
"""
function npshm_info_nbytes(info)
    ccall((:npshm_info_nbytes, libnpshm), Csize_t,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_lifetime(info) -> Cint

C: `int npshm_info_lifetime(const npshm_info *info)`
"""
function npshm_info_lifetime(info)
    ccall((:npshm_info_lifetime, libnpshm), Cint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_holders(info) -> Cint

C: `int npshm_info_holders(const npshm_info *info)`
"""
function npshm_info_holders(info)
    ccall((:npshm_info_holders, libnpshm), Cint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_file_size(info) -> UInt64

C: `uint64_t npshm_info_file_size(const npshm_info *info)`
"""
function npshm_info_file_size(info)
    ccall((:npshm_info_file_size, libnpshm), UInt64,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_page_size(info) -> Csize_t

C: `size_t npshm_info_page_size(const npshm_info *info)`
"""
function npshm_info_page_size(info)
    ccall((:npshm_info_page_size, libnpshm), Csize_t,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_uid(info) -> Cuint

C: `unsigned int npshm_info_uid(const npshm_info *info)`
"""
function npshm_info_uid(info)
    ccall((:npshm_info_uid, libnpshm), Cuint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_mode(info) -> Cuint

C: `unsigned int npshm_info_mode(const npshm_info *info)`
"""
function npshm_info_mode(info)
    ccall((:npshm_info_mode, libnpshm), Cuint,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_mtime(info) -> Int64

C: `int64_t npshm_info_mtime(const npshm_info *info)`
"""
function npshm_info_mtime(info)
    ccall((:npshm_info_mtime, libnpshm), Int64,
          (Ptr{npshm_info},), info)
end

"""
    npshm_info_processes(info, pids, cap, mappings) -> Cint

C: `int npshm_info_processes(const npshm_info *info, int64_t *pids, size_t cap, size_t *mappings)`
"""
function npshm_info_processes(info, pids, cap, mappings)
    ccall((:npshm_info_processes, libnpshm), Cint,
          (Ptr{npshm_info}, Ptr{Int64}, Csize_t, Ptr{Csize_t}), info, pids, cap, mappings)
end

"""
    npshm_list_arrays(opts) -> Ptr{npshm_list}

C: `npshm_list *npshm_list_arrays(const npshm_options *opts)`
"""
function npshm_list_arrays(opts)
    ccall((:npshm_list_arrays, libnpshm), Ptr{npshm_list},
          (Ptr{npshm_options},), opts)
end

"""
    npshm_list_size(list) -> Csize_t

C: `size_t npshm_list_size(const npshm_list *list)`
"""
function npshm_list_size(list)
    ccall((:npshm_list_size, libnpshm), Csize_t,
          (Ptr{npshm_list},), list)
end

"""
    npshm_list_get(list, i) -> Ptr{npshm_info}

C: `const npshm_info *npshm_list_get(const npshm_list *list, size_t i)`
"""
function npshm_list_get(list, i)
    ccall((:npshm_list_get, libnpshm), Ptr{npshm_info},
          (Ptr{npshm_list}, Csize_t), list, i)
end

"""
    npshm_list_free(list) -> Cvoid

C: `void npshm_list_free(npshm_list *list)`
"""
function npshm_list_free(list)
    ccall((:npshm_list_free, libnpshm), Cvoid,
          (Ptr{npshm_list},), list)
end

"""
    npshm_gc(opts, dry_run) -> Ptr{npshm_list}

C: `npshm_list *npshm_gc(const npshm_options *opts, int dry_run)`
"""
function npshm_gc(opts, dry_run)
    ccall((:npshm_gc, libnpshm), Ptr{npshm_list},
          (Ptr{npshm_options}, Cint), opts, dry_run)
end

"""
    npshm_wait_created(name, opts, timeout) -> Cint

C: `int npshm_wait_created(const char *name, const npshm_options *opts, double timeout)`
"""
function npshm_wait_created(name, opts, timeout)
    ccall((:npshm_wait_created, libnpshm), Cint,
          (Cstring, Ptr{npshm_options}, Cdouble), name, opts, timeout)
end

"""
    npshm_watch_created(name, opts) -> Ptr{npshm_watch}

C: `npshm_watch *npshm_watch_created(const char *name, const npshm_options *opts)`
"""
function npshm_watch_created(name, opts)
    ccall((:npshm_watch_created, libnpshm), Ptr{npshm_watch},
          (Cstring, Ptr{npshm_options}), name, opts)
end

"""
    npshm_watch_fd(w) -> Cint

C: `int npshm_watch_fd(const npshm_watch *w)`
"""
function npshm_watch_fd(w)
    ccall((:npshm_watch_fd, libnpshm), Cint,
          (Ptr{npshm_watch},), w)
end

"""
    npshm_watch_check(w) -> Cint

C: `int npshm_watch_check(npshm_watch *w)`
"""
function npshm_watch_check(w)
    ccall((:npshm_watch_check, libnpshm), Cint,
          (Ptr{npshm_watch},), w)
end

"""
    npshm_watch_free(w) -> Cvoid

C: `void npshm_watch_free(npshm_watch *w)`
"""
function npshm_watch_free(w)
    ccall((:npshm_watch_free, libnpshm), Cvoid,
          (Ptr{npshm_watch},), w)
end

"""
    npshm_notify(a, version) -> Cint

C: `int npshm_notify(npshm_array *a, uint64_t *version)`
"""
function npshm_notify(a, version)
    ccall((:npshm_notify, libnpshm), Cint,
          (Ptr{npshm_array}, Ptr{UInt64}), a, version)
end

"""
    npshm_array_version(a, version) -> Cint

C: `int npshm_array_version(const npshm_array *a, uint64_t *version)`
"""
function npshm_array_version(a, version)
    ccall((:npshm_array_version, libnpshm), Cint,
          (Ptr{npshm_array}, Ptr{UInt64}), a, version)
end

"""
    npshm_wait_changed(a, seen, timeout, version) -> Cint

C: `int npshm_wait_changed(const npshm_array *a, uint64_t seen, double timeout, uint64_t *version)`
"""
function npshm_wait_changed(a, seen, timeout, version)
    ccall((:npshm_wait_changed, libnpshm), Cint,
          (Ptr{npshm_array}, UInt64, Cdouble, Ptr{UInt64}), a, seen, timeout, version)
end

"""
    npshm_waiter_new() -> Ptr{npshm_waiter}

C: `npshm_waiter *npshm_waiter_new(void)`
"""
function npshm_waiter_new()
    ccall((:npshm_waiter_new, libnpshm), Ptr{npshm_waiter}, ())
end

"""
    npshm_waiter_free(w) -> Cvoid

C: `void npshm_waiter_free(npshm_waiter *w)`
"""
function npshm_waiter_free(w)
    ccall((:npshm_waiter_free, libnpshm), Cvoid,
          (Ptr{npshm_waiter},), w)
end

"""
    npshm_wait_changed_any(w, arrays, seen, n, timeout, index, version) -> Cint

C: `int npshm_wait_changed_any(npshm_waiter *w, npshm_array **arrays, const uint64_t *seen, size_t n, double timeout, size_t *index, uint64_t *version)`
"""
function npshm_wait_changed_any(w, arrays, seen, n, timeout, index, version)
    ccall((:npshm_wait_changed_any, libnpshm), Cint,
          (Ptr{npshm_waiter}, Ptr{Ptr{npshm_array}}, Ptr{UInt64}, Csize_t, Cdouble, Ptr{Csize_t}, Ptr{UInt64}), w, arrays, seen, n, timeout, index, version)
end

"""
    npshm_waiter_interrupt(w) -> Cint

C: `int npshm_waiter_interrupt(npshm_waiter *w)`
"""
function npshm_waiter_interrupt(w)
    ccall((:npshm_waiter_interrupt, libnpshm), Cint,
          (Ptr{npshm_waiter},), w)
end

"""
    npshm_wait_released(name, opts, timeout) -> Cint

C: `int npshm_wait_released(const char *name, const npshm_options *opts, double timeout)`
"""
function npshm_wait_released(name, opts, timeout)
    ccall((:npshm_wait_released, libnpshm), Cint,
          (Cstring, Ptr{npshm_options}, Cdouble), name, opts, timeout)
end

"""
    npshm_wait_released_array(a, timeout) -> Cint

C: `int npshm_wait_released_array(const npshm_array *a, double timeout)`
"""
function npshm_wait_released_array(a, timeout)
    ccall((:npshm_wait_released_array, libnpshm), Cint,
          (Ptr{npshm_array}, Cdouble), a, timeout)
end

"""
    npshm_lock(a, exclusive, timeout) -> Cint

C: `int npshm_lock(npshm_array *a, int exclusive, double timeout)`
"""
function npshm_lock(a, exclusive, timeout)
    ccall((:npshm_lock, libnpshm), Cint,
          (Ptr{npshm_array}, Cint, Cdouble), a, exclusive, timeout)
end

"""
    npshm_unlock(a) -> Cint

C: `int npshm_unlock(npshm_array *a)`
"""
function npshm_unlock(a)
    ccall((:npshm_unlock, libnpshm), Cint,
          (Ptr{npshm_array},), a)
end

end # module LibNPShm
