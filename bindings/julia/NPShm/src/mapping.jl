# Arrays over a mapping, and how long the mapping lives.
#
# A `Mapping` owns one npshm_array handle (one mmap of the file plus its
# lock).  `release!` closes it: the lifetime policy is applied (an :owner
# array is unlinked by its creator's close) and the memory is unmapped, so
# no Julia object may still point into it at that time.
#
# The handle is closed by a finalizer registered on the object that owns
# the array's data, and that finalizer's closure is the only reference to
# the Mapping (the runtime's finalizer table keeps it alive):
#
#  * Julia 1.11 and later (see JuliaLang/julia issue 54985): an Array is a
#    view of a `Memory` object, and reshape / vec / view / wrappers of the
#    array share that same Memory, often outliving the Array value itself.  So the data is wrapped as a
#    `Memory{T}` (`unsafe_wrap(Memory{T}, ptr, n)`) that carries the
#    finalizer, and the Array is made over it with `Base.wrap`.  The handle
#    is closed only when the last Array, reshape or view using the memory
#    is gone.
#
#  * Julia 1.6 to 1.10: the Array made by `unsafe_wrap(Array, ptr, dims)`
#    owns the data pointer; arrays made from it by `reshape` point back at it
#    as their data owner, and views/wrappers reference it, so a finalizer on
#    that Array closes the handle only when nothing uses the data any more.
#
# Resizing such an array (push!, resize!) moves it to ordinary Julia memory:
# it is then no longer shared.

mutable struct Mapping
    handle::Ptr{LibNPShm.npshm_array}
end

# Close the handle once.  Called from finalizers, so it never throws: a
# failing close (e.g. an :owner array whose name was already removed) is
# ignored; the handle is freed by the library in any case.
function release!(m::Mapping)
    handle = m.handle
    if handle != C_NULL
        m.handle = C_NULL
        LibNPShm.npshm_close(handle)
    end
    return nothing
end

const _MEMORY_BACKED_ARRAYS = isdefined(Core, :Memory)

@static if _MEMORY_BACKED_ARRAYS && isdefined(Base, :wrap)
    function _wrap_array(::Type{T}, ptr::Ptr{T}, dims::NTuple{N,Int},
                         mapping::Mapping) where {T,N}
        memory = unsafe_wrap(Memory{T}, ptr, prod(dims; init = 1); own = false)
        finalizer(_ -> release!(mapping), memory)
        return Base.wrap(Array, memory, dims)
    end
elseif _MEMORY_BACKED_ARRAYS
    # Memory-backed arrays without Base.wrap (pre-release 1.11 builds): the
    # Array made by unsafe_wrap refers to its Memory through its `ref`
    # field; the finalizer goes on that Memory.
    function _wrap_array(::Type{T}, ptr::Ptr{T}, dims::NTuple{N,Int},
                         mapping::Mapping) where {T,N}
        array = unsafe_wrap(Array, ptr, dims; own = false)
        finalizer(_ -> release!(mapping), getfield(getfield(array, :ref), :mem))
        return array
    end
else
    function _wrap_array(::Type{T}, ptr::Ptr{T}, dims::NTuple{N,Int},
                         mapping::Mapping) where {T,N}
        array = unsafe_wrap(Array, ptr, dims; own = false)
        finalizer(_ -> release!(mapping), array)
        return array
    end
end

# An Array over the data of an open handle; takes ownership of `handle`
# (closed here on failure, by the finalizer otherwise).
function _array_from_handle(handle::Ptr{LibNPShm.npshm_array}, op, name)
    mapping = Mapping(handle)
    try
        text = _string(LibNPShm.npshm_dtype(handle))
        T = eltype_for(text)
        if T === nothing
            _fail(LibNPShm.NPSHM_E_FORMAT, op, name,
                  "dtype '$text' has no Julia element type in NPShm " *
                  "(supported: $(_supported_list()))")
        end
        ndim = Int(LibNPShm.npshm_ndim(handle))
        shape_ptr = LibNPShm.npshm_shape(handle)
        shape = ntuple(i -> Int(unsafe_load(shape_ptr, i)), ndim)
        # The file's shape is NumPy's; a C-order array is, to Julia's
        # column-major indexing, the same bytes with the dims reversed.
        c_order = LibNPShm.npshm_order(handle) == LibNPShm.NPSHM_ORDER_C
        dims = c_order ? ntuple(i -> shape[ndim + 1 - i], ndim) : shape
        data = Ptr{T}(LibNPShm.npshm_data(handle))
        array = _wrap_array(T, data, dims, mapping)
        _remember(mapping, data)
        return array
    catch
        release!(mapping)
        rethrow()
    end
end
