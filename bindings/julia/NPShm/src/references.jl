# Saved references: a short text naming an array (and the view of it this
# Array is) that another process turns back into the same Array with
# `attach_reference`.  The text is the library's (npshm_ref_*), the same
# Python pickles and R serializes; the library checks it against the
# array's header when attaching (the very array referenced, same dtype,
# every element inside the data) and decides the access: a reference grants
# nothing by itself (writable only for a shm:// array named by its id, where
# this process can write the file).

# data address => Mapping, for every live array made by this package.
const _LIVE = Dict{UInt,Mapping}()
const _LIVE_LOCK = ReentrantLock()

# (Entries are dropped here, lazily, once their handle is closed: release!
# runs in finalizers, which must not take locks.)
function _remember(mapping::Mapping, data::Ptr)
    lock(_LIVE_LOCK) do
        filter!(entry -> entry.second.handle != C_NULL, _LIVE)
        _LIVE[UInt(data)] = mapping
    end
    return nothing
end

# The live mapping whose data holds the bytes of A, and A's byte offset in it.
function _mapping_of(A::Array)
    address = UInt(pointer(A))
    lock(_LIVE_LOCK) do
        for (data, mapping) in _LIVE
            mapping.handle == C_NULL && continue
            nbytes = UInt(LibNPShm.npshm_nbytes(mapping.handle))
            if data <= address && address + UInt(sizeof(A)) <= data + nbytes
                return mapping, Int64(address - data)
            end
        end
        return nothing, Int64(0)
    end
end

"""
    NPShm.reference(A; readonly=false) -> String

A saved reference to the shared array `A` (an Array returned by `create`,
`attach` or `attach_reference`, or a reshape of one): a short printable
text that `attach_reference` turns back into an Array over the same bytes,
in this or another process, no copy.  `readonly=true` (or a read-only
array) makes a read-only reference.  Throws `NPShmError` with
`NPSHM_E_INVALID` if `A` does not live in a shared array.
"""
function reference(A::Array; readonly::Bool = false)
    op = "reference"
    mapping, offset = _mapping_of(A)
    mapping === nothing &&
        throw(NPShmError(LibNPShm.NPSHM_E_INVALID, "reference: the array is not in shared memory"))
    # Julia's own view of the bytes: column-major, contiguous.
    dims = Int64[size(A)...]
    strides = Int64[s * sizeof(eltype(A)) for s in Base.strides(A)]
    ref = _check_ptr(() -> LibNPShm.npshm_ref_make(mapping.handle, offset, Cint(ndims(A)),
                                                   dims, strides, Cint(readonly)))
    try
        return _string(LibNPShm.npshm_ref_text(ref))
    finally
        LibNPShm.npshm_ref_free(ref)
    end
end

"""
    NPShm.attach_reference(text; readonly=nothing, directory=nothing) -> Array

Attach the array a saved reference names (see [`NPShm.reference`](@ref); the
text may come from Python's or R's references too) and return an Array over
the view it names.  A reference grants nothing by itself: with
`readonly=nothing` the mapping is writable only when the reference names a
`shm://` array by its id and this process can write the file; a `file://`
reference, or one naming a plain .npy (id 0), maps read-only whatever its
text says.  `readonly=true` maps read-only; `readonly=false` asks for write
access yourself (`NPSHM_E_PERMISSION` if the file cannot be opened for
writing).  Refused (`NPShmError`) when the name now holds another
array (`NPSHM_E_NOT_FOUND`: removed and created again), the dtype differs
(`NPSHM_E_MISMATCH`), the view reaches outside the data or the text is
malformed (`NPSHM_E_INVALID`), or the view is not contiguous in column-major
order (Julia Arrays need that; `NPSHM_E_INVALID`).
"""
function attach_reference(text::AbstractString; readonly::Union{Bool,Nothing} = nothing,
                          directory = nothing)
    op = "attach reference"
    ctext = _cstring(text, "the reference", op, "")
    ref = _check_ptr(() -> LibNPShm.npshm_ref_parse(ctext))
    try
        name = _string(LibNPShm.npshm_ref_name(ref))
        T = eltype_for(_string(LibNPShm.npshm_ref_dtype(ref)))
        T === nothing && _fail(LibNPShm.NPSHM_E_FORMAT, op, name,
                               "dtype $(_string(LibNPShm.npshm_ref_dtype(ref))) has no Julia element type")
        ndim = Int(LibNPShm.npshm_ref_ndim(ref))
        dims = ntuple(i -> Int(unsafe_load(LibNPShm.npshm_ref_shape(ref), i)), ndim)
        strides = ntuple(i -> Int(unsafe_load(LibNPShm.npshm_ref_strides(ref), i)), ndim)
        expected = ntuple(i -> sizeof(T) * prod(dims[1:i-1]; init = 1), ndim)
        all(d -> d > 0, dims) && strides != expected &&
            _fail(LibNPShm.NPSHM_E_INVALID, op, name,
                  "the view (strides $strides) is not contiguous in column-major order")
        offset = Int(LibNPShm.npshm_ref_offset(ref))
        handle = _with_options(op, name; directory = directory,
                               readonly = readonly === true ? true : nothing,
                               ref_writable = readonly === false ? true : nothing) do opts
            _check_ptr(() -> LibNPShm.npshm_ref_attach(ref, opts))
        end
        mapping = Mapping(handle)
        try
            data = Ptr{T}(LibNPShm.npshm_data(handle) + offset)
            A = _wrap_array(T, data, dims, mapping)
            _remember(mapping, LibNPShm.npshm_data(handle))
            return A
        catch
            release!(mapping)
            rethrow()
        end
    finally
        LibNPShm.npshm_ref_free(ref)
    end
end
