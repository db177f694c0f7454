// A segment: one array file mapped into this process, holding the holder
// lock that tells other processes it is in use.  This is what an
// npshm_array handle is.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/lifetimes.hpp"
#include "format/layout.hpp"
#include "store/names.hpp"
#include "format/file_format.hpp"
#include "store/open_files.hpp"

namespace npshm {

struct Options;

// Segment::sync's flags, msync(2)'s (published as NPSHM_MS_*).
constexpr int kMsAsync = 1;       // start writing back, do not wait
constexpr int kMsSync = 2;        // write back and wait
constexpr int kMsInvalidate = 4;  // drop other mappings' cached copies

// Where the data of a new segment comes from, when not from a fill: an
// open file holding layout.nbytes bytes at offset, or (memory not null)
// layout.nbytes bytes in memory.
struct DataSource {
  int fd = -1;
  std::uint64_t offset = 0;
  const void *memory = nullptr;
};

class Segment {
 public:
  // Build the file with no name (or a hidden temporary one), reserve its
  // memory, write header, data (fill, zeros or a copy of source) and
  // trailer, then publish it with link(2), which fails if the name exists.
  // Throws Error; leaves nothing behind on failure.
  static std::unique_ptr<Segment> create(const Location &loc, const Layout &layout,
                                         const Options &opts,
                                         const DataSource *source = nullptr);
  // npshm_create: create, or with opts.exist_ok, when the name exists,
  // attach it instead if it is ours (see attach's exist_ok_mode) and holds
  // an equal array (dtype, shape, and order when ndim > 1; else
  // Errc::mismatch, refused before locking or mapping).  The name may
  // come and go meanwhile: a few attempts.  Throws Error.
  static std::unique_ptr<Segment> create_or_attach(const Location &loc, const Layout &layout,
                                                   const Options &opts);
  // npshm_create_from: create from nbytes bytes of data (exactly the
  // layout's nbytes; data may be null only when that is 0).  Throws Error.
  static std::unique_ptr<Segment> create_from(const Location &loc, const Layout &layout, const void *data,
                                              std::size_t nbytes, const Options &opts);
  // npshm_load: create from the .npy file at npy_path (its dtype, shape,
  // order and data).  Throws Error.
  static std::unique_ptr<Segment> load(const std::string &npy_path, const Location &loc,
                                       const Options &opts);
  // A check of the file's header and trailer made by attach before it
  // locks or maps the file; it throws Error to refuse the file.
  using HeaderCheck = std::function<void(const FileHeader &)>;
  // Open, check, lock and map an existing file.  Throws Error.  Refuses
  // anything but a regular file, and a file of another non-root user unless
  // opts.allow_other_owner.  With exist_ok_mode (npshm_create's exist_ok),
  // the stricter anti-squatting check instead: owned by us or root and not
  // writable by group/others beyond *exist_ok_mode.  The checks of the
  // header (opts' expected dtype and shape, then check if given) run before
  // the file is locked or mapped, so a refused file is never held.
  static std::unique_ptr<Segment> attach(const Location &loc, const Options &opts,
                                         const unsigned *exist_ok_mode = nullptr,
                                         const HeaderCheck &check = nullptr);

  Segment(const Segment &) = delete;
  Segment &operator=(const Segment &) = delete;
  // Unmaps and closes without applying the lifetime policy (see close()).
  ~Segment();

