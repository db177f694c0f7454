// The on-file format: an NPY header, the data, an npshm trailer.
//
//   offset 0            "\x93NUMPY", version, header length, the header dict
//                        {'descr': ..., 'fortran_order': ..., 'shape': ...}
//                        padded with spaces and ended by '\n'
//   data_offset          the array data (a multiple of 4096 when npshm wrote
//                        the file; any value numpy allows when it did not)
//   data_offset+nbytes   the trailer (npshm files only; numpy ignores it):
//                        magic "NPSHMTRL", u32 version, u32 lifetime,
//                        u64 data_offset, u64 nbytes, u64 id (random, so
//                        one array is told from a later one of the same
//                        name), u64 device, u64 inode (of the file the
//                        creator made, recorded before it had a name: the
//                        lifetime applies to that file only, never to a
//                        copy), u32 sync distance, u32 sync size (both 0
//                        in files of earlier releases: no sync block),
//                        64 B in all, all little-endian
//   sync                 the sync block (the first multiple of 8 at or after
//                        data_offset+nbytes+64, so its words are aligned in
//                        every mapping): u64 version, u32 futex word (the
//                        change sequence notify bumps and waiters sleep on),
//                        u32 reserved (0); 16 B, zero when created.  The
//                        file ends there.  Every attach maps it (the whole
//                        file is mapped); see waiting.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/lifetimes.hpp"
#include "format/layout.hpp"

namespace npshm {

// The alignment of the data of created files (published as NPSHM_DATA_ALIGN).
constexpr std::size_t kDataAlign = 4096;

constexpr std::size_t kTrailerSize = 64;
constexpr std::size_t kSyncSize = 16;

// Where the sync block of an array with data at data_offset, nbytes long,
// starts, counted from the trailer (data_offset + nbytes): 64..71.
std::uint64_t sync_distance(std::uint64_t data_offset, std::uint64_t nbytes);
// The size of a file npshm creates: header, data, trailer, sync block.
std::uint64_t created_file_size(std::uint64_t data_offset, std::uint64_t nbytes);
// Largest header npshm reads (NPY 2.0/3.0 allow 4 GiB; nobody needs that):
// room for a header padded to a 2 MiB huge page (on hugetlbfs the data
// starts at one) and then some.
constexpr std::size_t kMaxHeaderBytes = std::size_t{4} << 20;

// The header bytes for a layout: length is the data offset, a multiple of
// align (kDataAlign; on hugetlbfs the huge page size).
std::string format_header(const Layout &layout, std::size_t align = kDataAlign);

struct ParsedHeader {
  Layout layout;
  std::uint64_t data_offset = 0;
};

// Parse and check an NPY header found at the start of a file of file_size
// bytes; bytes holds the first min(file_size, kMaxHeaderBytes + 12) bytes.
// Every field is checked against file_size.  Throws Error(Errc::format)
// with the cause alone (callers add the file, see error.hpp).
ParsedHeader parse_header(const unsigned char *bytes, std::size_t len, std::uint64_t file_size);

struct Trailer {
  Lifetime lifetime = Lifetime::persistent;
  std::uint64_t id = 0;  // random, set at create; 0: unknown (older files)
  std::uint64_t dev = 0;  // st_dev, st_ino of the file created with this
  std::uint64_t ino = 0;  // trailer (0, 0: unbound, so persistent)
  bool has_sync = false;  // a sync block follows (files of earlier releases: none)
};

void format_trailer(const Trailer &trailer, std::uint64_t data_offset,
                    std::uint64_t nbytes, unsigned char out[kTrailerSize]);

// true if bytes hold a valid trailer matching data_offset and nbytes.  The
// sync fields are either both 0 (no sync block) or exactly what
// format_trailer writes; whether the file is long enough to hold the block
// is for its user to check (sync_offset).
bool parse_trailer(const unsigned char bytes[kTrailerSize], std::uint64_t data_offset,
                   std::uint64_t nbytes, Trailer &out);

}  // namespace npshm

namespace npshm {

// What a file's header and trailer say.
struct FileHeader {
  ParsedHeader header;
  bool has_trailer = false;  // false for plain .npy files (lifetime persistent)
  Trailer trailer;
};

// Read and check the header of an open file of file_size bytes with pread
// (no mapping, so a short file cannot SIGBUS).  Throws Error with the cause
// alone: Errc::format for a bad file, or the system error of a failed
// read ("cannot read the header (...)").
ParsedHeader read_header(int fd, std::uint64_t file_size);

// read_header, then the trailer with pread.  Throws as read_header.
FileHeader read_file_header(int fd, std::uint64_t file_size);

// The offset of the sync block in a file of file_size bytes, or 0 if it has
// none (a plain .npy, a file of an earlier release, or one too short).
std::uint64_t sync_offset(const FileHeader &fh, std::uint64_t file_size);

// The lifetime policy that applies to a file: the trailer's, but only for
// the very file it was created for (same device and inode) and only in the
// shm directory; persistent for a copy, a file:// name, or a plain .npy.
Lifetime effective_lifetime(const FileHeader &fh, std::uint64_t dev, std::uint64_t ino, bool in_shm_directory);

}  // namespace npshm
