"""
    NPShm

Share n-dimensional arrays between processes on one machine with no copies,
through libnpshm: every array is a file in /dev/shm that is also a valid
NumPy .npy file, so Python, R, C and Julia processes can all attach it.

    A = NPShm.create("frames", Float32, (640, 480, 100))   # writable Array
    B = NPShm.attach("frames"; readonly = true)            # in any process
    NPShm.exists("frames"), NPShm.list(), NPShm.delete("frames")
    text = NPShm.reference(A); C = NPShm.attach_reference(text)   # saved references

Arrays are plain `Array{T,N}` over the mapping (see `create` for C-order
arrays, which appear transposed).  Every failure throws `NPShmError`.
The low-level layer, one `ccall` per C function, is `NPShm.LibNPShm`.
"""
module NPShm

export NPShmError

include("LibNPShm.jl")     # generated from include/npshm.h
include("library.jl")      # finding and loading libnpshm
include("errors.jl")       # NPShmError
include("eltypes.jl")      # Julia element type <-> NPY descr
include("options.jl")      # keyword arguments -> npshm_options
include("mapping.jl")      # Arrays over a mapping, and its lifetime
include("arrays.jl")       # create, attach
include("catalog.jl")      # exists, delete, info, list, gc
include("references.jl")   # saved references (reference, attach_reference)
include("waiting.jl")      # wait_created, notify, wait_changed, wait_released, lock

end # module NPShm
