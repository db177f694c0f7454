# Waiting from R: versions, notify, wait_changed across processes, timeouts
# as npshm_timeout conditions, wait_created.
source("helpers.R")
library(npshm)

nm <- new_name("wait")
x <- npshm_create(nm, 3)
expect_equal(npshm_array_version(nm), 0)
expect_equal(npshm_notify(nm), 1)
expect_equal(npshm_wait_changed(nm, 0), 1)

# a timeout: the classed condition, after at least the time asked
t0 <- Sys.time()
e <- tryCatch(npshm_wait_changed(nm, 1, timeout = 0.3), npshm_timeout = function(e) e)
took <- as.double(difftime(Sys.time(), t0, units = "secs"))
expect_true(inherits(e, "npshm_timeout"))
expect_true(inherits(e, "npshm_error"))
expect_true(grepl("timed out after 0.3 s", conditionMessage(e)))
expect_true(took >= 0.3 && took < 0.3 + 2)  # 2 s: a loaded, shared machine
expect_error(npshm_wait_changed(nm, 1, timeout = -1), class = "npshm_invalid")

# another process notifies: this one wakes
child <- parallel::mcparallel({ Sys.sleep(0.3); npshm_notify(nm) })
expect_equal(npshm_wait_changed(nm, 1, timeout = 20), 2)
parallel::mccollect(child)

# wait_created: at once when it exists, timeout when it does not
npshm_wait_created(nm, timeout = 0)
later <- new_name("later")
expect_error(npshm_wait_created(later, timeout = 0.1), class = "npshm_timeout")
child <- parallel::mcparallel({ Sys.sleep(0.3); npshm_create(later, 2); TRUE })
npshm_wait_created(later, timeout = 20)
expect_true(npshm_exists(later))
parallel::mccollect(child)
npshm_delete(later)

# wait_released: only this process holds it
npshm_wait_released(nm, timeout = 0)
rm(x)
npshm_delete(nm)
