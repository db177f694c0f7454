// The shape of an array in memory: dtype, extents, order, strides, size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.hpp"

namespace npshm {

// The most dimensions an array may have (published as NPSHM_MAX_NDIM).
constexpr int kMaxNdim = 64;

struct Layout {
  Dtype dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // bytes
  bool fortran_order = false;
  std::size_t nbytes = 0;
};

// Check ndim and extents (0..kMaxNdim, each >= 0, no overflow) and
// compute strides and nbytes.  Throws Error(Errc::invalid) with the
// cause alone (the caller adds the context, see error.hpp).
Layout make_layout(const Dtype &dtype, int ndim, const std::int64_t *shape, bool fortran_order);
// The same for an order given as a value (a caller's, checked here: one
// that is no Order throws Error(Errc::invalid)).
Layout make_layout(const Dtype &dtype, int ndim, const std::int64_t *shape, int order);

// A shape given as ndim extents at shape (an expected shape, a view's):
// ndim within 0..kMaxNdim, shape not NULL when ndim > 0, no negative
// extent.  Throws Error(Errc::invalid) with the cause alone.
std::vector<std::int64_t> checked_shape(int ndim, const std::int64_t *shape);

}  // namespace npshm

namespace npshm {

// "" if layout matches the expectations (a normalised descr and a shape;
// either may be null: not checked),
// else what differs: "dtype is '<f8', expected '<i4'".
std::string layout_mismatch(const Layout &layout, const std::string *expected_descr,
                            const std::vector<std::int64_t> *expected_shape);

}  // namespace npshm

namespace npshm {

// Check that every element of the view that starts offset bytes into an
// array's data, with these extents and byte strides (negative allowed),
// lies inside the data's nbytes bytes.  A view with no elements needs only
// 0 <= offset <= nbytes.  No arithmetic can overflow.  Throws
// Error(Errc::invalid) with the cause.
void check_view_inside(std::int64_t offset, const std::vector<std::int64_t> &shape,
                       const std::vector<std::int64_t> &strides, std::size_t itemsize, std::size_t nbytes);

}  // namespace npshm
