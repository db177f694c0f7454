# A view whose handle was closed: R may run the handle's finalizer at exit
# before a user finalizer that still reads the view.  Each case runs in its
# own R process, so a crash fails the test instead of killing the runner.
source("helpers.R")
library(npshm)

## An exit-time finalizer that reads a view after the handle finalizer ran:
## an R error naming the array, no crash; lifetime "owner" still removes it.
nm <- new_name("exitread")
out <- run_r(c(
  "e <- new.env()",
  "reg.finalizer(e, function(e) cat('sum', sum(e$x), '\\n'), onexit = TRUE)",
  sprintf("e$x <- npshm_create('%s', 1000, init = 1, lifetime = 'owner')", nm),
  "cat('alive', sum(e$x), '\\n')"))
text <- paste(out, collapse = "\n")
expect_false(grepl("segfault|irrecoverable", text), info = text)
expect_identical(attr(out, "status"), 0L, info = text)
expect_true(grepl("alive 1000", text), info = text)
expect_true(grepl(sprintf("npshm view of shm://%s used after its handle was closed", nm),
                  text, fixed = TRUE), info = text)
expect_false(npshm_exists(nm))

## The same for the other methods R calls on a view: length, elements,
## subsetting, duplicating, inspecting and serializing.
nm <- new_name("exitops")
out <- run_r(c(
  "e <- new.env()",
  "reg.finalizer(e, function(e) {",
  "  for (op in list(function(v) length(v), function(v) v[2], function(v) sum(v),",
  "                  function(v) { w <- v; w[1] <- 5; w[1] }, function(v) serialize(v, NULL),",
  "                  function(v) { .Internal(inspect(v)); 'inspected' },",
  "                  function(v) npshm_info(v)$name,",
  "                  function(v) -v, function(v) v[[3]]))",
  "    cat('op:', tryCatch(format(op(e$x))[1], error = function(err) conditionMessage(err)), '\\n')",
  "}, onexit = TRUE)",
  sprintf("e$x <- npshm_create('%s', 4, init = 2, lifetime = 'owner', inplace = TRUE)", nm),
  "cat('alive', sum(e$x), '\\n')"))
text <- paste(out, collapse = "\n")
expect_false(grepl("segfault|irrecoverable", text), info = text)
expect_identical(attr(out, "status"), 0L, info = text)
ops <- grep("^op:", out, value = TRUE)
expect_identical(length(ops), 9L, info = text)
closed <- grepl(sprintf("npshm view of shm://%s used after its handle was closed", nm),
                ops, fixed = TRUE)
expect_identical(ops[1L], "op: 4 ", info = text)
expect_identical(ops[6L], "op: inspected ", info = text)
expect_true(all(closed[-c(1L, 6L)]), info = text)
expect_true(grepl(sprintf("npshm view of shm://%s (handle closed)", nm), text, fixed = TRUE),
            info = text)
expect_false(npshm_exists(nm))

expect_identical(leftovers(), character(0), info = "no segments left behind")
