# Waiting and locking (docs/waiting.md): wait_created, notify_array,
# version, wait_changed, wait_released, lock_array/unlock_array (Base owns
# the names notify, lock and unlock, which this module uses for its own
# locks: the array forms carry a suffix).
#
# The waits block in the C library, so they run through `@threadcall` (on a
# thread of libuv's pool: other tasks keep running; the pool has 4 threads
# unless UV_THREADPOOL_SIZE says otherwise, so at most that many waits make
# progress at once) in slices of at most 0.1 s, so that an interrupt
# (Ctrl-C) or a cancelled task is noticed within a slice.  Timeouts are in
# seconds; `nothing` waits without limit.  A timeout throws an `NPShmError`
# with code `NPSHM_E_TIMEOUT`.

const _SLICE = 0.1

_seconds(timeout) = timeout === nothing ? -1.0 :
    (timeout isa Real && timeout >= 0 ? Float64(timeout) :
     throw(NPShmError(LibNPShm.NPSHM_E_INVALID, "timeout must be seconds >= 0 or nothing")))

# Run `call(slice)` until it does not time out, or the timeout passes.
function _sliced(call, timeout)
    total = _seconds(timeout)
    deadline = total < 0 ? Inf : time() + total
    while true
        slice = total < 0 ? _SLICE : clamp(deadline - time(), 0.0, _SLICE)
        rc = call(slice)
        rc == LibNPShm.NPSHM_OK && return nothing
        rc != LibNPShm.NPSHM_E_TIMEOUT && throw(_last_error())
        time() >= deadline && throw(NPShmError(Int(rc), error_name(rc),
            replace(_last_error().message, r"after [0-9.e+-]+ s" => "after $(total) s"), 0))
        yield()
    end
end

# The handle of a shared array A (or throws NPSHM_E_INVALID).
function _handle_of(A::Array, op)
    mapping, _ = _mapping_of(A)
    mapping === nothing && throw(NPShmError(LibNPShm.NPSHM_E_INVALID,
        "$op: the array does not live in a shared array"))
    return mapping.handle
end

"""
    NPShm.wait_created(name; timeout=nothing, directory=nothing)

Return once `name` exists as an array (the directory is watched before the
name is looked up, so no creation is missed).
"""
function wait_created(name::AbstractString; timeout = nothing, directory = nothing)
    op = "wait_created"
    cname = _cstring(name, "the name", op, name)
    _with_options(op, name; directory = directory) do opts
        _sliced(timeout) do t
            @threadcall((:npshm_wait_created, libnpshm), Cint,
                        (Cstring, Ptr{LibNPShm.npshm_options}, Cdouble), cname, opts, t)
        end
    end
    return nothing
end

"""
    NPShm.notify_array(A) -> UInt64

Add one to the version of the shared array `A` and wake every waiter;
returns the new version.  Needs a writable array.
"""
function notify_array(A::Array)
    v = Ref{UInt64}(0)
    h = _handle_of(A, "notify")
    _check_code(() -> ccall((:npshm_notify, libnpshm), Cint,
                            (Ptr{LibNPShm.npshm_array}, Ptr{UInt64}), h, v))
    return v[]
end

"""
    NPShm.version(A) -> UInt64

The version of the shared array `A`: 0 when created, one more per notify.
"""
function version(A::Array)
    v = Ref{UInt64}(0)
    h = _handle_of(A, "version")
    _check_code(() -> ccall((:npshm_array_version, libnpshm), Cint,
                            (Ptr{LibNPShm.npshm_array}, Ptr{UInt64}), h, v))
    return v[]
end

"""
    NPShm.wait_changed(A, seen; timeout=nothing) -> UInt64

Return the version of `A` as soon as it differs from `seen` (never missing
a notify made after `seen` was read; waiters may skip versions).
"""
function wait_changed(A::Array, seen::Integer; timeout = nothing)
    v = Ref{UInt64}(0)
    h = _handle_of(A, "wait_changed")
    _sliced(timeout) do t
        @threadcall((:npshm_wait_changed, libnpshm), Cint,
                    (Ptr{LibNPShm.npshm_array}, UInt64, Cdouble, Ptr{UInt64}),
                    h, UInt64(seen), t, v)
    end
    return v[]
end

"""
    NPShm.wait_released(name_or_array; timeout=nothing)

Return once no process other than this one holds the array.
"""
function wait_released(A::Array; timeout = nothing)
    h = _handle_of(A, "wait_released")
    _sliced(timeout) do t
        @threadcall((:npshm_wait_released_array, libnpshm), Cint,
                    (Ptr{LibNPShm.npshm_array}, Cdouble), h, t)
    end
    return nothing
end

function wait_released(name::AbstractString; timeout = nothing, directory = nothing)
    op = "wait_released"
    cname = _cstring(name, "the name", op, name)
    _with_options(op, name; directory = directory) do opts
        _sliced(timeout) do t
            @threadcall((:npshm_wait_released, libnpshm), Cint,
                        (Cstring, Ptr{LibNPShm.npshm_options}, Cdouble), cname, opts, t)
        end
    end
    return nothing
end

"""
    NPShm.lock_array(f, A; exclusive=true, timeout=nothing)
    NPShm.lock_array(A; exclusive=true, timeout=nothing); NPShm.unlock_array(A)

Lock the shared array `A` between processes (an OFD lock the kernel
releases when the process dies, even by SIGKILL); the do-block form
unlocks when `f` returns or throws.  Advisory; any process that can open
the file can take it.
"""
function lock_array(A::Array; exclusive::Bool = true, timeout = nothing)
    h = _handle_of(A, "lock")
    _sliced(timeout) do t
        @threadcall((:npshm_lock, libnpshm), Cint,
                    (Ptr{LibNPShm.npshm_array}, Cint, Cdouble), h, Cint(exclusive), t)
    end
    return nothing
end

function lock_array(f::Function, A::Array; exclusive::Bool = true, timeout = nothing)
    lock_array(A; exclusive = exclusive, timeout = timeout)
    try
        return f()
    finally
        unlock_array(A)
    end
end

function unlock_array(A::Array)
    h = _handle_of(A, "unlock")
    _check_code(() -> ccall((:npshm_unlock, libnpshm), Cint, (Ptr{LibNPShm.npshm_array},), h))
    return nothing
end
