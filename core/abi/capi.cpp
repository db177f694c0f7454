// The C ABI: each function translates its arguments, forwards to the C++
// internals and turns exceptions into the thread's last error.  No
// exception ever crosses this boundary.  The only core file that sees
// npshm.h: the core's enumerations and constants become the ABI's here,
// checked at compile time to be the same values.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <new>
#include <optional>
#include <type_traits>

#include "sync/array_lock.hpp"
#include "store/catalog.hpp"
#include "store/load_save.hpp"
#include "common/error.hpp"
#include "common/error_codes.hpp"
#include "format/file_format.hpp"
#include "format/layout.hpp"
#include "store/host_identity.hpp"
#include "common/lifetimes.hpp"
#include "store/names.hpp"
#include "npshm.h"
#include "common/options.hpp"
#include "common/orders.hpp"
#include "store/reference.hpp"
#include "store/segment.hpp"
#include "sync/waiting.hpp"

// Each C struct holds the internal object (the core never sees these).
struct npshm_options {
  npshm::Options o;
};

struct npshm_info {
  npshm::ArrayInfo info;
};

struct npshm_list {
  std::vector<npshm_info> items;
};

struct npshm_array {
  std::unique_ptr<npshm::Segment> segment;
  std::unique_ptr<npshm::ArrayLock> lock;  // npshm_lock's, made on first use
};

struct npshm_watch {
  npshm::CreatedWatch watch;
};

struct npshm_waiter {
  npshm::Waiter waiter;
};

struct npshm_location {
  npshm::Location location;
};

struct npshm_ref {
  npshm::Reference ref;
  std::string text;
};

struct npshm_dtype_info {
  npshm::Dtype dtype;
  std::vector<npshm_dtype_info> fields;  // one per field of dtype
  explicit npshm_dtype_info(const npshm::Dtype &d) : dtype(d) {
    for (const npshm::DtypeField &f : d.fields) fields.emplace_back(f.type);
  }
};

