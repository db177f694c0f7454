// The shape of an array in memory: extents, order, strides, size, view bounds.
#include "format/layout.hpp"

#include "common/error.hpp"
#include "common/orders.hpp"

namespace npshm {

namespace {
// Keep every byte offset representable as a signed 64-bit value and leave
// room for the header and trailer.
constexpr std::uint64_t kMaxBytes = (std::uint64_t{1} << 62);
}  // namespace

namespace {
[[noreturn]] void invalid(const std::string &why) { throw Error(Errc::invalid, why); }

void check_ndim(int ndim) {
  if (ndim < 0 || ndim > kMaxNdim)
    invalid("ndim " + std::to_string(ndim) + " is out of range 0.." + std::to_string(kMaxNdim));
}
}  // namespace

std::vector<std::int64_t> checked_shape(int ndim, const std::int64_t *shape) {
  check_ndim(ndim);
  if (ndim > 0 && !shape) invalid("shape is NULL");
  std::vector<std::int64_t> v(shape, shape + ndim);
  for (std::int64_t d : v)
    if (d < 0) invalid("negative extent in shape " + shape_text(v));
  return v;
}

Layout make_layout(const Dtype &dtype, int ndim, const std::int64_t *shape, bool fortran_order) {
  check_ndim(ndim);
  if (ndim > 0 && shape == nullptr) invalid("shape is NULL for ndim " + std::to_string(ndim));
  Layout out;
  out.dtype = dtype;
  out.fortran_order = fortran_order;
  out.shape.assign(shape, shape + ndim);
  for (int i = 0; i < ndim; ++i)
    if (shape[i] < 0) invalid("negative extent " + std::to_string(shape[i]) + " in shape " + shape_text(out.shape));
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
    if (step > kMaxBytes / factor)
      invalid("shape " + shape_text(out.shape) + " with itemsize " + std::to_string(dtype.itemsize) +
              " is too large (size overflows)");
    step *= factor;
    nbytes = extent == 0 ? 0 : nbytes * extent;
  }
  out.nbytes = static_cast<std::size_t>(nbytes);
  return out;
}

Layout make_layout(const Dtype &dtype, int ndim, const std::int64_t *shape, int order) {
  const std::optional<Order> known = order_from_value(order);
  if (!known) invalid("order " + std::to_string(order) + " is neither C nor F");
  return make_layout(dtype, ndim, shape, *known == Order::F);
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

namespace npshm {

void check_view_inside(std::int64_t offset, const std::vector<std::int64_t> &shape,
                       const std::vector<std::int64_t> &strides, std::size_t itemsize, std::size_t nbytes) {
  if (shape.size() != strides.size())
    invalid("the view has " + std::to_string(shape.size()) + " extents but " + std::to_string(strides.size()) +
         " strides");
  if (shape.size() > kMaxNdim) invalid("the view has more than " + std::to_string(kMaxNdim) + " dimensions");
  const auto size = static_cast<std::int64_t>(nbytes);  // nbytes < 2**62 (make_layout)
  if (offset < 0 || offset > size)
    invalid("the view's offset " + std::to_string(offset) + " is outside the data (" + std::to_string(nbytes) +
         " bytes)");
  bool empty = false;
  for (std::int64_t n : shape) {
    if (n < 0) invalid("negative extent in the view's shape " + shape_text(shape));
    if (n == 0) empty = true;
  }
  if (empty) return;
  // Lowest and highest byte any element touches, relative to offset; each
  // step is bounded by the data size, so the sums stay far from overflow.
  std::int64_t low = 0;
  std::int64_t high = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    std::int64_t reach = 0;
    if (__builtin_mul_overflow(shape[i] - 1, strides[i], &reach) || reach > size || reach < -size)
      invalid("the view's extent " + std::to_string(shape[i]) + " with stride " + std::to_string(strides[i]) +
           " reaches outside the data (" + std::to_string(nbytes) + " bytes)");
    (reach < 0 ? low : high) += reach;
    if (low < -size || high > size) invalid("the view reaches outside the data (" + std::to_string(nbytes) + " bytes)");
  }
  const std::int64_t room = size - offset;  // >= 0
  if (offset + low < 0 || high > room || static_cast<std::int64_t>(itemsize) > room - high)
    invalid("the view (offset " + std::to_string(offset) + ", shape " + shape_text(shape) + ", strides " +
         shape_text(strides) + ", itemsize " + std::to_string(itemsize) + ") reaches outside the data (" +
         std::to_string(nbytes) + " bytes)");
}

}  // namespace npshm
