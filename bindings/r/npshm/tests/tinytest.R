# R CMD check runs the package's tinytest files (inst/tinytest).
if (requireNamespace("tinytest", quietly = TRUE)) {
  tinytest::test_package("npshm")
}
