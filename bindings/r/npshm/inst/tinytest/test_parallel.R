# Serialization by reference: serialize(), mclapply and PSOCK clusters send
# the array's name, and the receiving process attaches it.
source("helpers.R")
library(npshm)

nm <- new_name("par")
n <- 1000L
x <- npshm_create(nm, c(n, 125), init = as.double(seq_len(n * 125)))
bytes <- serialize(x, NULL)
## 1 MB of data, a few hundred bytes on the wire.
expect_true(length(bytes) < 1000L, info = sprintf("serialized size %d", length(bytes)))
y <- unserialize(bytes)
expect_true(npshm_is_view(y))
expect_identical(dim(y), dim(x))
expect_identical(y[, ], x[, ])
expect_identical(npshm_info(y)$name, paste0("shm://", nm))
rm(y)

## A view that took a private copy serializes its values.
z <- x
z[1] <- 0
expect_true(length(serialize(z, NULL)) > 8 * n * 125)
expect_equal(unserialize(serialize(z, NULL))[1:2], c(0, 2))
rm(z)

## Attributes and flags travel too.
w <- npshm_attach(nm, readonly = TRUE)
dimnames(w) <- list(NULL, paste0("c", 1:125))
w2 <- unserialize(serialize(w, NULL))
expect_identical(colnames(w2)[3], "c3")
expect_true(npshm_info(w2)$readonly)
rm(w, w2)

## Unserializing after the array was deleted: a clear error.
nm2 <- new_name("gone")
g <- npshm_create(nm2, 3)
gb <- serialize(g, NULL)
npshm_delete(nm2)
expect_error(unserialize(gb), pattern = "cannot unserialize a view: attach shm://.*gone")
rm(g)

## Forked workers (mclapply): results come back by reference.
res <- parallel::mclapply(1:2, function(i) list(view = npshm_is_view(x),
                                                 sum = sum(x[, i]),
                                                 size = length(serialize(x, NULL)),
                                                 x = x),
                          mc.cores = 2L)
for (r in res) {
  expect_true(r$view)
  expect_true(r$size < 1000L)
  expect_true(npshm_is_view(r$x))
  expect_identical(dim(r$x), dim(x))
}
expect_equal(res[[2]]$sum, sum(x[, 2]))

## A PSOCK cluster: the worker attaches, sums, and sends the view back.
cl <- parallel::makePSOCKcluster(1L)
parallel::clusterCall(cl, function(paths) .libPaths(paths), .libPaths())
out <- parallel::parLapply(cl, 1:3, function(i, v) {
  list(view = npshm::npshm_is_view(v), sum = sum(v[, i]), pid = Sys.getpid(), v = v)
}, x)
parallel::stopCluster(cl)
expect_true(all(vapply(out, `[[`, TRUE, "view")))
expect_equal(vapply(out, `[[`, 0, "sum"), colSums(x)[1:3])
expect_true(out[[1]]$pid != Sys.getpid())
expect_true(npshm_is_view(out[[1]]$v))

rm(x, out, res)
npshm_delete(nm)
expect_identical(leftovers(), character(0), info = "no segments left behind")