  // Apply the lifetime policy, then unmap and close.  Throws Error if the
  // policy's unlink failed; the segment is released either way.
  void close();
  // Remove the name if it still refers to this file.  Throws Error.
  void unlink();
  // Throws Error (Errc::format) if the file no longer has the size that
  // is mapped: someone truncated (or extended) it.  Every operation of the
  // library on the mapping checks this first.
  void check_size(const std::string &what) const;
  // Whether a process of another user may be able to truncate the file: it
  // is owned by another user who is not root, or its mode lets group or
  // others write (an ACL's named entries are bounded by the group bits).
  // Decided from the file's status when it was opened or created: only its
  // owner (this user, or root) can widen the mode later.
  bool others_may_resize() const { return others_may_resize_; }
  // The offset of the sync block (format/file_format.hpp) in the mapping, or 0 if
  // the file has none; has_trailer() says whether it has an npshm trailer
  // at all.  Both read once, when the file was opened or created.
  std::uint64_t sync_offset() const { return sync_offset_; }
  bool has_trailer() const { return has_trailer_; }
  int fd() const { return fd_; }
  // npshm_validate: throws Error(Errc::mismatch) unless the layout has
  // this dtype (a normalised descr) and shape; either may be null.
  void validate(const std::string *descr, const std::vector<std::int64_t> *shape) const;
  // npshm_save: write the array to a plain .npy at path (see save_npy).
  void save(const std::string &path, const Options &opts) const;
  // npshm_msync (flags: kMs*), npshm_mlock, npshm_munlock on the
  // whole mapping.  Throw Error.
  void sync(int flags) const;
  void lock_memory() const;
  void unlock_memory() const;

  const Location &location() const { return loc_; }
  const Layout &layout() const { return layout_; }
  void *data() const { return static_cast<char *>(map_) + data_offset_; }
  std::uint64_t data_offset() const { return data_offset_; }
  void *mapping() const { return map_; }
  std::size_t mapping_size() const { return map_size_; }
  bool readonly() const { return readonly_; }
  Lifetime lifetime() const { return lifetime_; }
  bool creator() const { return creator_; }
  std::uint64_t id() const { return id_; }
  // The size of the pages backing the file (see npshm_page_size).
  std::size_t page_size() const;

 private:
  Segment() = default;
  void release() noexcept;
  // Pre-fault the whole mapping (npshm_options_set_populate).  Throws Error.
  void populate(const std::string &what, bool writable);
  // A writable attach: reserve the pages of the file (st: its fstat) not
  // yet allocated, after check_space.  Throws Error.
  void reserve_unallocated(const struct stat &st, const std::string &what);
  // Create's two ways of writing a new file (see segment.cpp).
  using NoSpace = std::function<void(int, const char *)>;
  void write_before_mapping(const std::string &header, const unsigned char *trailer_bytes,
                            const Options &opts, const DataSource *source, const std::string &what,
                            const NoSpace &no_space);
  void write_through_mapping(const std::string &header, const unsigned char *trailer_bytes,
                             const Options &opts, const DataSource *source, const std::string &what,
                             const NoSpace &no_space);
  // Enrol with the exit hook (exit_hook.hpp) if the handle has a policy to
  // apply at exit; withdraw: true if the hook applied it already.
  void enroll_for_exit();
  bool withdraw_from_exit() noexcept;
  // This handle stops counting as a user of file_ (once); true if it was
  // this process's last.
  bool leave_file() noexcept;
  // Record what the waits need to know of the file, once it is mapped:
  // fh as read (or written) and st, its status (after any mode change).
  void note_file(const FileHeader &fh, const struct stat &st);
  static void check_owner(const struct stat &st, const Options &opts, const unsigned *exist_ok_mode,
                          const std::string &what);

  Location loc_;
  Layout layout_;
  std::uint64_t data_offset_ = 0;
  int fd_ = -1;                     // file_'s descriptor once shared
  std::shared_ptr<OpenFile> file_;  // shared with this process's other handles of the file
  bool left_ = false;               // leave_file() done
  bool enrolled_ = false;           // with the exit hook
  void *map_ = nullptr;
  std::size_t map_size_ = 0;   // the file's size
  std::size_t map_block_ = 0;  // hugetlbfs: its huge page size (maps are whole pages); else 0
  bool readonly_ = false;
  bool creator_ = false;
  Lifetime lifetime_ = Lifetime::persistent;
  std::uint64_t id_ = 0;
  std::uint64_t sync_offset_ = 0;
  bool has_trailer_ = false;
  bool others_may_resize_ = true;
  pid_t pid_ = 0;  // the process that opened it (a forked child must not apply the policy)
};

}  // namespace npshm
