# Keyword arguments -> one npshm_options object for the duration of a call.

# dims as the library wants them: a Vector{Int64} of extents.
function _shape(dims, op, name)
    values = dims isa Integer ? (dims,) : dims
    if !(values isa Union{Tuple,AbstractVector}) || !all(d -> d isa Integer, values)
        _fail(LibNPShm.NPSHM_E_INVALID, op, name,
              "dims must be an integer or a tuple/vector of integers, got $(repr(dims))")
    end
    shape = Int64[]
    for d in values
        d isa Bool && _fail(LibNPShm.NPSHM_E_INVALID, op, name,
                            "dims must be integers, got $(repr(dims))")
        typemin(Int64) <= d <= typemax(Int64) ||
            _fail(LibNPShm.NPSHM_E_INVALID, op, name, "extent $d does not fit in Int64")
        push!(shape, Int64(d))
    end
    return shape
end

function _order_code(order, op, name)
    order === :F && return LibNPShm.NPSHM_ORDER_F
    order === :C && return LibNPShm.NPSHM_ORDER_C
    _fail(LibNPShm.NPSHM_E_INVALID, op, name, "order must be :F or :C, got $(repr(order))")
end

# A String for a Cstring argument; a NUL byte would otherwise make Julia
# throw an ArgumentError inside the ccall.
function _cstring(text, what, op, name)
    text isa AbstractString ||
        _fail(LibNPShm.NPSHM_E_INVALID, op, name, "$what must be a string, got $(repr(text))")
    s = String(text)
    '\0' in s && _fail(LibNPShm.NPSHM_E_INVALID, op, name, "$what contains a NUL byte")
    return s
end

"""
    _with_options(f, op, name; directory, lifetime, mode, fill, readonly, populate,
                  expected_dtype, expected_shape)

Make an npshm_options with the given settings (`nothing`: library default),
call `f(opts)` and free the options again.
"""
function _with_options(f, op, name; directory = nothing, lifetime = nothing,
                       mode = nothing, fill = nothing, readonly = nothing, populate = nothing,
                       expected_dtype = nothing, expected_shape = nothing,
                       ref_writable = nothing)
    # Check the Julia-side arguments before allocating anything.
    dir = directory === nothing ? nothing : _cstring(directory, "directory", op, name)
    lifetime_text = lifetime === nothing ? nothing :
        lifetime isa Symbol ? String(lifetime) : _cstring(lifetime, "lifetime", op, name)
    if mode !== nothing && !(mode isa Integer && 0 <= mode <= typemax(Cuint))
        _fail(LibNPShm.NPSHM_E_INVALID, op, name,
              "mode must be permission bits such as 0o600, got $(repr(mode))")
    end

    opts = LibNPShm.npshm_options_new()
    opts == C_NULL && _fail(LibNPShm.NPSHM_E_NO_MEMORY, op, name, "out of memory for options")
    try
        if dir !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_directory(opts, dir))
        end
        if lifetime_text !== nothing
            code = _check_code(() -> LibNPShm.npshm_lifetime_from_name(lifetime_text))
            _check_code(() -> LibNPShm.npshm_options_set_lifetime(opts, code))
        end
        if mode !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_mode(opts, Cuint(mode)))
        end
        if fill !== nothing
            # fill is a Ref holding one element; ccall keeps it alive.
            _check_code(() -> LibNPShm.npshm_options_set_fill(opts, fill, sizeof(fill[])))
        end
        if ref_writable !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_ref_writable(opts, ref_writable ? 1 : 0))
        end
        if readonly !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_readonly(opts, readonly ? 1 : 0))
        end
        if populate !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_populate(opts, populate ? 1 : 0))
        end
        if expected_dtype !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_expected_dtype(opts, expected_dtype))
        end
        if expected_shape !== nothing
            _check_code(() -> LibNPShm.npshm_options_set_expected_shape(
                opts, length(expected_shape), expected_shape))
        end
        return f(opts)
    finally
        LibNPShm.npshm_options_free(opts)
    end
end
