# The Julia element types NPShm supports and their NPY descrs.
#
# Each descr is written exactly as the library normalises it (npshm_dtype),
# so an attached array's dtype maps back by string equality.  Little-endian
# ('<') is the native order of every platform Julia runs libnpshm on; an
# array stored big-endian ('>f8') has no element type here and is refused.
#
# bindings/julia/tools/check_abi.py parses this table (one `Type => "descr"`
# per line) and checks every entry against the library: creating an array
# with the descr must give back this descr and the Julia type's size.

const ELTYPE_DESCRS = (
    Bool => "|b1",
    Int8 => "|i1",
    Int16 => "<i2",
    Int32 => "<i4",
    Int64 => "<i8",
    UInt8 => "|u1",
    UInt16 => "<u2",
    UInt32 => "<u4",
    UInt64 => "<u8",
    Float16 => "<f2",
    Float32 => "<f4",
    Float64 => "<f8",
    ComplexF32 => "<c8",
    ComplexF64 => "<c16",
)

"""
    SUPPORTED_ELTYPES

The element types NPShm arrays can have: Bool, Int8 to Int64, UInt8 to
UInt64, Float16, Float32, Float64, ComplexF32, ComplexF64.
"""
const SUPPORTED_ELTYPES = map(first, ELTYPE_DESCRS)

"""
    descr(T) -> Union{String,Nothing}

The NPY descr of element type `T` (`descr(Float64) == "<f8"`), or `nothing`
when NPShm does not support `T`.
"""
function descr(::Type{T}) where {T}
    for (type, text) in ELTYPE_DESCRS
        type === T && return text
    end
    return nothing
end

"""
    eltype_for(descr) -> Union{DataType,Nothing}

The element type of a normalised NPY descr, or `nothing` when it has none.
"""
function eltype_for(text::AbstractString)
    for (type, d) in ELTYPE_DESCRS
        d == text && return type
    end
    return nothing
end

_supported_list() = join(string.(SUPPORTED_ELTYPES), ", ")

ENDIAN_BOM == 0x04030201 ||
    error("NPShm: the element table assumes a little-endian host")
