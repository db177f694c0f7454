# Finding and loading libnpshm.
#
# LibNPShm's ccalls name the library by its SONAME ("libnpshm.so.0").  At
# load time NPShm.__init__ dlopens one file chosen below; the dynamic loader
# then resolves every later lookup of the SONAME to that already loaded copy.
#
# Lookup order (the first that applies wins):
#   1. ENV["NPSHM_LIB"]: the full path of libnpshm.so (must exist);
#   2. the build tree of the repository this package sits in:
#      <repo>/build/core/libnpshm.so, then <repo>/build*/core/libnpshm.so in
#      name order;
#   3. a libnpshm installed where pkg-config finds it (`meson install` into
#      any prefix, with PKG_CONFIG_PATH=<prefix>/<libdir>/pkgconfig when the
#      prefix is not a system one): <libdir>/libnpshm.so.0, libdir from
#      `pkg-config --variable=libdir npshm`;
#   4. the system: "libnpshm.so.0" through the dynamic loader's search path
#      (LD_LIBRARY_PATH, ld.so.cache: an installed libnpshm).
# A Python wheel of npshm links the core into its extension module and ships
# no libnpshm: with only the wheel installed, build or install the library
# and point NPSHM_LIB at it.

const Libdl = Base.Libc.Libdl

# The path and handle of the loaded library (set by __init__).
const _lib_path = Ref{String}("")
const _lib_handle = Ref{Ptr{Cvoid}}(C_NULL)

# <repo> when the package is used from its place in the repository:
# <repo>/bindings/julia/NPShm/src/library.jl
_repo_root() = normpath(joinpath(@__DIR__, "..", "..", "..", ".."))

"""
    library_candidates() -> Vector{String}

The files NPShm tries to load, in order (see the lookup order above).
The last entry is the bare SONAME, searched by the dynamic loader.
"""
function library_candidates()
    env = get(ENV, "NPSHM_LIB", "")
    isempty(env) || return [env]
    found = String[]
    root = _repo_root()
    if isdir(root)
        main = joinpath(root, "build", "core", "libnpshm.so")
        isfile(main) && push!(found, main)
        for entry in sort(readdir(root))
            entry == "build" && continue
            startswith(entry, "build") || continue
            path = joinpath(root, entry, "core", "libnpshm.so")
            isfile(path) && push!(found, path)
        end
    end
    installed = _pkg_config_library()
    installed === nothing || push!(found, installed)
    push!(found, LibNPShm.libnpshm)
    return found
end

# <libdir>/libnpshm.so.0 of the libnpshm that pkg-config knows, or nothing.
function _pkg_config_library()
    pkg_config = Sys.which("pkg-config")
    pkg_config === nothing && return nothing
    libdir = try
        readchomp(pipeline(`$pkg_config --variable=libdir npshm`; stderr = devnull))
    catch
        return nothing  # pkg-config knows no npshm
    end
    isempty(libdir) && return nothing
    path = joinpath(libdir, LibNPShm.libnpshm)
    return isfile(path) ? path : nothing
end

"""
    library_path() -> String

The file of the libnpshm that this session loaded.
"""
library_path() = _lib_path[]

function _load_library()
    env = get(ENV, "NPSHM_LIB", "")
    if !isempty(env) && !isfile(env)
        error("NPShm: NPSHM_LIB=$(repr(env)) is not a file; set it to the " *
              "full path of libnpshm.so (e.g. <build>/core/libnpshm.so)")
    end
    failures = String[]
    for candidate in library_candidates()
        handle = try
            Libdl.dlopen(candidate, Libdl.RTLD_LAZY | Libdl.RTLD_GLOBAL)
        catch err
            push!(failures, "  $candidate: " * sprint(showerror, err))
            continue
        end
        path = try
            Libdl.dlpath(handle)
        catch
            candidate
        end
        return handle, path
    end
    error("NPShm: cannot load libnpshm. Set NPSHM_LIB to the full path of " *
          "libnpshm.so, build the repository (meson setup build && ninja " *
          "-C build), or install it (meson install; set PKG_CONFIG_PATH " *
          "for a non-system prefix). Tried:\n" *
          join(failures, "\n"))
end

# The ccalls resolve the SONAME; make sure that is the copy we loaded.
function _check_soname(handle, path)
    ours = Libdl.dlsym(handle, :npshm_version)
    by_soname = Libdl.dlopen(LibNPShm.libnpshm, Libdl.RTLD_LAZY;
                             throw_error = false)
    theirs = by_soname === nothing ? C_NULL :
             Libdl.dlsym(by_soname, :npshm_version; throw_error = false)
    if theirs === nothing || theirs != ours
        error("NPShm: $path was loaded, but \"$(LibNPShm.libnpshm)\" " *
              "resolves to another library (or none): the file's SONAME " *
              "must be $(LibNPShm.libnpshm) and no other copy may be loaded")
    end
end

function _check_version(path)
    number = Int(LibNPShm.npshm_version_number())
    if number ÷ 10000 != LibNPShm.NPSHM_VERSION_MAJOR
        error("NPShm: $path is libnpshm $(version()), but this package was " *
              "generated for major version $(LibNPShm.NPSHM_VERSION_MAJOR)")
    end
end

"""
    version() -> VersionNumber

The version of the loaded libnpshm.
"""
version() = VersionNumber(_string(LibNPShm.npshm_version()))

function __init__()
    handle, path = _load_library()
    _check_soname(handle, path)
    _lib_handle[] = handle
    _lib_path[] = path
    _check_version(path)
    return nothing
end
