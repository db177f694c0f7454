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
//   R  1 read-only, 0 writable (only ever honoured where may_carry_write
//      holds; references made of other arrays say 1)
//   Y  the array's normalised dtype (as in its header), percent-encoded
//   C  the damage check: FNV-1a 64 of every byte before " sum=", 16
//      lower-case hex digits
// Percent-encoding keeps A-Z a-z 0-9 and "-._~:/" and writes every other
// byte as %XX (upper-case hex), so the text is printable ASCII with no
// spaces.  Numbers have no sign unless negative and no leading zeros.
//
// The damage check catches accidental damage (a truncated or garbled
// text), never forgery: anyone can compute it.  A reference is a claim to
// check, never a grant:
// - what it may name: check_reference compares it with the array's own
//   header and trailer when it is attached, so a crafted reference names
//   only views the array allows;
// - what access it may carry: write access only for an array named by
//   its random id in the shm directory (may_carry_write), and only where
//   the receiving process can open the file for writing
//   (attach_reference).  Any other reference attaches read-only unless
//   the receiving call asks for write access itself (Options::ref_writable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/layout.hpp"
#include "store/names.hpp"

namespace npshm {

struct Options;

class Segment;

struct Reference {
  Location location;
  std::uint64_t id = 0;
  std::int64_t offset = 0;  // bytes from the start of the data
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // bytes
  // What the reference grants: true (read-only) unless its text says ro=0
  // and may_carry_write(location, id) holds.
  bool readonly = false;
  Dtype dtype;  // the array's (normalised) dtype
};

// The rule for write access carried by a reference: only a shm:// name with
// a non-zero id, since knowing the random id of an array in the shm
// directory is the capability (it is in the file: whoever can read the
// file can learn it).  A file:// name, or a plain .npy (id 0), never
// carries write access, whatever a reference's text says.
bool may_carry_write(const Location &loc, std::uint64_t id);

// The text of a reference.
std::string format_reference(const Reference &ref);

// Parse a reference's text.  Throws Error(Errc::invalid) with the cause.
// The result is read-only unless the text says ro=0 and may_carry_write.
Reference parse_reference(std::string_view text);

// Check a reference against the array it names, as found in its header
// (layout) and trailer (id).  Throws Error: Errc::not_found if the id
// differs (the name was removed and created again), Errc::mismatch if
// the dtype differs, Errc::invalid if the view reaches outside the data.
// what names the operation and the array.
void check_reference(const Reference &ref, const Layout &layout, std::uint64_t id, const std::string &what);

// A reference to a view of an open segment (strides empty: C-contiguous
// for shape).  Throws Error(Errc::invalid) if the view reaches outside
// the data.  A read-only segment, or one whose reference may not carry
// write access (may_carry_write), makes a read-only reference.
Reference make_reference(const Segment &seg, std::int64_t offset, const std::vector<std::int64_t> &shape,
                         std::vector<std::int64_t> strides, bool readonly);

// Attach the array a reference names, refusing it (before locking or
// mapping) unless check_reference passes.  The handle is writable when
// opts.ref_writable asks for it (then as npshm_attach would be: an error
// if the file cannot be opened for writing), or when the reference grants
// write access and opts.readonly is not set and this process can open the
// file for writing; else read-only.  opts.readonly with opts.ref_writable
// is Errc::invalid.  Throws Error.
std::unique_ptr<Segment> attach_reference(const Reference &ref, const Options &opts);

// check_reference against an open segment, which must also be the file the
// reference names (else Errc::mismatch) and writable if the reference is
// (else Errc::readonly).  Throws Error.
void check_reference(const Reference &ref, const Segment &seg);

}  // namespace npshm