// Every row of the core's lists is declared in npshm.h with the same value:
// a row added to the core without its NPSHM_ constant (or with another
// value) stops the build here.
#define NPSHM_CHECK_ERROR_CODE(NAME, slug, value, usual_errno)          \
  static_assert(NPSHM_E_##NAME == static_cast<int>(npshm::Errc::slug), \
                "npshm.h's NPSHM_E_" #NAME " differs from NPSHM_ERROR_CODES (core/common/error_codes.hpp)");
NPSHM_ERROR_CODES(NPSHM_CHECK_ERROR_CODE)
#undef NPSHM_CHECK_ERROR_CODE
static_assert(NPSHM_OK == static_cast<int>(npshm::Errc::ok), "npshm.h's NPSHM_OK is not Errc::ok");
static_assert(NPSHM_E_LAST == static_cast<int>(npshm::kLastErrc),
              "npshm.h's NPSHM_E_LAST is not the last row of NPSHM_ERROR_CODES (core/common/error_codes.hpp)");

#define NPSHM_CHECK_LIFETIME(NAME, name, value)                                \
  static_assert(NPSHM_LIFETIME_##NAME == static_cast<int>(npshm::Lifetime::name), \
                "npshm.h's NPSHM_LIFETIME_" #NAME " differs from NPSHM_LIFETIMES (core/common/lifetimes.hpp)");
NPSHM_LIFETIMES(NPSHM_CHECK_LIFETIME)
#undef NPSHM_CHECK_LIFETIME
static_assert(NPSHM_LIFETIME_COUNT == npshm::kLifetimeCount,
              "npshm.h's NPSHM_LIFETIME_COUNT is not the number of NPSHM_LIFETIMES (core/common/lifetimes.hpp)");

#define NPSHM_CHECK_ORDER(NAME, value)                                     \
  static_assert(NPSHM_ORDER_##NAME == static_cast<int>(npshm::Order::NAME), \
                "npshm.h's NPSHM_ORDER_" #NAME " differs from NPSHM_ORDERS (core/common/orders.hpp)");
NPSHM_ORDERS(NPSHM_CHECK_ORDER)
#undef NPSHM_CHECK_ORDER
static_assert(NPSHM_ORDER_COUNT == npshm::kOrderCount,
              "npshm.h's NPSHM_ORDER_COUNT is not the number of NPSHM_ORDERS (core/common/orders.hpp)");

static_assert(NPSHM_MAX_NDIM == npshm::kMaxNdim, "npshm.h's NPSHM_MAX_NDIM is not kMaxNdim (core/format/layout.hpp)");
static_assert(NPSHM_MAX_NAME == npshm::kMaxNameBytes,
              "npshm.h's NPSHM_MAX_NAME is not kMaxNameBytes (core/store/names.hpp)");
static_assert(NPSHM_DATA_ALIGN == npshm::kDataAlign,
              "npshm.h's NPSHM_DATA_ALIGN is not kDataAlign (core/format/file_format.hpp)");
static_assert(NPSHM_MS_ASYNC == npshm::kMsAsync && NPSHM_MS_SYNC == npshm::kMsSync &&
                  NPSHM_MS_INVALIDATE == npshm::kMsInvalidate,
              "npshm.h's NPSHM_MS_* are not Segment::sync's flags (core/store/segment.hpp)");
static_assert(NPSHM_WAIT_ANY_MAX == npshm::Waiter::kMaxArrays,
              "npshm.h's NPSHM_WAIT_ANY_MAX is not Waiter::kMaxArrays (core/sync/waiting.hpp)");
static_assert(std::is_same<npshm_progress_fn, npshm::ProgressFn>::value,
              "npshm.h's npshm_progress_fn is not Options::progress's type (core/common/options.hpp)");

using npshm::Error;

namespace {

// A core enumeration's value as the C ABI's int (the same numbers: see the
// checks above).
template <class E>
constexpr int to_abi(E value) noexcept {
  static_assert(std::is_enum<E>::value, "an enumeration of the core");
  return static_cast<int>(value);
}

// Run f; on an exception record it as the last error and return fallback.
template <class F, class R>
R guarded(F &&f, R fallback) noexcept {
  try {
    return f();
  } catch (const Error &e) {  // (the handlers themselves never allocate)
    npshm::set_last_error(e.code(), e.what(), e.sys_errno());
  } catch (const std::bad_alloc &) {
    npshm::set_last_error(npshm::Errc::no_memory, "out of memory", ENOMEM);
  } catch (const std::exception &e) {
    npshm::set_last_error(npshm::Errc::system, e.what(), 0);
  } catch (...) {
    npshm::set_last_error(npshm::Errc::system, "internal error", 0);
  }
  return fallback;
}

// The same for functions returning an npshm_error code: on an exception,
// the code just recorded.
template <class F>
int guarded_code(F &&f) noexcept {
  int r = guarded(std::forward<F>(f), INT_MIN);
  return r == INT_MIN ? to_abi(npshm::last_error_code()) : r;
}

const npshm::Options &opts_or_default(const npshm_options *opts) {
  return opts ? opts->o : npshm::default_options();
}

const std::string *directory_of(const npshm_options *opts) {
  return opts && opts->o.directory ? &*opts->o.directory : nullptr;
}

npshm_list *new_list(std::vector<npshm::ArrayInfo> infos) {
  auto list = std::make_unique<npshm_list>();
  list->items.reserve(infos.size());
  for (npshm::ArrayInfo &info : infos) list->items.push_back(npshm_info{std::move(info)});
  return list.release();
}

[[noreturn]] void invalid(const std::string &message) { throw Error(npshm::Errc::invalid, message); }

npshm::Dtype dtype_or_throw(const char *descr, const std::string &what) {
  if (!descr) invalid(what + ": dtype is NULL");
  return npshm::in_context(what, [&] { return npshm::parse_dtype(descr); });
}

std::vector<std::int64_t> shape_or_throw(int ndim, const int64_t *shape, const std::string &what) {
  return npshm::in_context(what, [&] { return npshm::checked_shape(ndim, shape); });
}

int null_handle(const char *what) {
  return guarded_code([&]() -> int { invalid(std::string(what) + ": handle is NULL"); });
}

}  // namespace

extern "C" {

/* Version ---------------------------------------------------------------- */

const char *npshm_version(void) {
#define NPSHM_STR2(x) #x
#define NPSHM_STR(x) NPSHM_STR2(x)
  return NPSHM_STR(NPSHM_VERSION_MAJOR) "." NPSHM_STR(NPSHM_VERSION_MINOR) "." NPSHM_STR(NPSHM_VERSION_PATCH);
}

int npshm_version_number(void) { return NPSHM_VERSION_NUMBER; }

/* Errors ----------------------------------------------------------------- */

int npshm_last_error(void) { return to_abi(npshm::last_error_code()); }
const char *npshm_last_message(void) { return npshm::last_error_message(); }
int npshm_last_errno(void) { return npshm::last_error_errno(); }
void npshm_clear_error(void) { npshm::clear_last_error(); }

const char *npshm_error_name(int code) {
  const npshm::ErrorCodeRow *row = npshm::find_error_code(code);
  return row ? row->name : "unknown";
}

const char *npshm_error_slug(int code) {
  const npshm::ErrorCodeRow *row = npshm::find_error_code(code);
  return row ? row->slug : nullptr;
}

int npshm_error_errno(int code) {
  const npshm::ErrorCodeRow *row = npshm::find_error_code(code);
  return row ? row->usual_errno : 0;
}

const char *npshm_lifetime_name(int lifetime) { return npshm::lifetime_name(lifetime); }

int npshm_lifetime_from_name(const char *name) {
  if (const std::optional<npshm::Lifetime> lifetime = npshm::lifetime_from_name(name)) return to_abi(*lifetime);
  guarded_code([&]() -> int {
    invalid(std::string("unknown lifetime '") + (name ? name : "(null)") + "' (" + npshm::lifetime_names() + ")");
  });
  return -1;
}

const char *npshm_order_name(int order) { return npshm::order_name(order); }

int npshm_order_from_name(const char *name) {
  if (const std::optional<npshm::Order> order = npshm::order_from_name(name)) return to_abi(*order);
  guarded_code([&]() -> int { invalid(std::string("unknown order '") + (name ? name : "(null)") + "' (C or F)"); });
  return -1;
}

int npshm_dtype_normalize(const char *descr, char *out, size_t cap, size_t *itemsize) {
  return guarded_code([&] {
    npshm::Dtype dtype = dtype_or_throw(descr, "dtype");
    if (out && cap > 0) {
      const std::size_t n = std::min(cap - 1, dtype.descr.size());
      std::memcpy(out, dtype.descr.data(), n);
      out[n] = '\0';
    }
    if (itemsize) *itemsize = dtype.itemsize;
    return static_cast<int>(dtype.descr.size());
  });
}

/* Host identity ---------------------------------------------------------- */

int npshm_host_id(const npshm_options *opts, char *out, size_t cap) {
  return guarded_code([&] {
    const std::string id = npshm::host_identity(npshm::shm_directory(directory_of(opts)));
    if (out && cap > 0) {
      const std::size_t n = std::min(cap - 1, id.size());
      std::memcpy(out, id.data(), n);
      out[n] = '\0';
    }
    return static_cast<int>(id.size());
  });
}

npshm_dtype_info *npshm_dtype_info_new(const char *descr) {
  return guarded([&] { return new npshm_dtype_info(dtype_or_throw(descr, "dtype")); },
                 static_cast<npshm_dtype_info *>(nullptr));
}

void npshm_dtype_info_free(npshm_dtype_info *info) { delete info; }
const char *npshm_dtype_info_descr(const npshm_dtype_info *d) { return d ? d->dtype.descr.c_str() : nullptr; }
int npshm_dtype_info_kind(const npshm_dtype_info *d) { return d ? d->dtype.kind : 0; }
size_t npshm_dtype_info_itemsize(const npshm_dtype_info *d) { return d ? d->dtype.itemsize : 0; }
int npshm_dtype_info_byteorder(const npshm_dtype_info *d) { return d ? d->dtype.byteorder : 0; }
const char *npshm_dtype_info_unit(const npshm_dtype_info *d) { return d ? d->dtype.unit.c_str() : nullptr; }
int npshm_dtype_info_is_structured(const npshm_dtype_info *d) { return d && !d->dtype.fields.empty(); }
size_t npshm_dtype_info_nfields(const npshm_dtype_info *d) { return d ? d->dtype.fields.size() : 0; }

namespace {
const npshm::DtypeField *field_of(const npshm_dtype_info *d, size_t i) {
  return d && i < d->dtype.fields.size() ? &d->dtype.fields[i] : nullptr;
}
}  // namespace

const char *npshm_dtype_info_field_name(const npshm_dtype_info *d, size_t i) {
  const npshm::DtypeField *f = field_of(d, i);
  return f ? f->name.c_str() : nullptr;
}
const char *npshm_dtype_info_field_title(const npshm_dtype_info *d, size_t i) {
  const npshm::DtypeField *f = field_of(d, i);
  return f && f->has_title ? f->title.c_str() : nullptr;
}
size_t npshm_dtype_info_field_offset(const npshm_dtype_info *d, size_t i) {
  const npshm::DtypeField *f = field_of(d, i);
  return f ? f->offset : 0;
}
const npshm_dtype_info *npshm_dtype_info_field_type(const npshm_dtype_info *d, size_t i) {
  return field_of(d, i) ? &d->fields[i] : nullptr;
}
int npshm_dtype_info_field_ndim(const npshm_dtype_info *d, size_t i) {
  const npshm::DtypeField *f = field_of(d, i);
  return f ? static_cast<int>(f->shape.size()) : -1;
}
const int64_t *npshm_dtype_info_field_shape(const npshm_dtype_info *d, size_t i) {
  const npshm::DtypeField *f = field_of(d, i);
  return f ? f->shape.data() : nullptr;
}

/* Options ---------------------------------------------------------------- */

npshm_options *npshm_options_new(void) {
  return guarded([] { return new npshm_options; }, static_cast<npshm_options *>(nullptr));
}

void npshm_options_free(npshm_options *opts) { delete opts; }

int npshm_options_set_lifetime(npshm_options *opts, int lifetime) {
  if (!opts) return null_handle("npshm_options_set_lifetime");
  return guarded_code([&] { return opts->o.set_lifetime(lifetime), NPSHM_OK; });
}

int npshm_options_set_mode(npshm_options *opts, unsigned int mode) {
  if (!opts) return null_handle("npshm_options_set_mode");
  return guarded_code([&] { return opts->o.set_mode(mode), NPSHM_OK; });
}

int npshm_options_set_fill(npshm_options *opts, const void *item, size_t size) {
  if (!opts) return null_handle("npshm_options_set_fill");
  return guarded_code([&] { return opts->o.set_fill(item, size), NPSHM_OK; });
}

int npshm_options_set_readonly(npshm_options *opts, int readonly) {
  if (!opts) return null_handle("npshm_options_set_readonly");
  opts->o.readonly = readonly != 0;
  return NPSHM_OK;
}

int npshm_options_set_populate(npshm_options *opts, int populate) {
  if (!opts) return null_handle("npshm_options_set_populate");
  opts->o.populate = populate != 0;
  return NPSHM_OK;
}

int npshm_options_set_directory(npshm_options *opts, const char *dir) {
  if (!opts) return null_handle("npshm_options_set_directory");
  return guarded_code([&] { return opts->o.set_directory(dir), NPSHM_OK; });
}

int npshm_options_set_expected_dtype(npshm_options *opts, const char *descr) {
  if (!opts) return null_handle("npshm_options_set_expected_dtype");
  return guarded_code([&] {
    if (descr)
      opts->o.expected_dtype = dtype_or_throw(descr, "expected dtype").descr;
    else
      opts->o.expected_dtype.reset();
    return NPSHM_OK;
  });
}

int npshm_options_set_expected_shape(npshm_options *opts, int ndim, const int64_t *shape) {
  if (!opts) return null_handle("npshm_options_set_expected_shape");
  return guarded_code([&] {
    if (ndim == -1)
      opts->o.expected_shape.reset();
    else
      opts->o.expected_shape = shape_or_throw(ndim, shape, "expected shape");
    return NPSHM_OK;
  });
}

int npshm_options_set_progress(npshm_options *opts, npshm_progress_fn fn, void *context) {
  if (!opts) return null_handle("npshm_options_set_progress");
  opts->o.progress = fn;
  opts->o.progress_context = context;
  return NPSHM_OK;
}

int npshm_options_set_exist_ok(npshm_options *opts, int exist_ok) {
  if (!opts) return null_handle("npshm_options_set_exist_ok");
  opts->o.exist_ok = exist_ok != 0;
  return NPSHM_OK;
}

int npshm_options_set_allow_other_owner(npshm_options *opts, int allow) {
  if (!opts) return null_handle("npshm_options_set_allow_other_owner");
  opts->o.allow_other_owner = allow != 0;
  return NPSHM_OK;
}

int npshm_options_set_ref_writable(npshm_options *opts, int writable) {
  if (!opts) return null_handle("npshm_options_set_ref_writable");
  opts->o.ref_writable = writable != 0;
  return NPSHM_OK;
}

int npshm_options_set_no_clobber(npshm_options *opts, int no_clobber) {
  if (!opts) return null_handle("npshm_options_set_no_clobber");
  opts->o.no_clobber = no_clobber != 0;
  return NPSHM_OK;
}

int npshm_options_set_gc_min_age(npshm_options *opts, int seconds) {
  if (!opts) return null_handle("npshm_options_set_gc_min_age");
  return guarded_code([&] { return opts->o.set_gc_min_age(seconds), NPSHM_OK; });
}

/* Arrays ----------------------------------------------------------------- */

// The layout create and create_from make, from the caller's arguments.
static npshm::Layout layout_to_create(const char *dtype, int ndim, const int64_t *shape, int order,
                                      const std::string &what) {
  npshm::Dtype dt = dtype_or_throw(dtype, what);
  return npshm::in_context(what, [&] { return npshm::make_layout(dt, ndim, shape, order); });
}

npshm_array *npshm_create(const char *name, const char *dtype, int ndim, const int64_t *shape,
                          int order, const npshm_options *opts) {
  return guarded(
      [&] {
        npshm::Location loc = npshm::resolve_name(name, directory_of(opts), "create");
        const npshm::Layout layout = layout_to_create(dtype, ndim, shape, order, "create " + loc.name);
        auto a = std::make_unique<npshm_array>();  // before the file exists
        a->segment = npshm::Segment::create_or_attach(loc, layout, opts_or_default(opts));
        return a.release();
      },
      static_cast<npshm_array *>(nullptr));
}

npshm_array *npshm_create_from(const char *name, const char *dtype, int ndim, const int64_t *shape, int order,
                               const void *data, size_t nbytes, const npshm_options *opts) {
  return guarded(
      [&] {
        npshm::Location loc = npshm::resolve_name(name, directory_of(opts), "create");
        const npshm::Layout layout = layout_to_create(dtype, ndim, shape, order, "create " + loc.name);
        auto a = std::make_unique<npshm_array>();  // before the file exists
        a->segment = npshm::Segment::create_from(loc, layout, data, nbytes, opts_or_default(opts));
        return a.release();
      },
      static_cast<npshm_array *>(nullptr));
}

npshm_array *npshm_attach(const char *name, const npshm_options *opts) {
  return guarded(
      [&] {
        auto a = std::make_unique<npshm_array>();
        a->segment = npshm::Segment::attach(npshm::resolve_name(name, directory_of(opts), "attach"),
                                            opts_or_default(opts));
        return a.release();
      },
      static_cast<npshm_array *>(nullptr));
}

npshm_array *npshm_load(const char *npy_path, const char *name, const npshm_options *opts) {
  return guarded(
      [&] {
        npshm::Location loc = npshm::resolve_name(name, directory_of(opts), "load");
        if (!npy_path) invalid("load " + loc.name + ": the source path is NULL");
        auto a = std::make_unique<npshm_array>();  // before the file exists
        a->segment = npshm::Segment::load(npy_path, loc, opts_or_default(opts));
        return a.release();
      },
      static_cast<npshm_array *>(nullptr));
}

int npshm_save(const npshm_array *a, const char *npy_path, const npshm_options *opts) {
  if (!a) return null_handle("npshm_save");
  return guarded_code([&] {
    if (!npy_path) invalid("save " + a->segment->location().name + " to (null): the path is NULL");
    a->segment->save(npy_path, opts_or_default(opts));
    return NPSHM_OK;
  });
}

int npshm_save_name(const char *name, const char *npy_path, const npshm_options *opts) {
  return guarded_code([&] {
    npshm::Location loc = npshm::resolve_name(name, directory_of(opts), "save");
    if (!npy_path) invalid("save " + loc.name + " to (null): the path is NULL");
    npshm::save_named_npy(loc, npy_path, opts_or_default(opts));
    return NPSHM_OK;
  });
}

int npshm_validate(const npshm_array *a, const char *dtype, int ndim, const int64_t *shape) {
  if (!a) return null_handle("npshm_validate");
  return guarded_code([&] {
    const std::string what = "validate " + a->segment->location().name;
    npshm::Dtype dt;
    if (dtype) dt = dtype_or_throw(dtype, what);
    std::vector<std::int64_t> sh;
    if (ndim != -1) sh = shape_or_throw(ndim, shape, what);
    a->segment->validate(dtype ? &dt.descr : nullptr, ndim != -1 ? &sh : nullptr);
    return NPSHM_OK;
  });
}

int npshm_check_view(const npshm_array *a, int64_t offset, int ndim, const int64_t *shape,
                     const int64_t *strides, size_t itemsize) {
  if (!a) return null_handle("npshm_check_view");
  return guarded_code([&] {
    const std::string what = "view of " + a->segment->location().name;
    const std::vector<std::int64_t> sh = shape_or_throw(ndim, shape, what);
    if (ndim > 0 && !strides) invalid(what + ": strides is NULL");
    const std::vector<std::int64_t> st(strides, strides + ndim);
    npshm::in_context(what, [&] {
      npshm::check_view_inside(offset, sh, st, itemsize, a->segment->layout().nbytes);
    });
    return NPSHM_OK;
  });
}

int npshm_close(npshm_array *a) {
  if (!a) return NPSHM_OK;
  std::unique_ptr<npshm_array> owned(a);
  return guarded_code(
      [&] {
        owned->segment->close();
        return NPSHM_OK;
      });
}

int npshm_unlink(npshm_array *a) {
  if (!a) return null_handle("npshm_unlink");
  return guarded_code(
      [&] {
        a->segment->unlink();
        return NPSHM_OK;
      });
}

int npshm_remove(const char *name, const npshm_options *opts) {
  return guarded_code(
      [&] {
        npshm::remove_array(npshm::resolve_name(name, directory_of(opts), "remove"));
        return NPSHM_OK;
      });
}

int npshm_exists(const char *name, const npshm_options *opts) {
  return guarded_code(
      [&] {
        return npshm::array_exists(npshm::resolve_name(name, directory_of(opts), "exists")) ? 1 : 0;
      });
}

void *npshm_data(const npshm_array *a) { return a ? a->segment->data() : nullptr; }
const char *npshm_dtype(const npshm_array *a) { return a ? a->segment->layout().dtype.descr.c_str() : nullptr; }
int npshm_ndim(const npshm_array *a) { return a ? static_cast<int>(a->segment->layout().shape.size()) : -1; }
const int64_t *npshm_shape(const npshm_array *a) { return a ? a->segment->layout().shape.data() : nullptr; }
const int64_t *npshm_strides(const npshm_array *a) { return a ? a->segment->layout().strides.data() : nullptr; }
int npshm_order(const npshm_array *a) {
  return a && a->segment->layout().fortran_order ? NPSHM_ORDER_F : NPSHM_ORDER_C;
}
size_t npshm_itemsize(const npshm_array *a) { return a ? a->segment->layout().dtype.itemsize : 0; }
size_t npshm_nbytes(const npshm_array *a) { return a ? a->segment->layout().nbytes : 0; }
const char *npshm_name(const npshm_array *a) { return a ? a->segment->location().name.c_str() : nullptr; }
const char *npshm_path(const npshm_array *a) { return a ? a->segment->location().path.c_str() : nullptr; }
int npshm_is_readonly(const npshm_array *a) { return a ? a->segment->readonly() : 0; }
int npshm_lifetime(const npshm_array *a) { return a ? to_abi(a->segment->lifetime()) : -1; }
int npshm_is_creator(const npshm_array *a) { return a ? a->segment->creator() : 0; }
uint64_t npshm_id(const npshm_array *a) { return a ? a->segment->id() : 0; }
size_t npshm_page_size(const npshm_array *a) {
  if (!a) return 0;
  return guarded([&] { return a->segment->page_size(); }, static_cast<size_t>(0));
}
size_t npshm_data_offset(const npshm_array *a) {
  return a ? static_cast<size_t>(a->segment->data_offset()) : 0;
}

int npshm_msync(const npshm_array *a, int flags) {
  if (!a) return null_handle("npshm_msync");
  return guarded_code([&] {
    a->segment->sync(flags);
    return NPSHM_OK;
  });
}

int npshm_mlock(const npshm_array *a) {
  if (!a) return null_handle("npshm_mlock");
  return guarded_code([&] {
    a->segment->lock_memory();
    return NPSHM_OK;
  });
}

int npshm_munlock(const npshm_array *a) {
  if (!a) return null_handle("npshm_munlock");
  return guarded_code([&] {
    a->segment->unlock_memory();
    return NPSHM_OK;
  });
}

/* Names ------------------------------------------------------------------ */

npshm_location *npshm_resolve(const char *name, const npshm_options *opts) {
  return guarded([&] { return new npshm_location{npshm::resolve_name(name, directory_of(opts), "resolve")}; },
                 static_cast<npshm_location *>(nullptr));
}

void npshm_location_free(npshm_location *loc) { delete loc; }
const char *npshm_location_name(const npshm_location *l) { return l ? l->location.name.c_str() : nullptr; }
const char *npshm_location_path(const npshm_location *l) { return l ? l->location.path.c_str() : nullptr; }
const char *npshm_location_directory(const npshm_location *l) { return l ? l->location.directory.c_str() : nullptr; }
const char *npshm_location_basename(const npshm_location *l) { return l ? l->location.basename.c_str() : nullptr; }
int npshm_location_is_shm(const npshm_location *l) { return l ? l->location.is_shm : 0; }

/* Saved references -------------------------------------------------------- */

npshm_ref *npshm_ref_make(const npshm_array *a, int64_t offset, int ndim, const int64_t *shape,
                          const int64_t *strides, int readonly) {
  if (!a) return null_handle("npshm_ref_make"), nullptr;
  return guarded(
      [&] {
        const std::string what = "reference " + a->segment->location().name;
        std::vector<std::int64_t> sh = shape_or_throw(ndim, shape, what);
        std::vector<std::int64_t> st;
        if (strides) st.assign(strides, strides + ndim);
        npshm::Reference ref = npshm::make_reference(*a->segment, offset, sh, st, readonly != 0);
        std::string text = npshm::format_reference(ref);
        return new npshm_ref{std::move(ref), std::move(text)};
      },
      static_cast<npshm_ref *>(nullptr));
}

npshm_ref *npshm_ref_parse(const char *text) {
  return guarded(
      [&] {
        if (!text) invalid("parse reference: the text is NULL");
        npshm::Reference ref;
        try {
          ref = npshm::parse_reference(text);
        } catch (const Error &e) {
          throw e.in("parse reference");
        }
        return new npshm_ref{std::move(ref), text};
      },
      static_cast<npshm_ref *>(nullptr));
}

void npshm_ref_free(npshm_ref *ref) { delete ref; }
const char *npshm_ref_text(const npshm_ref *r) { return r ? r->text.c_str() : nullptr; }
const char *npshm_ref_name(const npshm_ref *r) { return r ? r->ref.location.name.c_str() : nullptr; }
const char *npshm_ref_path(const npshm_ref *r) { return r ? r->ref.location.path.c_str() : nullptr; }
const char *npshm_ref_directory(const npshm_ref *r) {
  return r ? (r->ref.location.is_shm ? r->ref.location.directory.c_str() : "") : nullptr;
}
uint64_t npshm_ref_id(const npshm_ref *r) { return r ? r->ref.id : 0; }
const char *npshm_ref_dtype(const npshm_ref *r) { return r ? r->ref.dtype.descr.c_str() : nullptr; }
int64_t npshm_ref_offset(const npshm_ref *r) { return r ? r->ref.offset : 0; }
int npshm_ref_ndim(const npshm_ref *r) { return r ? static_cast<int>(r->ref.shape.size()) : -1; }
const int64_t *npshm_ref_shape(const npshm_ref *r) { return r ? r->ref.shape.data() : nullptr; }
const int64_t *npshm_ref_strides(const npshm_ref *r) { return r ? r->ref.strides.data() : nullptr; }
int npshm_ref_is_readonly(const npshm_ref *r) { return r ? r->ref.readonly : 0; }

npshm_array *npshm_ref_attach(const npshm_ref *ref, const npshm_options *opts) {
  if (!ref) return null_handle("npshm_ref_attach"), nullptr;
  return guarded(
      [&] {
        auto a = std::make_unique<npshm_array>();
        a->segment = npshm::attach_reference(ref->ref, opts_or_default(opts));
        return a.release();
      },
      static_cast<npshm_array *>(nullptr));
}

int npshm_ref_check(const npshm_ref *ref, const npshm_array *a) {
  if (!ref || !a) return null_handle("npshm_ref_check");
  return guarded_code([&] {
    npshm::check_reference(ref->ref, *a->segment);
    return NPSHM_OK;
  });
}

/* Listing and gc ----------------------------------------------------------- */

npshm_info *npshm_stat(const char *name, const npshm_options *opts) {
  return guarded(
      [&] { return new npshm_info{npshm::inspect(npshm::resolve_name(name, directory_of(opts), "stat"))}; },
      static_cast<npshm_info *>(nullptr));
}

void npshm_info_free(npshm_info *info) { delete info; }

int npshm_info_status(const npshm_info *i) { return i ? to_abi(i->info.status) : NPSHM_E_INVALID; }
const char *npshm_info_message(const npshm_info *i) { return i ? i->info.message.c_str() : ""; }
const char *npshm_info_name(const npshm_info *i) { return i ? i->info.location.name.c_str() : nullptr; }
const char *npshm_info_path(const npshm_info *i) { return i ? i->info.location.path.c_str() : nullptr; }
const char *npshm_info_dtype(const npshm_info *i) { return i ? i->info.layout.dtype.descr.c_str() : nullptr; }
int npshm_info_ndim(const npshm_info *i) { return i ? static_cast<int>(i->info.layout.shape.size()) : -1; }
const int64_t *npshm_info_shape(const npshm_info *i) { return i ? i->info.layout.shape.data() : nullptr; }
int npshm_info_order(const npshm_info *i) {
  return i && i->info.layout.fortran_order ? NPSHM_ORDER_F : NPSHM_ORDER_C;
}
size_t npshm_info_itemsize(const npshm_info *i) { return i ? i->info.layout.dtype.itemsize : 0; }
size_t npshm_info_nbytes(const npshm_info *i) { return i ? i->info.layout.nbytes : 0; }
int npshm_info_lifetime(const npshm_info *i) { return i ? to_abi(i->info.lifetime) : -1; }
int npshm_info_holders(const npshm_info *i) { return i ? npshm::holder_count(i->info) : -1; }
uint64_t npshm_info_file_size(const npshm_info *i) { return i ? i->info.file_size : 0; }
size_t npshm_info_page_size(const npshm_info *i) {
  if (!i) return 0;
  return guarded([&] { return npshm::page_size_of(i->info); }, static_cast<size_t>(0));
}
unsigned int npshm_info_uid(const npshm_info *i) { return i ? i->info.uid : 0; }
unsigned int npshm_info_mode(const npshm_info *i) { return i ? i->info.mode : 0; }
int64_t npshm_info_mtime(const npshm_info *i) { return i ? i->info.mtime : 0; }

int npshm_info_processes(const npshm_info *info, int64_t *pids, size_t cap, size_t *mappings) {
  if (!info) return null_handle("npshm_info_processes");
  return guarded_code([&] {
    std::vector<pid_t> found;
    std::size_t count = 0;
    if (!npshm::mapping_processes(info->info, found, count)) return -1;
    for (std::size_t i = 0; i < found.size() && i < cap; ++i) pids[i] = found[i];
    if (mappings) *mappings = count;
    return static_cast<int>(found.size());
  });
}

npshm_list *npshm_list_arrays(const npshm_options *opts) {
  return guarded([&] { return new_list(npshm::list_directory(npshm::shm_directory(directory_of(opts)))); },
                 static_cast<npshm_list *>(nullptr));
}

size_t npshm_list_size(const npshm_list *list) { return list ? list->items.size() : 0; }

const npshm_info *npshm_list_get(const npshm_list *list, size_t i) {
  return list && i < list->items.size() ? &list->items[i] : nullptr;
}

void npshm_list_free(npshm_list *list) { delete list; }

npshm_list *npshm_gc(const npshm_options *opts, int dry_run) {
  return guarded(
      [&] {
        return new_list(npshm::collect_garbage(npshm::shm_directory(directory_of(opts)), dry_run != 0,
                                                     opts_or_default(opts).gc_min_age));
      },
      static_cast<npshm_list *>(nullptr));
}

// Waiting and locking (waiting.hpp, array_lock.hpp).

int npshm_wait_created(const char *name, const npshm_options *opts, double timeout) {
  return guarded_code([&] {
    npshm::wait_created(npshm::resolve_name(name, directory_of(opts), "wait_created"), timeout);
    return NPSHM_OK;
  });
}

npshm_watch *npshm_watch_created(const char *name, const npshm_options *opts) {
  return guarded(
      [&] {
        return new npshm_watch{npshm::CreatedWatch(
            npshm::resolve_name(name, directory_of(opts), "watch_created"))};
      },
      static_cast<npshm_watch *>(nullptr));
}

int npshm_watch_fd(const npshm_watch *w) { return w ? w->watch.fd() : -1; }

int npshm_watch_check(npshm_watch *w) {
  if (!w) return null_handle("npshm_watch_check");
  return guarded_code([&] { return w->watch.check() ? 1 : 0; });
}

void npshm_watch_free(npshm_watch *w) { delete w; }

int npshm_notify(npshm_array *a, uint64_t *version) {
  if (!a) return null_handle("npshm_notify");
  return guarded_code([&] {
    const std::uint64_t v = npshm::notify(*a->segment);
    if (version) *version = v;
    return NPSHM_OK;
  });
}

int npshm_array_version(const npshm_array *a, uint64_t *version) {
  if (!a) return null_handle("npshm_array_version");
  return guarded_code([&] {
    const std::uint64_t v = npshm::array_version(*a->segment);
    if (version) *version = v;
    return NPSHM_OK;
  });
}

int npshm_wait_changed(const npshm_array *a, uint64_t seen, double timeout, uint64_t *version) {
  if (!a) return null_handle("npshm_wait_changed");
  return guarded_code([&] {
    const std::uint64_t v = npshm::wait_changed(*a->segment, seen, timeout);
    if (version) *version = v;
    return NPSHM_OK;
  });
}

npshm_waiter *npshm_waiter_new(void) {
  return guarded(
      [&] {
        auto w = std::make_unique<npshm_waiter>();
        return w.release();
      },
      static_cast<npshm_waiter *>(nullptr));
}

void npshm_waiter_free(npshm_waiter *w) { delete w; }

int npshm_wait_changed_any(npshm_waiter *w, npshm_array **arrays, const uint64_t *seen, size_t n,
                           double timeout, size_t *index, uint64_t *version) {
  if (!w) return null_handle("npshm_wait_changed_any");
  if (n > 0 && (!arrays || !seen))
    return guarded_code([&]() -> int { invalid("npshm_wait_changed_any: arrays and seen may not be NULL"); });
  const npshm::Segment *segments[npshm::Waiter::kMaxArrays];
  for (std::size_t i = 0; i < n && i < npshm::Waiter::kMaxArrays; ++i) {
    if (!arrays[i]) return null_handle("npshm_wait_changed_any");
    segments[i] = arrays[i]->segment.get();
  }
  return guarded_code([&] {
    const std::size_t i = w->waiter.wait(segments, seen, n, timeout, version);
    if (index) *index = i;
    return NPSHM_OK;
  });
}

int npshm_waiter_interrupt(npshm_waiter *w) {
  if (!w) return null_handle("npshm_waiter_interrupt");
  w->waiter.interrupt();
  return NPSHM_OK;
}

int npshm_wait_released(const char *name, const npshm_options *opts, double timeout) {
  return guarded_code([&] {
    npshm::wait_released(npshm::resolve_name(name, directory_of(opts), "wait_released"),
                         opts_or_default(opts), timeout);
    return NPSHM_OK;
  });
}

int npshm_wait_released_array(const npshm_array *a, double timeout) {
  if (!a) return null_handle("npshm_wait_released_array");
  return guarded_code([&] {
    npshm::wait_released(*a->segment, timeout);
    return NPSHM_OK;
  });
}

int npshm_lock(npshm_array *a, int exclusive, double timeout) {
  if (!a) return null_handle("npshm_lock");
  return guarded_code([&] {
    if (!a->lock) a->lock = std::make_unique<npshm::ArrayLock>();
    a->lock->lock(*a->segment, exclusive != 0, timeout);
    return NPSHM_OK;
  });
}

int npshm_unlock(npshm_array *a) {
  if (!a) return null_handle("npshm_unlock");
  return guarded_code([&] {
    if (!a->lock) a->lock = std::make_unique<npshm::ArrayLock>();
    a->lock->unlock(*a->segment);
    return NPSHM_OK;
  });
}

}  // extern "C"
