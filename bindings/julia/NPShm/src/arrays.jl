# create and attach: Arrays over shared memory.

"""
    NPShm.create(name, T, dims; order=:F, lifetime=:persistent, mode=0o600,
                 fill=nothing, directory=nothing) -> Array{T,N}

Create the shared array `name` ("NAME" or "shm://NAME": the file NAME in
/dev/shm; "file:///abs/path.npy": a file anywhere) with element type `T`
and shape `dims`, and return a writable `Array{T,N}` over its memory (no
copy).

- `dims`: an integer or a tuple/vector of integers: the shape stored in the
  file, i.e. the shape NumPy and every other binding see.
- `order`: `:F` (column-major, Julia's own layout: `size(A) == dims`) or
  `:C` (row-major, NumPy's default: the Julia array is the zero-copy
  transpose, `size(A) == reverse(dims)` and `A[j, i]` is NumPy's `a[i, j]`).
- `lifetime`: `:persistent` (kept until deleted), `:owner` (removed when this
  array is finalized), `:last` (removed when the last process using it lets
  go of it).
- `mode`: permission bits of the file, applied exactly.
- `fill`: a value every element starts as (default zero).
- `directory`: the directory "shm://" names live in (default: NPSHM_DIR or
  /dev/shm).

`T` must be one of `NPShm.SUPPORTED_ELTYPES`.  The mapping stays alive as
long as the array or anything sharing its memory (reshapes, views) does.
Throws [`NPShmError`](@ref): `NPSHM_E_EXISTS` when the name is taken,
`NPSHM_E_INVALID` for a bad name, type, shape or option,
`NPSHM_E_NO_SPACE` when the shm directory is full, ...
"""
function create(name::AbstractString, ::Type{T}, dims; order::Symbol = :F,
                lifetime = :persistent, mode::Integer = 0o600, fill = nothing,
                directory = nothing) where {T}
    op = "create"
    cname = _cstring(name, "the name", op, name)
    dtype = descr(T)
    dtype === nothing &&
        _fail(LibNPShm.NPSHM_E_INVALID, op, name,
              "element type $T is not supported (supported: $(_supported_list()))")
    shape = _shape(dims, op, name)
    order_code = _order_code(order, op, name)
    item = fill === nothing ? nothing : Ref{T}(_fill_value(T, fill, op, name))
    handle = _with_options(op, name; directory = directory, lifetime = lifetime,
                           mode = mode, fill = item) do opts
        _check_ptr(() -> LibNPShm.npshm_create(cname, dtype, length(shape), shape,
                                               order_code, opts))
    end
    return _array_from_handle(handle, op, name)::Array{T}
end

function _fill_value(::Type{T}, value, op, name) where {T}
    try
        return convert(T, value)
    catch err
        err isa Union{InexactError,MethodError} || rethrow()
        _fail(LibNPShm.NPSHM_E_INVALID, op, name,
              "fill value $(repr(value)) cannot be stored as $T")
    end
end

"""
    NPShm.attach(name; readonly=false, T=nothing, dims=nothing,
                 directory=nothing, populate=false) -> Array

Attach the existing shared array `name` (or any .npy file by
"file:///abs/path.npy") and return an `Array{T,N}` over its memory, no copy.
A C-order array appears with its dims reversed (see [`NPShm.create`](@ref)).

- `readonly`: map the file read-only; writing to the array then throws
  `ReadOnlyMemoryError`.
- `T`, `dims`: when given, the array must have this element type and this
  shape (the shape in the file, as in `create`), else `NPSHM_E_MISMATCH`.
- `directory`: as in `create`.
- `populate`: map every page now, in one call, instead of at first touch.

Throws [`NPShmError`](@ref): `NPSHM_E_NOT_FOUND`, `NPSHM_E_MISMATCH`,
`NPSHM_E_FORMAT` (not a valid array, or a dtype with no Julia element
type), `NPSHM_E_PERMISSION`, ...
"""
function attach(name::AbstractString; readonly::Bool = false, T = nothing,
                dims = nothing, directory = nothing, populate::Bool = false)
    op = "attach"
    cname = _cstring(name, "the name", op, name)
    dtype = nothing
    if T !== nothing
        T isa Type || _fail(LibNPShm.NPSHM_E_INVALID, op, name,
                            "T must be a type, got $(repr(T))")
        dtype = descr(T)
        dtype === nothing &&
            _fail(LibNPShm.NPSHM_E_INVALID, op, name,
                  "element type $T is not supported (supported: $(_supported_list()))")
    end
    shape = dims === nothing ? nothing : _shape(dims, op, name)
    handle = _with_options(op, name; directory = directory, readonly = readonly,
                           populate = populate,
                           expected_dtype = dtype, expected_shape = shape) do opts
        _check_ptr(() -> LibNPShm.npshm_attach(cname, opts))
    end
    return _array_from_handle(handle, op, name)
end
