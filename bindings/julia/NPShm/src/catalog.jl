# Names in the shm directory: exists, delete, info, list, gc.

"""
    NPShm.ArrayInfo

What is known of one file without attaching it (`NPShm.info`, `NPShm.list`,
`NPShm.gc`).  `status == 0` for a valid array; otherwise it is the error code
attaching would give and `message` says why, and only `name`, `path`,
`holders`, `file_size`, `uid`, `mode` and `mtime` are meaningful.

`shape` is the shape stored in the file (NumPy's); `eltype` is the Julia
element type of `dtype`, or `nothing` when NPShm has none for it.
"""
struct ArrayInfo
    name::String
    path::String
    status::Int
    message::String
    dtype::String
    eltype::Union{DataType,Nothing}
    shape::Vector{Int64}
    order::Symbol          # :C, :F, or :unknown
    itemsize::Int
    nbytes::Int
    lifetime::Symbol       # :persistent, :owner, :last, or :unknown
    holders::Int           # live handles holding the file; -1 if unknown
    file_size::UInt64
    uid::UInt32
    mode::UInt32
    mtime::Int64           # Unix seconds
end

function Base.show(io::IO, info::ArrayInfo)
    print(io, "NPShm.ArrayInfo(", repr(info.name))
    if info.status == 0
        print(io, ", ", info.dtype, ", shape ", Tuple(info.shape), ", order ",
              info.order, ", ", info.lifetime, ", holders ", info.holders)
    else
        print(io, ", invalid: ", info.message)
    end
    print(io, ")")
end

function _order_symbol(code)
    text = _string(LibNPShm.npshm_order_name(Cint(code)))
    return isempty(text) ? :unknown : Symbol(text)
end

function _lifetime_symbol(code)
    text = _string(LibNPShm.npshm_lifetime_name(Cint(code)))
    return isempty(text) ? :unknown : Symbol(text)
end

# Copy an npshm_info (owned by the caller) into an ArrayInfo.
function _array_info(p::Ptr{LibNPShm.npshm_info})
    status = Int(LibNPShm.npshm_info_status(p))
    valid = status == LibNPShm.NPSHM_OK
    dtype = valid ? _string(LibNPShm.npshm_info_dtype(p)) : ""
    shape = Int64[]
    if valid
        ndim = Int(LibNPShm.npshm_info_ndim(p))
        shape_ptr = LibNPShm.npshm_info_shape(p)
        shape = Int64[unsafe_load(shape_ptr, i) for i in 1:ndim]
    end
    return ArrayInfo(
        _string(LibNPShm.npshm_info_name(p)),
        _string(LibNPShm.npshm_info_path(p)),
        status,
        _string(LibNPShm.npshm_info_message(p)),
        dtype,
        valid ? eltype_for(dtype) : nothing,
        shape,
        valid ? _order_symbol(LibNPShm.npshm_info_order(p)) : :unknown,
        valid ? Int(LibNPShm.npshm_info_itemsize(p)) : 0,
        valid ? Int(LibNPShm.npshm_info_nbytes(p)) : 0,
        valid ? _lifetime_symbol(LibNPShm.npshm_info_lifetime(p)) : :unknown,
        Int(LibNPShm.npshm_info_holders(p)),
        LibNPShm.npshm_info_file_size(p),
        UInt32(LibNPShm.npshm_info_uid(p)),
        UInt32(LibNPShm.npshm_info_mode(p)),
        LibNPShm.npshm_info_mtime(p),
    )
end

# Copy an npshm_list into ArrayInfos and free it.
function _array_infos(list::Ptr{LibNPShm.npshm_list})
    try
        count = Int(LibNPShm.npshm_list_size(list))
        infos = ArrayInfo[]
        for i in 0:count-1
            item = LibNPShm.npshm_list_get(list, i)
            item == C_NULL || push!(infos, _array_info(item))
        end
        return infos
    finally
        LibNPShm.npshm_list_free(list)
    end
end

"""
    NPShm.exists(name; directory=nothing) -> Bool

`true` if `name` is an array (a readable, valid .npy), `false` if nothing
by that name exists.  Throws [`NPShmError`](@ref) otherwise, e.g.
`NPSHM_E_FORMAT` for a file that is not an array.
"""
function exists(name::AbstractString; directory = nothing)
    op = "exists"
    cname = _cstring(name, "the name", op, name)
    result = _with_options(op, name; directory = directory) do opts
        _check_code(() -> LibNPShm.npshm_exists(cname, opts))
    end
    return result == 1
end

"""
    NPShm.delete(name; directory=nothing) -> nothing

Remove the array `name` now.  Processes that have it attached keep their
mapping.  Throws [`NPShmError`](@ref): `NPSHM_E_NOT_FOUND` when there is no
such array, `NPSHM_E_FORMAT` for a file that is not an array (never deleted).
"""
function delete(name::AbstractString; directory = nothing)
    op = "delete"
    cname = _cstring(name, "the name", op, name)
    _with_options(op, name; directory = directory) do opts
        _check_code(() -> LibNPShm.npshm_remove(cname, opts))
    end
    return nothing
end

"""
    NPShm.info(name; directory=nothing) -> ArrayInfo

Describe `name` without attaching it.  A file that exists but is not a valid
array gives an `ArrayInfo` with a non-zero `status`.
"""
function info(name::AbstractString; directory = nothing)
    op = "info"
    cname = _cstring(name, "the name", op, name)
    p = _with_options(op, name; directory = directory) do opts
        _check_ptr(() -> LibNPShm.npshm_stat(cname, opts))
    end
    try
        return _array_info(p)
    finally
        LibNPShm.npshm_info_free(p)
    end
end

"""
    NPShm.list(; directory=nothing) -> Vector{ArrayInfo}

Every file in the shm directory except hidden ones, valid arrays or not,
sorted by name.
"""
function list(; directory = nothing)
    op = "list"
    where_ = directory === nothing ? "shm://" : "shm:// in $(directory)"
    p = _with_options(op, where_; directory = directory) do opts
        _check_ptr(() -> LibNPShm.npshm_list_arrays(opts))
    end
    return _array_infos(p)
end

"""
    NPShm.gc(; dry_run=false, directory=nothing) -> Vector{ArrayInfo}

Remove every `:owner` or `:last` array that no live process holds, and every
unfinished create whose creator died; never `:persistent` arrays, foreign
files or anything in use.  Returns what was (with `dry_run`, would be)
removed.
"""
function gc(; dry_run::Bool = false, directory = nothing)
    op = "gc"
    where_ = directory === nothing ? "shm://" : "shm:// in $(directory)"
    p = _with_options(op, where_; directory = directory) do opts
        _check_ptr(() -> LibNPShm.npshm_gc(opts, dry_run ? 1 : 0))
    end
    return _array_infos(p)
end
