# The package's error classes, lifetimes and orders are the core's tables:
# read from the library, never spelled here.  A code, slug or lifetime the
# core adds or renames shows up (or fails) here.
source("helpers.R")
library(npshm)

catch <- function(expr) tryCatch(expr, error = function(e) e)

## Error codes: -1 down to the core's last, each with its slug and name.
codes <- npshm:::.error_codes()
expect_true(length(codes) >= 12L)
expect_identical(unname(codes), -seq_along(codes))
for (i in seq_along(codes)) {
  code <- codes[[i]]
  slug <- names(codes)[[i]]
  expect_identical(npshm:::npc_error_slug(code), slug)
  expect_identical(npshm:::npc_error_name(code), paste0("NPSHM_E_", toupper(slug)))
  expect_identical(npshm:::.code_of(paste0("NPSHM_E_", toupper(slug))), code)
  # the condition of each code is classed by its slug
  e <- npshm:::.npshm_condition("message", code)
  expect_identical(class(e), c(paste0("npshm_", slug), "npshm_error", "error", "condition"))
  expect_identical(e$slug, slug)
}
expect_identical(names(codes)[1:3], c("invalid", "not_found", "exists"))
## A code past the table (a newer library's) is npshm_unknown, still an npshm_error.
e <- npshm:::.npshm_condition("message", -length(codes) - 1L)
expect_identical(class(e)[1:2], c("npshm_unknown", "npshm_error"))

## Lifetimes: the core's names, in the order of their values (a newer
## library may add lifetimes after these).
lifetimes <- npshm:::.lifetimes()
expect_identical(lifetimes[1:3], c("persistent", "owner", "last"))
for (i in seq_along(lifetimes))
  expect_identical(npshm:::npc_lifetime_from_name(lifetimes[[i]]), i - 1L)
nm <- new_name("lifetime")
e <- catch(npshm_create(nm, 2, lifetime = "forever"))
expect_true(inherits(e, "error"))
expect_true(grepl("persistent", conditionMessage(e)))
expect_false(npshm_exists(nm))
x <- npshm_create(nm, 2, lifetime = "own")  # match.arg's partial match still works
expect_identical(npshm_info(nm)$lifetime, "owner")
rm(x)
invisible(gc())
if (npshm_exists(nm)) npshm_delete(nm)

## Orders: the core's names.
expect_identical(npshm:::npc_order_name(0L), "C")
expect_identical(npshm:::npc_order_name(1L), "F")
nm2 <- new_name("order")
x <- npshm_create(nm2, c(2, 3), order = "C")
expect_identical(npshm_info(nm2)$order, "C")
rm(x)
npshm_delete(nm2)
expect_identical(leftovers(), character(0))
