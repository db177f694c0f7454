# Attach an array made by Python (produce.py) and compute on it in Julia.
#
#   julia --project=bindings/julia/NPShm examples/julia/consume.jl NAME
#
# Python made a C-ordered ROWS x 3 float64 array (one sample per row).  Julia
# sees the same memory, no copy, as a 3 x ROWS matrix: column k is sample k.
using NPShm

name = length(ARGS) == 1 ? ARGS[1] : error("usage: consume.jl NAME")

samples = NPShm.attach(name; readonly = true, T = Float64)
info = NPShm.info(name)
println("attached ", info.path, ": NumPy shape ", Tuple(info.shape),
        ", order ", info.order, " -> Julia size ", size(samples))

n = size(samples, 2)
means = vec(sum(samples; dims = 2)) ./ n          # mean of x, y, z
spread = maximum(samples; dims = 2) .- minimum(samples; dims = 2)
println("julia column means: ", join((string(m) for m in means), " "))
println("range of x, y, z: ", join((string(r) for r in vec(spread)), " "))
