# Tests of NPShm.jl.  Run from the repository root with
#
#   NPSHM_LIB=$PWD/build/core/libnpshm.so \
#       julia --project=bindings/julia/NPShm bindings/julia/NPShm/test/runtests.jl
#
# (or `meson test -C build --suite julia`, or Pkg.test("NPShm")).
# Every array gets a name unique to this run and is removed again, also when
# a test fails; temporary directories are used for the directory tests.

using Test
using NPShm
using NPShm: NPShmError

const L = NPShm.LibNPShm
const PKGDIR = dirname(@__DIR__)
const PREFIX = "npshm-jl-$(getpid())-$(string(rand(UInt32), base = 16))"
const USED_NAMES = String[]

"A fresh array name for this run, remembered for the final cleanup."
function fresh_name(tag)
    name = "$PREFIX-$tag"
    push!(USED_NAMES, name)
    return name
end

"The exception `f()` throws, or `nothing`."
function thrown(f)
    try
        f()
    catch err
        return err
    end
    return nothing
end

"Test that `f()` throws an NPShmError with `code` whose message names `what`."
function test_npshm_error(f, code, what = nothing)
    err = thrown(f)
    @test err isa NPShmError
    if err isa NPShmError
        @test err.code == code
        @test err.name == NPShm.error_name(code)
        what === nothing || @test occursin(what, err.message)
        @test occursin(err.name, sprint(showerror, err))
    end
    return err
end

# A value of each element type that differs for different i.
testvalue(::Type{Bool}, i) = isodd(i)
testvalue(::Type{T}, i) where {T<:Integer} = T(i % 100)
testvalue(::Type{T}, i) where {T<:AbstractFloat} = T(i) / T(4)
testvalue(::Type{Complex{T}}, i) where {T} = Complex{T}(i, -i)

# Run GC until `done()` holds (finalizers run at collections); at most `n`
# rounds.  Returns done().
function collect_until(done; n = 20)
    for _ in 1:n
        done() && return true
        GC.gc(true)
    end
    return done()
end

# A Python with NumPy, for the interoperability tests (or nothing).
function numpy_python()
    for py in (get(ENV, "NPSHM_PYTHON", ""), "/usr/bin/python3", "python3")
        isempty(py) && continue
        Sys.which(py) === nothing && !isfile(py) && continue
        try
            success(pipeline(`$py -c "import numpy"`; stderr = devnull)) && return py
        catch
        end
    end
    return nothing
end

julia_child(code) = `$(Base.julia_cmd()) --startup-file=no --project=$PKGDIR -e $code`

# Functions that drop their arrays on return, so that nothing but what they
# return keeps the mapping alive.
@noinline function make_and_drop(name, lifetime)
    A = NPShm.create(name, Int32, (8,); lifetime = lifetime)
    A .= 1:8
    return nothing
end

@noinline function reshaped_of_dropped(name)
    A = NPShm.create(name, Int64, (4, 3); lifetime = :owner)
    A .= reshape(1:12, 4, 3)
    return reshape(A, 12)                 # A itself is dropped here
end

@noinline function view_of_dropped(name)
    A = NPShm.create(name, Float64, (4, 3); lifetime = :owner)
    A .= reshape(1:12, 4, 3)
    return view(A, :, 2)
end

@noinline check_values(v, expected) = collect(v) == collect(expected)

