# An R rank of the npshm MPI recipe (see npshm_mpi.py): it takes part in
# the COMM_WORLD collectives through Rmpi and attaches the node's copy of
# the array by name -- no copy, no MPI window.
#   Rscript npshm_rank.R NAME ELEMENTS [HOSTS]
suppressMessages(library(Rmpi))
library(npshm)

args <- commandArgs(trailingOnly = TRUE)
name <- args[1]
hosts <- if (length(args) > 2) strsplit(args[3], ",")[[1]] else character()
size <- mpi.comm.size(0)

mapping_pss <- function(path) {
  lines <- readLines("/proc/self/smaps")
  header <- grepl("^[0-9a-f]+-[0-9a-f]+ ", lines)
  owner <- cumsum(header)
  mine <- unique(owner[header & endsWith(lines, path)])
  pss <- lines[startsWith(lines, "Pss:") & owner %in% mine]
  sum(as.numeric(sub("Pss: *([0-9]+) kB", "\\1", pss))) * 1024
}

invisible(mpi.allgather(1L, 1, integer(size), comm = 0))  # "an R rank"
invisible(mpi.barrier(0))                       # the node's copy exists
x <- npshm_attach(name, readonly = TRUE)
total <- sum(x)                                 # touches every page
invisible(mpi.barrier(0))                       # ... before anyone measures
host <- match(Sys.info()[["nodename"]], hosts) - 1
if (is.na(host)) host <- -1
path <- file.path(Sys.getenv("NPSHM_DIR", "/dev/shm"), name)
invisible(mpi.gather(c(1, host, total, mapping_pss(path)), 2,
                     double(4 * size), root = 0, comm = 0))
invisible(mpi.barrier(0))                       # everyone is done reading
rm(x)
invisible(mpi.finalize())
