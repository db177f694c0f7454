# NPShmError: the one exception type NPShm throws.

"""
    NPShmError(code, name, message, errno)

Thrown by every NPShm function that fails.

- `code`: the library's error code, one of the negative `NPSHM_E_*` values
  (`NPShm.LibNPShm.NPSHM_E_NOT_FOUND`, ...);
- `name`: its symbolic name, e.g. `"NPSHM_E_NOT_FOUND"`;
- `message`: what failed, on which array, and why, e.g.
  `"attach shm://x: no such array (No such file or directory)"`;
- `errno`: the system error behind it, or 0.

Errors found by NPShm itself before calling the library (an unsupported
element type, a bad keyword value) use the same codes: `NPSHM_E_INVALID`
for bad arguments, `NPSHM_E_FORMAT` for an array whose dtype has no Julia
element type.
"""
struct NPShmError <: Exception
    code::Int
    name::String
    message::String
    errno::Int
end

NPShmError(code::Integer, message::AbstractString) =
    NPShmError(Int(code), error_name(code), String(message), 0)

function Base.showerror(io::IO, e::NPShmError)
    print(io, "NPShmError: ", e.message, " [", e.name)
    e.errno != 0 && print(io, ", errno ", e.errno)
    print(io, "]")
end

"""
    error_name(code) -> String

The symbolic name of a library error code ("NPSHM_E_NOT_FOUND"), or
"unknown".
"""
error_name(code::Integer) = _string(LibNPShm.npshm_error_name(Cint(code)))

"""
    error_slug(code) -> String

The short name of a library error code ("not_found"), or "" for a code the
library does not have.
"""
error_slug(code::Integer) = _string(LibNPShm.npshm_error_slug(Cint(code)))

"""
    error_codes() -> Vector{Pair{Int,String}}

Every error code of the library with its short name, from the library's
table: `[-1 => "invalid", -2 => "not_found", ...]`.
"""
error_codes() = [Int(c) => error_slug(c) for c in -1:-1:Int(LibNPShm.NPSHM_E_LAST)]

# A C string result as a String ("" for NULL).
_string(p::Ptr{UInt8}) = p == C_NULL ? "" : unsafe_string(p)

# How an array name appears in messages: the library's canonical name
# (npshm_resolve); a name the library refuses is shown as given.
function _display_name(name::AbstractString)
    s = String(name)
    '\0' in s && return s
    loc = LibNPShm.npshm_resolve(s, C_NULL)
    loc == C_NULL && return s
    try
        return _string(LibNPShm.npshm_location_name(loc))
    finally
        LibNPShm.npshm_location_free(loc)
    end
end

# Throw an error found on the Julia side, in the library's message style.
@noinline function _fail(code::Integer, op::AbstractString, name::AbstractString,
                         cause::AbstractString)
    throw(NPShmError(code, string(op, " ", _display_name(name), ": ", cause)))
end

# The error state of the calling thread, as an NPShmError.
function _last_error()
    code = Int(LibNPShm.npshm_last_error())
    errno = Int(LibNPShm.npshm_last_errno())
    message = _string(LibNPShm.npshm_last_message())
    return NPShmError(code, error_name(code), message, errno)
end

# Run `call()` (one library call) and throw the library's error when
# `failed(result)`.  The library keeps its error state per thread until the
# next failure; finalizers are held back meanwhile, so that a finalizer that
# closes a handle on this thread cannot replace the state between the
# failing call and reading it.  (A task only moves between threads when it
# yields, which nothing here does.)
@inline function _checked(call, failed)
    GC.enable_finalizers(false)
    try
        result = call()
        failed(result) && throw(_last_error())
        return result
    finally
        GC.enable_finalizers(true)
    end
end

_check_ptr(call) = _checked(call, p -> p == C_NULL)
_check_code(call) = _checked(call, c -> c < 0)