@testset "NPShm" begin
try
    @testset "library" begin
        @test NPShm.version() isa VersionNumber
        @test NPShm.version().major == L.NPSHM_VERSION_MAJOR
        @test unsafe_string(L.npshm_version()) == string(NPShm.version())
        @test isfile(NPShm.library_path())
        if haskey(ENV, "NPSHM_LIB")
            @test realpath(NPShm.library_path()) == realpath(ENV["NPSHM_LIB"])
        end
        @test NPShm.error_name(L.NPSHM_E_NOT_FOUND) == "NPSHM_E_NOT_FOUND"
        @test NPShm.error_name(12345) == "unknown"
        @test NPShm.error_slug(L.NPSHM_E_NOT_FOUND) == "not_found"
        @test NPShm.error_slug(12345) == ""
        # the table is the library's: one entry per code down to NPSHM_E_LAST
        codes = NPShm.error_codes()
        @test first.(codes) == collect(-1:-1:Int(L.NPSHM_E_LAST))
        @test all(p -> NPShm.error_name(p.first) == "NPSHM_E_" * uppercase(p.second), codes)
        # every function of the generated layer is there
        for fname in (:npshm_create, :npshm_attach, :npshm_close, :npshm_gc,
                      :npshm_info_processes, :npshm_list_get)
            @test isdefined(L, fname)
        end
    end

    @testset "element table" begin
        @test length(NPShm.SUPPORTED_ELTYPES) == 14
        for T in NPShm.SUPPORTED_ELTYPES
            @test NPShm.eltype_for(NPShm.descr(T)) === T
        end
        @test NPShm.descr(Int128) === nothing
        @test NPShm.eltype_for("<U4") === nothing
    end

    @testset "every element type, order $order" for order in (:F, :C)
        for T in NPShm.SUPPORTED_ELTYPES
            name = fresh_name("type-$(NPShm.descr(T)[2:end])-$order")
            dims = (3, 4, 2)
            A = NPShm.create(name, T, dims; order = order)
            @test A isa Array{T,3}
            @test size(A) == (order === :F ? dims : reverse(dims))
            @test all(iszero, A)                      # zero filled
            for i in eachindex(A)
                A[i] = testvalue(T, i)
            end
            B = NPShm.attach(name; T = T, dims = dims)
            @test B isa Array{T,3}
            @test B == A
            @test pointer(B) != pointer(A)            # another mapping ...
            B[1] = testvalue(T, 99)                   # ... of the same memory
            @test A[1] == testvalue(T, 99)
            C = NPShm.attach(name)                     # no validation
            @test typeof(C) == typeof(A) && C == A

            info = NPShm.info(name)
            @test info.status == 0
            @test info.name == "shm://" * name
            @test info.dtype == NPShm.descr(T)
            @test info.eltype === T
            @test info.shape == collect(dims)
            @test info.order === order
            @test info.itemsize == sizeof(T)
            @test info.nbytes == prod(dims) * sizeof(T)
            @test info.lifetime === :persistent
            @test info.mode == 0o600

            @test NPShm.exists(name)
            NPShm.delete(name)
            @test !NPShm.exists(name)
            @test A[2] == testvalue(T, 2)             # mappings stay valid
        end
    end

    @testset "C order is the zero-copy transpose" begin
        name = fresh_name("corder")
        A = NPShm.create(name, Int64, (2, 3); order = :C)   # NumPy: 2 rows
        @test size(A) == (3, 2)
        for i in 1:2, j in 1:3
            A[j, i] = 10i + j                 # NumPy's a[i-1, j-1]
        end
        # memory order is row-major: a[0,0], a[0,1], a[0,2], a[1,0], ...
        @test vec(A) == [11, 12, 13, 21, 22, 23]
        @test permutedims(A) == [11 12 13; 21 22 23]
        py = numpy_python()
        if py === nothing
            @info "no python3 with numpy: NumPy cross-check skipped"
        else
            path = NPShm.info(name).path
            out = read(`$py -c "import numpy; a = numpy.load('$path', mmap_mode='r'); print(a.shape, a.tolist())"`, String)
            @test strip(out) == "(2, 3) [[11, 12, 13], [21, 22, 23]]"
        end
        NPShm.delete(name)
    end

    @testset "shapes: 0-d, empty, vector" begin
        name = fresh_name("scalar")
        A = NPShm.create(name, Float64, ())
        @test A isa Array{Float64,0}
        A[] = 2.5
        @test NPShm.attach(name; dims = ())[] == 2.5
        NPShm.delete(name)

        name = fresh_name("empty")
        A = NPShm.create(name, Int32, (0, 5))
        @test size(A) == (0, 5) && isempty(A)
        @test size(NPShm.attach(name)) == (0, 5)
        NPShm.delete(name)

        name = fresh_name("vector")
        A = NPShm.create(name, UInt8, 10; order = :C)
        @test A isa Vector{UInt8} && length(A) == 10
        @test NPShm.info(name).shape == [10]
        NPShm.delete(name)
    end

    @testset "fill, mode" begin
        name = fresh_name("fill")
        A = NPShm.create(name, Float32, (4, 4); fill = 1.5, mode = 0o640)
        @test all(==(1.5f0), A)
        @test NPShm.info(name).mode == 0o640
        NPShm.delete(name)

        name = fresh_name("fillbool")
        @test all(NPShm.create(name, Bool, 5; fill = true))
        NPShm.delete(name)
    end

    @testset "readonly" begin
        name = fresh_name("readonly")
        A = NPShm.create(name, Int16, (3,))
        A .= [1, 2, 3]
        R = NPShm.attach(name; readonly = true)
        @test R == [1, 2, 3]
        @test_throws ReadOnlyMemoryError (R[1] = 7)
        @test A[1] == 1
        NPShm.delete(name)
    end

    @testset "saved references" begin
        name = fresh_name("ref")
        A = NPShm.create(name, Float64, (3, 4))
        A .= reshape(1.0:12.0, 3, 4)
        text = NPShm.reference(A)
        @test startswith(text, "npshm-ref/1 uri=shm://$name ")
        B = NPShm.attach_reference(text)
        @test B == A
        B[2, 2] = 99.0
        @test A[2, 2] == 99.0
        R = NPShm.attach_reference(NPShm.reference(A; readonly = true))
        @test_throws ReadOnlyMemoryError (R[1] = 7.0)
        # a file:// reference grants no write access (issue 20): read-only
        # unless this call asks for it
        path = joinpath(get(ENV, "NPSHM_DIR", "/dev/shm"), name)
        F = NPShm.attach("file://" * path)
        ftext = NPShm.reference(F)
        @test occursin(" ro=1 ", ftext)
        FR = NPShm.attach_reference(ftext)
        @test_throws ReadOnlyMemoryError (FR[1] = 7.0)
        FW = NPShm.attach_reference(ftext; readonly = false)
        FW[1] = 7.0
        @test A[1] == 7.0
        test_npshm_error(() -> NPShm.reference(zeros(3)), L.NPSHM_E_INVALID)
        test_npshm_error(() -> NPShm.attach_reference("npshm-ref/1 garbage"),
                         L.NPSHM_E_INVALID, "malformed reference")
        NPShm.delete(name)
        # removed and created again under the same name: refused
        NPShm.create(name, Float64, (3, 4))
        test_npshm_error(() -> NPShm.attach_reference(text), L.NPSHM_E_NOT_FOUND,
                         "removed and created again")
        NPShm.delete(name)
    end

    @testset "errors" begin
        missing_name = fresh_name("missing")
        test_npshm_error(() -> NPShm.attach(missing_name), L.NPSHM_E_NOT_FOUND, missing_name)
        test_npshm_error(() -> NPShm.delete(missing_name), L.NPSHM_E_NOT_FOUND, missing_name)
        @test !NPShm.exists(missing_name)
        test_npshm_error(() -> NPShm.info(missing_name), L.NPSHM_E_NOT_FOUND)

        name = fresh_name("taken")
        A = NPShm.create(name, Float64, (2, 2))
        test_npshm_error(() -> NPShm.create(name, Float64, (2, 2)), L.NPSHM_E_EXISTS, name)
        test_npshm_error(() -> NPShm.attach(name; T = Float32), L.NPSHM_E_MISMATCH, name)
        test_npshm_error(() -> NPShm.attach(name; dims = (4,)), L.NPSHM_E_MISMATCH, name)
        @test NPShm.attach(name; T = Float64, dims = (2, 2)) == A
        NPShm.delete(name)

        # unsupported element types, on the Julia side: no file is made
        name = fresh_name("unsupported")
        for T in (Int128, String, Any, Complex{Int32}, Char)
            test_npshm_error(() -> NPShm.create(name, T, 3), L.NPSHM_E_INVALID, "not supported")
            @test !NPShm.exists(name)
        end
        test_npshm_error(() -> NPShm.attach(name; T = Int128), L.NPSHM_E_INVALID, "not supported")

        # bad arguments
        bad = fresh_name("bad")
        test_npshm_error(() -> NPShm.create("a/b", Int8, 1), L.NPSHM_E_INVALID)
        test_npshm_error(() -> NPShm.create("", Int8, 1), L.NPSHM_E_INVALID)
        test_npshm_error(() -> NPShm.create("a\0b", Int8, 1), L.NPSHM_E_INVALID, "NUL")
        test_npshm_error(() -> NPShm.create(bad, Int8, (-1,)), L.NPSHM_E_INVALID)
        test_npshm_error(() -> NPShm.create(bad, Int8, (2.5,)), L.NPSHM_E_INVALID, "dims")
        test_npshm_error(() -> NPShm.create(bad, Int8, 2; order = :X), L.NPSHM_E_INVALID, "order")
        test_npshm_error(() -> NPShm.create(bad, Int8, 2; lifetime = :forever), L.NPSHM_E_INVALID)
        test_npshm_error(() -> NPShm.create(bad, Int8, 2; mode = 0o7777), L.NPSHM_E_INVALID)
        test_npshm_error(() -> NPShm.create(bad, Int8, 2; fill = 1000), L.NPSHM_E_INVALID, "fill")
        test_npshm_error(() -> NPShm.create(bad, Int8, ntuple(_ -> 1, 65)), L.NPSHM_E_INVALID)
        @test !NPShm.exists(bad)

        # dtypes with no Julia element type, made through the low-level layer
        for dtype in ("<U4", ">f8", "|S3")
            name = fresh_name("dtype-$(dtype[2:end])")
            handle = L.npshm_create(name, dtype, 1, Int64[2], L.NPSHM_ORDER_C, C_NULL)
            @test handle != C_NULL
            @test L.npshm_close(handle) == L.NPSHM_OK
            test_npshm_error(() -> NPShm.attach(name), L.NPSHM_E_FORMAT, "no Julia element type")
            info = NPShm.info(name)
            @test info.status == 0 && info.eltype === nothing
            NPShm.delete(name)
        end

        # the library's message and errno come through
        err = thrown(() -> NPShm.attach(missing_name))
        @test err isa NPShmError && !isempty(err.message)
    end

    @testset "directory, list, foreign files, gc" begin
        dir = mktempdir()
        try
            a = fresh_name("dir-a")
            b = fresh_name("dir-b")
            A = NPShm.create(a, Float64, (3,); directory = dir)
            B = NPShm.create(b, Int8, (2, 2); directory = dir, order = :C)
            @test isfile(joinpath(dir, a)) && isfile(joinpath(dir, b))
            @test !NPShm.exists(a)                        # not in /dev/shm
            @test NPShm.exists(a; directory = dir)
            @test NPShm.attach(b; directory = dir) == B

            foreign = joinpath(dir, "$PREFIX-foreign")
            write(foreign, "not an array")
            test_npshm_error(() -> NPShm.exists(basename(foreign); directory = dir), L.NPSHM_E_FORMAT)
            test_npshm_error(() -> NPShm.delete(basename(foreign); directory = dir), L.NPSHM_E_FORMAT)
            test_npshm_error(() -> NPShm.attach(basename(foreign); directory = dir), L.NPSHM_E_FORMAT)
            @test isfile(foreign)                          # never deleted

            infos = NPShm.list(; directory = dir)
            @test [i.name for i in infos] == ["shm://" * n for n in sort([a, b, basename(foreign)])]
            @test [i.path for i in infos] == [joinpath(dir, n) for n in sort([a, b, basename(foreign)])]
            byname = Dict(replace(i.name, "shm://" => "") => i for i in infos)
            @test byname[a].status == 0 && byname[a].shape == [3]
            @test byname[b].order === :C && byname[b].eltype === Int8
            @test byname[basename(foreign)].status == L.NPSHM_E_FORMAT
            @test !isempty(byname[basename(foreign)].message)
            @test occursin("invalid", sprint(show, byname[basename(foreign)]))

            @test isempty(NPShm.gc(; dry_run = true, directory = dir))  # all persistent
            NPShm.delete(a; directory = dir)
            NPShm.delete(b; directory = dir)
            @test !isfile(joinpath(dir, a))

            # file:// names reach any .npy file
            path = joinpath(dir, "plain.npy")
            F = NPShm.create("file://$path", ComplexF64, (2,); fill = 1 + 2im)
            @test NPShm.attach("file://$path") == [1 + 2im, 1 + 2im]
            NPShm.delete("file://$path")
            @test !isfile(path)
        finally
            rm(dir; recursive = true, force = true)
        end
    end

    @testset "lifetimes and finalizers" begin
        # :owner: the name goes when the creating array is collected
        name = fresh_name("owner")
        make_and_drop(name, :owner)
        @test collect_until(() -> !NPShm.exists(name))

        # :persistent: it stays
        name = fresh_name("persistent")
        make_and_drop(name, :persistent)
        GC.gc(true)
        @test NPShm.exists(name)
        @test NPShm.attach(name) == 1:8
        NPShm.delete(name)

        # a reshape that outlives its array keeps the mapping alive (on
        # Julia >= 1.11 the finalizer is on the shared Memory)
        name = fresh_name("reshape")
        v = reshaped_of_dropped(name)
        for _ in 1:3
            GC.gc(true)
        end
        @test NPShm.exists(name)               # the :owner handle is open
        @test check_values(v, 1:12)            # and its memory is mapped
        v = nothing
        @test collect_until(() -> !NPShm.exists(name))

        name = fresh_name("view")
        w = view_of_dropped(name)
        for _ in 1:3
            GC.gc(true)
        end
        @test NPShm.exists(name)
        @test check_values(w, 5:8)
        w = nothing
        @test collect_until(() -> !NPShm.exists(name))
    end

    @testset "another process" begin
        # Julia -> Julia: the child attaches, reads, writes
        name = fresh_name("child")
        A = NPShm.create(name, Float64, (5, 4); order = :C)   # Julia 4x5
        A .= reshape(1:20, 4, 5)
        out = read(julia_child("""
            using NPShm
            B = NPShm.attach("$name"; T = Float64, dims = (5, 4))
            println("SUM=", sum(B), " SIZE=", size(B))
            B .*= 2
            """), String)
        @test occursin("SUM=210.0 SIZE=(4, 5)", out)
        @test A == 2 .* reshape(1:20, 4, 5)

        # the child creates, the parent attaches after it exited
        made = fresh_name("made-by-child")
        read(julia_child("""
            using NPShm
            C = NPShm.create("$made", Int32, (3,); fill = 7)
            C[3] = 9
            """), String)
        @test NPShm.attach(made; T = Int32) == Int32[7, 7, 9]
        NPShm.delete(made)

        # NumPy reads what Julia wrote, with NumPy's shape
        py = numpy_python()
        if py === nothing
            @info "no python3 with numpy: NumPy cross-process test skipped"
        else
            path = NPShm.info(name).path
            out = read(`$py -c "import numpy; a = numpy.load('$path', mmap_mode='r'); print(a.shape, float(a.sum()), a[0, 1])"`, String)
            @test strip(out) == "(5, 4) 420.0 4.0"
        end
        NPShm.delete(name)
    end

    @testset "waiting and locking" begin
        name = fresh_name("wait")
        A = NPShm.create(name, Int64, (3,))
        @test NPShm.version(A) == 0
        @test NPShm.notify_array(A) == 1
        @test NPShm.wait_changed(A, 0) == 1
        t0 = time()
        err = try
            NPShm.wait_changed(A, 1; timeout = 0.3)
            nothing
        catch e
            e
        end
        @test err isa NPShmError && err.code == NPShm.LibNPShm.NPSHM_E_TIMEOUT
        @test 0.3 <= time() - t0 < 2.3
        task = @async NPShm.wait_changed(A, 1; timeout = 20)   # does not block this task
        sleep(0.2)
        @test !istaskdone(task)
        NPShm.notify_array(A)
        @test fetch(task) == 2
        NPShm.wait_created(name; timeout = 0)
        NPShm.wait_released(A; timeout = 0)
        NPShm.lock_array(A) do
            @test true
        end
        B = NPShm.attach(name)
        NPShm.lock_array(A; exclusive = false)
        @test_throws NPShmError NPShm.lock_array(B; exclusive = true, timeout = 0)
        NPShm.unlock_array(A)
        NPShm.lock_array(B; exclusive = true, timeout = 0)
        NPShm.unlock_array(B)
    end

    @testset "no leftover arrays" begin
        all_names = [i.name for i in NPShm.list()]
        @test all(n -> startswith(n, "shm://"), all_names)
        leftovers = filter(n -> startswith(n, "shm://" * PREFIX), all_names)
        @test isempty(leftovers)
    end
finally
    for name in USED_NAMES
        try
            NPShm.exists(name) && NPShm.delete(name)
        catch
        end
    end
end
end
