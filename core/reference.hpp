// Saved references: a small text naming one view of one array, that another
// process turns back into the same view (Python pickles, R serialization,
// Julia serialization all use it).
//
//   npshm-ref/1 uri=U dir=D id=I offset=O shape=S strides=T ro=R dtype=Y sum=C
//
// Fields are separated by one space and come in exactly this order.
//   U  the canonical name ("shm://NAME" or "file:///path"), percent-encoded
//   D  the shm directory for shm:// names, "" for file:// names, encoded
//   I  the array's random id (npshm_id), 16 lower-case hex digits
//   O  the view's first byte, counted from the start of the data, decimal
//   S  the view's extents, decimal, comma-separated ("" for 0-d)
//   T  the view's strides in bytes, signed decimal, comma-separated
//   R  1 read-only, 0 writable
//   Y  the array's normalised dtype (as in its header), percent-encoded
//   C  FNV-1a 64 of every byte before " sum=", 16 lower-case hex digits
// Percent-encoding keeps A-Z a-z 0-9 and "-._~:/" and writes every other
// byte as %XX (upper-case hex), so the text is printable ASCII with no
// spaces.  Numbers have no sign unless negative and no leading zeros.
//
// The checksum only catches damage; safety comes from checking the
// reference against the array's own header when it is attached
// (check_reference): a crafted reference can name only views the array
// allows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "layout.hpp"
#include "names.hpp"

namespace npshm {

struct Options;

class Segment;

struct Reference {
  Location location;
  std::uint64_t id = 0;
  std::int64_t offset = 0;  // bytes from the start of the data
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // bytes
  bool readonly = false;
  Dtype dtype;  // the array's (normalised) dtype
};

// The text of a reference.
std::string format_reference(const Reference &ref);

// Parse a reference's text.  Throws Error(NPSHM_E_INVALID) with the cause.
Reference parse_reference(std::string_view text);

// Check a reference against the array it names, as found in its header
// (layout) and trailer (id).  Throws Error: NPSHM_E_NOT_FOUND if the id
// differs (the name was removed and created again), NPSHM_E_MISMATCH if
// the dtype differs, NPSHM_E_INVALID if the view reaches outside the data.
// what names the operation and the array.
void check_reference(const Reference &ref, const Layout &layout, std::uint64_t id, const std::string &what);

// A reference to a view of an open segment (strides empty: C-contiguous
// for shape).  Throws Error(NPSHM_E_INVALID) if the view reaches outside
// the data.  A read-only segment makes a read-only reference.
Reference make_reference(const Segment &seg, std::int64_t offset, const std::vector<std::int64_t> &shape,
                         std::vector<std::int64_t> strides, bool readonly);

// Attach the array a reference names, refusing it (before locking or
// mapping) unless check_reference passes.  Throws Error.
std::unique_ptr<Segment> attach_reference(const Reference &ref, const Options &opts);

// check_reference against an open segment, which must also be the file the
// reference names (else NPSHM_E_MISMATCH) and writable if the reference is
// (else NPSHM_E_READONLY).  Throws Error.
void check_reference(const Reference &ref, const Segment &seg);

}  // namespace npshm
