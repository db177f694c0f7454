#include "layout.hpp"

#include "npshm.h"

namespace npshm {

namespace {
// Keep every byte offset representable as a signed 64-bit value and leave
// room for the header and trailer.
constexpr std::uint64_t kMaxBytes = (std::uint64_t{1} << 62);
}  // namespace

std::string shape_text(const std::vector<std::int64_t> &shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

bool make_layout(const Dtype &dtype, int ndim, const std::int64_t *shape,
                 bool fortran_order, Layout &out, std::string &error) {
  if (ndim < 0 || ndim > NPSHM_MAX_NDIM) {
    error = "ndim " + std::to_string(ndim) + " is out of range 0.." + std::to_string(NPSHM_MAX_NDIM);
    return false;
  }
  if (ndim > 0 && shape == nullptr) {
    error = "shape is NULL for ndim " + std::to_string(ndim);
    return false;
  }
  out.dtype = dtype;
  out.fortran_order = fortran_order;
  out.shape.assign(shape, shape + ndim);
  for (int i = 0; i < ndim; ++i) {
    if (shape[i] < 0) {
      error = "negative extent " + std::to_string(shape[i]) + " in shape " + shape_text(out.shape);
      return false;
    }
  }
  // Strides use max(extent, 1) so they are meaningful for empty arrays too;
  // that product bounds nbytes, so checking it checks both.
  out.strides.assign(static_cast<std::size_t>(ndim), 0);
  std::uint64_t step = dtype.itemsize;
  std::uint64_t nbytes = dtype.itemsize;
  for (int k = 0; k < ndim; ++k) {
    int i = fortran_order ? k : ndim - 1 - k;
    out.strides[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(step);
    std::uint64_t extent = static_cast<std::uint64_t>(shape[i]);
    std::uint64_t factor = extent == 0 ? 1 : extent;
    if (step > kMaxBytes / factor) {
      error = "shape " + shape_text(out.shape) + " with itemsize " + std::to_string(dtype.itemsize) +
              " is too large (size overflows)";
      return false;
    }
    step *= factor;
    nbytes = extent == 0 ? 0 : nbytes * extent;
  }
  out.nbytes = static_cast<std::size_t>(nbytes);
  return true;
}

}  // namespace npshm

namespace npshm {

std::string layout_mismatch(const Layout &layout, const std::string *expected_descr,
                            const std::vector<std::int64_t> *expected_shape) {
  std::string why;
  if (expected_descr && *expected_descr != layout.dtype.descr)
    why = "dtype is " + layout.dtype.descr + ", expected " + *expected_descr;
  if (expected_shape && *expected_shape != layout.shape) {
    if (!why.empty()) why += "; ";
    why += "shape is " + shape_text(layout.shape) + ", expected " + shape_text(*expected_shape);
  }
  return why;
}

}  // namespace npshm
