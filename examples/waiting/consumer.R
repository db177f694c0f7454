# The R consumer of the waiting example: waits for the array, then for each
# new version, and checks the frame it names (see producer.py).
#   Rscript consumer.R NAME FRAMES
library(npshm)
args <- commandArgs(trailingOnly = TRUE)
name <- args[[1]]
last <- as.double(args[[2]])
npshm_wait_created(name, timeout = 30)
x <- npshm_attach(name, readonly = TRUE)   # dim c(64, 64, 2): C order reversed
seen <- npshm_array_version(name)
processed <- 0
while (seen < last) {
  v <- npshm_wait_changed(name, seen, timeout = 30)
  total <- sum(x[, , (v %% 2) + 1])
  if (npshm_array_version(name) < v + 2) {   # the slot was not rewritten while read
    if (total != v * 64 * 64) stop(sprintf("frame %g torn (sum %g)", v, total))
    processed <- processed + 1
  }
  seen <- v
}
cat(sprintf("r: processed %d frames, last version %d\n", processed, seen))
rm(x)
invisible(gc())
if (processed == 0) quit(status = 1)
