# column_sums.jl: the demo's Julia participant.
#
#   julia --project=bindings/julia/NPShm column_sums.jl DATA SUMS SLOT
#
# Attaches DATA (a Fortran-order float64 matrix: Julia sees NumPy's
# rows x cols) read-only and SUMS (cols x slots) writable, both with no copy,
# and follows the coordinator's line protocol on stdin/stdout (see
# column_sums.c): "ready PID", wait for "go", column sums into column
# SLOT + 1 of SUMS, "done SECONDS CHECKSUM", wait for "release" or the end
# of input, exit.
using NPShm

length(ARGS) == 3 || error("usage: column_sums.jl DATA SUMS SLOT")
slot = parse(Int, ARGS[3]) + 1

data = NPShm.attach(ARGS[1]; readonly = true, T = Float64)
sums = NPShm.attach(ARGS[2]; T = Float64)
(ndims(data) == 2 && ndims(sums) == 2 && size(sums, 1) == size(data, 2) &&
 size(sums, 2) >= slot) ||
    error("column_sums.jl: $(ARGS[1]) and $(ARGS[2]) do not fit together")

sum(data[1:1, 1:1]; dims = 1)            # compile sum before the clock starts
println("ready ", getpid())
flush(stdout)
readline(stdin) == "go" || exit(3)

started = time()
column_sums = vec(sum(data; dims = 1))   # reads the shared memory directly
sums[:, slot] .= column_sums             # writes into the shared result
seconds = time() - started

println("done ", seconds, " ", sum(column_sums))   # shortest exact decimals
flush(stdout)
readline(stdin)                          # keep the arrays until released
