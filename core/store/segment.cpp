// A segment: one array file mapped into this process, with its holder lock.
#include "store/segment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "store/array_open.hpp"
#include "common/byte_size.hpp"
#include "common/error.hpp"
#include "store/exit_hook.hpp"
#include "platform/whole_io.hpp"
#include "store/load_save.hpp"
#include "format/file_format.hpp"
#include "store/open_files.hpp"
#include "common/options.hpp"
#include "platform/platform.hpp"
#include "common/progress.hpp"
#include "store/space.hpp"
#include "store/user_path.hpp"

namespace npshm {

namespace {

constexpr int kLockAttempts = 200;           // x 10 ms: wait up to 2 s
constexpr auto kLockPause = std::chrono::milliseconds(10);
constexpr int kReopenAttempts = 5;
constexpr int kRemoverWaitMs = 2000;  // another npshm process removing the same file



// Take the shared holder lock, waiting out a short exclusive holder (a
// closer or gc deciding whether to unlink).
void lock_shared_waiting(int fd, const std::string &what) {
  for (int i = 0;; ++i) {
    int err = platform::try_lock_shared(fd);
    if (err == 0) return;
    if (err != EAGAIN) throw_system(what + ": cannot lock", err);
    if (i == kLockAttempts)
      throw Error(Errc::busy, what + ": another process holds the array exclusively", EAGAIN);
    std::this_thread::sleep_for(kLockPause);
  }
}

// The longest header npshm writes (before huge-page padding).
constexpr std::size_t kMaxWrittenHeaderBytes = std::size_t{1} << 20;

std::uint64_t round_up(std::uint64_t n, std::uint64_t block) { return block ? (n + block - 1) / block * block : n; }

// Files up to this size are written whole with one pwrite.
constexpr std::uint64_t kOneWriteBytes = 64 << 10;

// Fill nbytes (a multiple of the item's size, > 0) at out with the item.
void fill_items(char *out, std::size_t nbytes, const std::vector<unsigned char> &item) {
  std::memcpy(out, item.data(), item.size());
  for (std::size_t done = item.size(); done < nbytes;) {  // doubling copies
    const std::size_t n = std::min(done, nbytes - done);
    std::memcpy(out + done, out, n);
    done += n;
  }
}

// Write nbytes of the repeated item at offset: a buffer of whole items
// (about 1 MiB) written again and again.
int write_fill(int fd, std::uint64_t offset, std::uint64_t nbytes, const std::vector<unsigned char> &item) {
  const std::size_t size = item.size();
  const std::size_t chunk =
      static_cast<std::size_t>(std::min<std::uint64_t>(nbytes, std::max<std::size_t>(size, (1u << 20) / size * size)));
  std::vector<char> buf(chunk);
  fill_items(buf.data(), chunk, item);
  for (std::uint64_t done = 0; done < nbytes;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, nbytes - done));
    if (int err = pwrite_all(fd, buf.data(), n, offset + done)) return err;
    done += n;
  }
  return 0;
}

}  // namespace

std::unique_ptr<Segment> Segment::create(const Location &loc, const Layout &layout,
                                         const Options &opts, const DataSource *source) {
  const std::string what = "create " + loc.name;
  // opts.lifetime is valid: Options::set_lifetime, the one check, took it.
  if (!opts.fill.empty() && opts.fill.size() != layout.dtype.itemsize)
    throw Error(Errc::invalid, what + ": fill value has " + std::to_string(opts.fill.size()) +
                                     " bytes, the dtype " + layout.dtype.descr + " has " +
                                     std::to_string(layout.dtype.itemsize));

  std::unique_ptr<Segment> seg(new Segment());
  seg->loc_ = loc;
  seg->layout_ = layout;
  seg->creator_ = true;
  seg->lifetime_ = opts.lifetime;
  if (opts.lifetime != Lifetime::persistent) seg->pid_ = ::getpid();

  std::string header = format_header(layout);
  if (header.size() > kMaxWrittenHeaderBytes)  // nobody could attach it
    throw Error(Errc::invalid, what + ": the dtype description is too long (a header of " +
                                     human_bytes(header.size()) + "; at most " +
                                     human_bytes(kMaxWrittenHeaderBytes) + ")");
  std::uint64_t total = created_file_size(header.size(), layout.nbytes);
  unsigned char trailer_bytes[kTrailerSize];
  Trailer trailer;
  trailer.lifetime = opts.lifetime;
  trailer.id = platform::random_id();
  trailer.has_sync = true;  // the sync block (zeros: version 0) ends the file
  seg->id_ = trailer.id;

  // The file has no name (or a hidden temporary one, which goes with
  // `file` unless published) until it is complete.  Its directory is the
  // caller's path: no planted link is followed.
  check_user_directory(loc.directory, what);
  platform::NewFile file;
  if (int err = platform::create_new_file(AT_FDCWD, loc.directory, "", static_cast<mode_t>(opts.mode), file)) {
    if (err == ENOENT)
      throw Error(Errc::not_found, what + ": directory " + loc.directory + " does not exist", err);
    throw_system(what + ": cannot create a file in " + loc.directory, err);
  }
  seg->fd_ = file.fd;

  if (int err = platform::try_lock_shared(seg->fd_)) throw_system(what + ": cannot lock", err);
  // Exactly the mode asked for, whatever the umask says (the file was made
  // with it, so this is needed only when the umask took bits away).
  struct stat st;
  if (int err = platform::file_status(seg->fd_, st)) throw_system(what + ": cannot stat", err);
  if ((st.st_mode & 07777) != opts.mode)
    if (int err = platform::set_mode(seg->fd_, static_cast<mode_t>(opts.mode)))
      throw_system(what + ": cannot set mode", err);
  // Bind the lifetime to this very file, known before it has a name: a
  // copy of it (another inode) is never treated as this array.
  trailer.dev = static_cast<std::uint64_t>(st.st_dev);
  trailer.ino = static_cast<std::uint64_t>(st.st_ino);

  // On hugetlbfs the data starts on a huge page boundary (so that
  // numpy.load(mmap_mode=...) can map it there), and the file, which has no
  // write(), is written through the mapping.
  const std::size_t huge = platform::huge_page_size(seg->fd_, st);
  if (huge) {
    // (Pages larger than 2 MiB would make a header longer than numpy or
    // npshm read: those keep the usual alignment.)
    header = format_header(layout, huge <= (std::size_t{2} << 20) ? huge : kDataAlign);
    total = created_file_size(header.size(), layout.nbytes);
    seg->map_block_ = huge;
  }
  seg->data_offset_ = header.size();
  format_trailer(trailer, header.size(), layout.nbytes, trailer_bytes);

  // Never fill the file system, not even for a moment (space.hpp).
  check_space(seg->fd_, st.st_uid, unallocated_bytes(st, huge ? round_up(total, huge) : total), what,
              loc.directory);
  auto no_space = [&](int err, const char *doing) {
    if (err == ENOSPC || err == EDQUOT || err == EFBIG)
      throw_system(what + ": no space left in " + loc.directory + " for " + human_bytes(total), err,
                   Errc::no_space);
    throw_system(what + ": cannot " + doing, err);
  };
  if (huge) {
    seg->write_through_mapping(header, trailer_bytes, opts, source, what, no_space);
  } else {
    seg->write_before_mapping(header, trailer_bytes, opts, source, what, no_space);
    if (int err = platform::map_file(seg->fd_, total, true, seg->map_))
      throw_system(what + ": cannot map " + human_bytes(total), err);
    seg->map_size_ = total;
  }

  if (opts.populate) seg->populate(what, true);
  FileHeader written;
  written.header.data_offset = seg->data_offset_;
  written.header.layout = layout;
  written.has_trailer = true;
  written.trailer = trailer;
  struct stat now = st;  // as set above
  now.st_mode = (st.st_mode & ~static_cast<mode_t>(07777)) | static_cast<mode_t>(opts.mode);
  seg->note_file(written, now);

  if (int err = platform::publish_new_file(file, loc.basename, false)) {
    if (err == EEXIST) throw Error(Errc::exists, exists_message(what, cli_name(loc)), err);
    throw_system(what + ": cannot publish the array", err);
  }
  seg->file_ = open_files::adopt(seg->fd_, st, true);
  seg->enroll_for_exit();
  return seg;
}

std::unique_ptr<Segment> Segment::create_from(const Location &loc, const Layout &layout, const void *data,
                                              std::size_t nbytes, const Options &opts) {
  const std::string what = "create " + loc.name;
  if (!data && nbytes > 0) throw Error(Errc::invalid, what + ": the data is NULL");
  if (nbytes != layout.nbytes)
    throw Error(Errc::invalid, what + ": " + std::to_string(nbytes) + " bytes of data given, the array has " +
                                     std::to_string(layout.nbytes));
  if (!opts.fill.empty()) throw Error(Errc::invalid, what + ": a fill makes no sense for an array made from data");
  DataSource source;
  source.memory = data ? data : "";
  return create(loc, layout, opts, &source);
}

std::unique_ptr<Segment> Segment::load(const std::string &npy_path, const Location &loc,
                                       const Options &opts) {
  NpyFile source = open_npy(npy_path, "load " + npy_path + " into " + loc.name);
  if (!opts.fill.empty()) throw Error(Errc::invalid, "load " + loc.name + ": a fill makes no sense for a loaded array");
  DataSource data{source.fd, source.header.data_offset};
  return create(loc, source.header.layout, opts, &data);
}

std::unique_ptr<Segment> Segment::create_or_attach(const Location &loc, const Layout &layout,
                                                   const Options &opts) {
  if (!opts.exist_ok) return create(loc, layout, opts);
  const std::string what = "create " + loc.name;
  // An equal array, told from its header before it is locked or mapped (so
  // a refused one is never held, and no lifetime applies to it).
  auto equal = [&](const FileHeader &file_header) {
    const Layout &found = file_header.header.layout;
    std::string mismatch = layout_mismatch(found, &layout.dtype.descr, &layout.shape);
    if (mismatch.empty() && found.fortran_order != layout.fortran_order && layout.shape.size() > 1)
      mismatch = std::string("order is ") + (layout.fortran_order ? "C" : "F") + ", expected " +
                 (layout.fortran_order ? "F" : "C");
    if (!mismatch.empty())
      throw Error(Errc::mismatch, what + ": an array of that name exists and differs: " + mismatch);
  };
  Options rw = opts;
  rw.readonly = false;
  for (int attempt = 0;; ++attempt) {
    try {
      return attach(loc, rw, &opts.mode, equal);
    } catch (const Error &e) {
      if (e.code() != Errc::not_found || attempt == kReopenAttempts) throw;
    }
    try {
      return create(loc, layout, opts);
    } catch (const Error &e) {
      if (e.code() != Errc::exists) throw;
    }
  }
}

// Header, data and trailer go in with pwrite, before the file is mapped:
// a page first touched through a fresh mapping costs a fault here and a
// TLB shootdown at munmap, a pwrite costs neither.
void Segment::write_before_mapping(const std::string &header, const unsigned char *trailer_bytes,
                                   const Options &opts, const DataSource *source, const std::string &what,
                                   const NoSpace &no_space) {
  const Layout &layout = layout_;
  const std::uint64_t total = created_file_size(header.size(), layout.nbytes);
  if (source) {
    // A taken name would only be found at publish time: fail before copying.
    if (platform::name_taken(loc_.path))
      throw Error(Errc::exists, exists_message(what, cli_name(loc_)), EEXIST);
    // Reserve the whole file first: a load larger than the free space fails
    // here, before filling the shm file system page by page (which would
    // make other programs' unreserved mappings die of SIGBUS meanwhile).
    if (int err = platform::reserve(fd_, total)) no_space(err, "reserve memory");
    if (int err = pwrite_all(fd_, header.data(), header.size(), 0)) no_space(err, "write the header");
    // Written page by page: every page is allocated (or ENOSPC) by the end.
    for (std::uint64_t done = 0;;) {
      report_progress(opts, done, layout.nbytes, what);
      if (done == layout.nbytes) break;
      const std::uint64_t n = std::min(kProgressStep, layout.nbytes - done);
      const std::uint64_t at = header.size() + done;
      if (int err = source->memory
                        ? pwrite_all(fd_, static_cast<const char *>(source->memory) + done,
                                     static_cast<std::size_t>(n), at)
                        : platform::copy_range(source->fd, source->offset + done, fd_, at, n))
        no_space(err, "copy the data");
      done += n;
    }
  } else if (total <= kOneWriteBytes) {
    // A small file in one write, which also allocates every page.
    std::string bytes = header;
    bytes.resize(static_cast<std::size_t>(total), '\0');
    if (!opts.fill.empty() && layout.nbytes > 0) fill_items(&bytes[header.size()], layout.nbytes, opts.fill);
    std::memcpy(&bytes[header.size() + layout.nbytes], trailer_bytes, kTrailerSize);
    if (int err = pwrite_all(fd_, bytes.data(), bytes.size(), 0)) no_space(err, "write the array");
  } else {
    // Reserve every page, then write only what is not zeros.
    if (int err = platform::reserve(fd_, total)) no_space(err, "reserve memory");
    if (int err = pwrite_all(fd_, header.data(), header.size(), 0)) no_space(err, "write the header");
    if (!opts.fill.empty() && layout.nbytes > 0)
      if (int err = write_fill(fd_, header.size(), layout.nbytes, opts.fill)) no_space(err, "write the fill");
  }
  if (source || total > kOneWriteBytes)
    if (int err = pwrite_all(fd_, trailer_bytes, kTrailerSize, header.size() + layout.nbytes))
      no_space(err, "write the trailer");
}

// The same for hugetlbfs, which has no write(): reserve, map, then write
// through the mapping (huge pages are quick to fault in).
void Segment::write_through_mapping(const std::string &header, const unsigned char *trailer_bytes,
                                    const Options &opts, const DataSource *source,
                                    const std::string &what, const NoSpace &no_space) {
  const Layout &layout = layout_;
  const std::uint64_t total = created_file_size(header.size(), layout.nbytes);
  if (source && platform::name_taken(loc_.path))
    throw Error(Errc::exists, exists_message(what, cli_name(loc_)), EEXIST);
  // The file is whole huge pages long: a writable mapping would make it so
  // anyway (hugetlbfs extends the file to the mapped length).
  const std::uint64_t size = round_up(total, map_block_);
  if (int err = platform::reserve(fd_, size)) no_space(err, "reserve memory");
  if (int err = platform::map_file(fd_, size, true, map_)) throw_system(what + ": cannot map " + human_bytes(size), err);
  map_size_ = size;
  auto *bytes = static_cast<char *>(map_);
  std::memcpy(bytes, header.data(), header.size());
  char *data = bytes + header.size();
  if (source) {
    for (std::uint64_t done = 0;;) {
      report_progress(opts, done, layout.nbytes, what);
      if (done == layout.nbytes) break;
      const std::uint64_t n = std::min(kProgressStep, layout.nbytes - done);
      if (source->memory) {
        std::memcpy(data + done, static_cast<const char *>(source->memory) + done, static_cast<std::size_t>(n));
      } else if (int err = pread_all(source->fd, data + done, static_cast<std::size_t>(n), source->offset + done)) {
        throw_system(what + ": cannot read the data", err);
      }
      done += n;
    }
  } else if (!opts.fill.empty() && layout.nbytes > 0) {
    fill_items(data, layout.nbytes, opts.fill);
  }
  std::memcpy(data + layout.nbytes, trailer_bytes, kTrailerSize);
}

std::unique_ptr<Segment> Segment::attach(const Location &loc, const Options &opts,
                                         const unsigned *exist_ok_mode, const HeaderCheck &check) {
  const std::string what = (exist_ok_mode ? "create " : "attach ") + loc.name;
  std::unique_ptr<Segment> seg(new Segment());
  seg->loc_ = loc;
  seg->readonly_ = opts.readonly;

  for (int attempt = 0;; ++attempt) {
    // A read-only handle still opens read-write when it may, so that it can
    // take the exclusive lock a LAST-lifetime close needs; it maps read-only.
    // Another user may have put anything at the path: no link is followed,
    // no FIFO or lease makes us wait, and nothing but a regular file is used.
    ArrayFile opened;
    const int err = open_array_file(
        loc.path, opts.readonly ? ArrayFileAccess::read_write_else_read_only : ArrayFileAccess::read_write, what,
        opened, [&](const ArrayFile &f) { check_owner(f.st, opts, exist_ok_mode, what); });
    if (err == platform::kNotRegular)
      throw Error(Errc::format, what + ": refusing " + platform::file_kind(opened.st.st_mode) +
                                      " (only regular files are arrays; links are never followed)");
    if (err != 0) {
      if (err == ENOENT) throw Error(Errc::not_found, what + ": no such array", err);
      if (err == EACCES || err == EPERM)
        throw_system(permission_denied_message(
                         what, !opts.readonly,
                         ::faccessat(AT_FDCWD, loc.path.c_str(), R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0),
                     err);
      if (err == EWOULDBLOCK)
        throw_system(what + ": another process holds a lease on the file (not waiting for it)", err,
                     Errc::busy);
      throw_system(what + ": cannot open", err);
    }
    int fd = seg->fd_ = opened.fd;
    struct stat st = opened.st;
    const bool writable = opened.writable;

    // Headers never change once published: checked before locking.
    const auto size = static_cast<std::uint64_t>(st.st_size);
    FileHeader &file_header = opened.header;
    ParsedHeader &header = file_header.header;
    const std::string why = layout_mismatch(header.layout, opts.expected_dtype ? &*opts.expected_dtype : nullptr,
                          opts.expected_shape ? &*opts.expected_shape : nullptr);
    if (!why.empty()) throw Error(Errc::mismatch, what + ": " + why);
    if (check) check(file_header);
    // A writable handle reserves the pages the file does not have yet (a
    // sparse .npy, as numpy's open_memmap makes), so that a write through
    // it never dies of SIGBUS later; refused here if they do not fit.
    if (!opts.readonly) seg->reserve_unallocated(st, what);
    // One description and one lock per file in this process, however many
    // handles: join this process's other handles of the file, if any.
    seg->file_ = open_files::share(fd, st, writable,
                                   [&](int f) { lock_shared_waiting(f, what); });
    fd = seg->fd_ = seg->file_->fd;
    seg->map_block_ = platform::huge_page_size(fd, st);  // hugetlbfs maps whole huge pages
    if (int err = platform::map_file(fd, static_cast<std::size_t>(round_up(size, seg->map_block_)), !opts.readonly,
                                     seg->map_))
      throw_system(what + ": cannot map", err);
    seg->map_size_ = static_cast<std::size_t>(size);
    seg->layout_ = std::move(header.layout);
    seg->data_offset_ = header.data_offset;
    // The trailer's lifetime counts only for the file it was created for
    // in the shm directory: a copy, or any file:// name, is persistent.
    seg->lifetime_ = effective_lifetime(file_header, st.st_dev, st.st_ino, loc.is_shm);
    seg->id_ = file_header.has_trailer ? file_header.trailer.id : 0;
    seg->note_file(file_header, st);
    if (opts.populate) seg->populate(what, !opts.readonly);
    if (seg->lifetime_ == Lifetime::persistent) break;
    // A LAST close or gc may have unlinked the name between our open and our
    // lock (they unlink holding the lock exclusively); then look again, a
    // new array may have that name.  Persistent arrays are never removed
    // that way, so they skip this.
    seg->pid_ = ::getpid();
    if (int err = platform::file_status(fd, st)) throw_system(what + ": cannot stat", err);
    if (st.st_nlink > 0) break;
    seg->release();
    if (attempt == kReopenAttempts)
      throw Error(Errc::not_found, what + ": the array was removed while attaching", ENOENT);
  }
  seg->enroll_for_exit();
  return seg;
}

void Segment::reserve_unallocated(const struct stat &st, const std::string &what) {
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t need = unallocated_bytes(st, size);
  if (need == 0) return;  // the usual case: every page is there
  check_space(fd_, st.st_uid, need, what, loc_.directory);
  const int err = platform::reserve_existing(fd_, size);
  if (err == 0 || err == EOPNOTSUPP) return;  // EOPNOTSUPP: the file system cannot (see platform.hpp)
  if (err == ENOSPC || err == EDQUOT || err == EFBIG)
    throw_system(what + ": no space left in " + loc_.directory + " for the " + human_bytes(need) +
                     " the file does not have yet",
                 err, Errc::no_space);
  throw_system(what + ": cannot reserve the file's memory", err);
}

void Segment::note_file(const FileHeader &fh, const struct stat &st) {
  has_trailer_ = fh.has_trailer;
  sync_offset_ = npshm::sync_offset(fh, map_size_);
  others_may_resize_ = !(st.st_uid == ::geteuid() || st.st_uid == 0) || (st.st_mode & 022) != 0;
}

void Segment::check_owner(const struct stat &st, const Options &opts, const unsigned *exist_ok_mode,
                          const std::string &what) {
  const uid_t me = ::geteuid();
  const bool trusted_owner = st.st_uid == me || st.st_uid == 0;
  if (exist_ok_mode) {
    // Anti-squatting: another user may have created the name first, to
    // receive the data we are about to write.
    if (!trusted_owner)
      throw Error(Errc::permission, what + ": the name exists and belongs to another user (uid " +
                                          std::to_string(st.st_uid) +
                                          "): refusing to use it (exist_ok reuses only your own or root's arrays)");
    const mode_t wider = st.st_mode & 022 & ~static_cast<mode_t>(*exist_ok_mode);
    if (wider) {
      char modes[64];
      std::snprintf(modes, sizeof modes, "mode %04o, the create asked for %04o", st.st_mode & 07777,
                    *exist_ok_mode);
      throw Error(Errc::permission, what + ": the name exists and is writable by " +
                                          ((wider & 020) ? ((wider & 002) ? "group and others" : "group") : "others") +
                                          " (" + modes + "): refusing to use it");
    }
    return;
  }
  if (!trusted_owner && !opts.allow_other_owner)
    throw Error(Errc::permission,
                what + ": the file belongs to another user (uid " + std::to_string(st.st_uid) +
                    "), who could truncate it and make every process mapping it die of SIGBUS; "
                    "refused unless allowed (npshm_options_set_allow_other_owner, allow_other_owner=True)");
}

void Segment::check_size(const std::string &what) const {
  struct stat st;
  if (int err = platform::file_status(fd_, st)) throw_system(what + ": cannot stat", err);
  if (static_cast<std::uint64_t>(st.st_size) != map_size_)
    throw Error(Errc::format, what + ": the file changed size under the mapping (" + std::to_string(st.st_size) +
                                    " bytes, mapped " + std::to_string(map_size_) +
                                    "): someone with write access truncated or extended it; its data can "
                                    "no longer be read safely");
}

void Segment::validate(const std::string *descr, const std::vector<std::int64_t> *shape) const {
  const std::string why = layout_mismatch(layout_, descr, shape);
  if (!why.empty()) throw Error(Errc::mismatch, "validate " + loc_.name + ": " + why);
}

void Segment::save(const std::string &path, const Options &opts) const {
  const std::string what = "save " + loc_.name + " to " + path;
  check_size(what);
  save_npy(layout_, data(), path, what, opts, fd_, data_offset_, file_mode(fd_));
}

void Segment::sync(int flags) const {
  const std::string what = "msync " + loc_.name;
  check_size(what);
  if (flags & ~(kMsAsync | kMsSync | kMsInvalidate)) throw Error(Errc::invalid, what + ": unknown flags");
  if ((flags & kMsAsync) && (flags & kMsSync))
    throw Error(Errc::invalid, what + ": NPSHM_MS_ASYNC and NPSHM_MS_SYNC exclude each other");
  if (int err = platform::sync_mapping(map_, map_size_, (flags & kMsAsync) != 0,
                                      (flags & kMsInvalidate) != 0))
    throw_system(what, err);
}

void Segment::lock_memory() const {
  if (int err = platform::lock_mapping(map_, map_size_))
    throw_system("mlock " + loc_.name +
                     (err == ENOMEM || err == EPERM ? ": over the locked-memory limit (ulimit -l)" : ""),
                 err, err == EPERM ? Errc::no_memory : code_from_errno(err));
}

void Segment::unlock_memory() const {
  if (int err = platform::unlock_mapping(map_, map_size_)) throw_system("munlock " + loc_.name, err);
}

void Segment::unlink() {
  const std::string what = "unlink " + loc_.name;
  if (readonly_) throw Error(Errc::readonly, what + ": the handle is read-only (attached only to read)");
  const int err = platform::unlink_if_same(fd_, loc_.path, kRemoverWaitMs);
  if (err == ESTALE) throw Error(Errc::not_found, what + ": the name no longer refers to this array", ENOENT);
  if (err == EWOULDBLOCK) throw Error(Errc::busy, what + ": another process is removing it", err);
  if (err) throw_system(what, err);
}

void Segment::enroll_for_exit() {
  if (lifetime_ == Lifetime::persistent || (lifetime_ == Lifetime::owner && !creator_)) return;
  exit_hook::enroll(this, file_, loc_.path, lifetime_, creator_);
  enrolled_ = true;
}

bool Segment::withdraw_from_exit() noexcept {
  if (!enrolled_) return false;
  enrolled_ = false;
  return exit_hook::withdraw(this);
}

void Segment::close() {
  bool remove = false;
  // The exit hook may have applied the policy already (a close from another
  // exit handler, a finalizer, or a thread still running at exit).
  const bool applied_at_exit = withdraw_from_exit();
  // Other handles of this process sharing the file hold it as well.
  const bool last_here = leave_file();
  // A handle inherited through fork() shares its open file description, and
  // so its lock, with the parent: only the process that opened it decides.
  if (lifetime_ == Lifetime::persistent || pid_ != ::getpid() || applied_at_exit) {
    // nothing to decide
  } else if (lifetime_ == Lifetime::owner && creator_) {
    remove = true;
  } else if (lifetime_ == Lifetime::last && last_here) {
    // Holding the lock exclusively proves no other live handle exists, and
    // keeps attachers out until the name is gone (they then see nlink 0).
    // Two handles closing at once each see the other's shared lock: so if
    // the upgrade fails, drop ours and try once more; of two such closers
    // at least one then succeeds.  (A handle opened read-only, without
    // write permission, cannot lock exclusively and leaves it to others
    // or to gc.)
    int err = platform::try_lock_exclusive(fd_);
    if (err == EAGAIN) {
      platform::unlock(fd_);
      err = platform::try_lock_exclusive(fd_);
    }
    remove = err == 0;
  }
  std::string failure;
  int failure_errno = 0;
  try {
    check_size("close " + loc_.name);
  } catch (const Error &e) {
    failure = e.what();
  }
  // Only if the name still refers to this very file (see unlink_if_same):
  // never a newer array that took the name meanwhile.
  if (remove) {
    // LAST: a flock on the file (another program's holder, which the OFD
    // lock does not see) keeps the remover lock from us: then someone still
    // holds it, and it is left to them or to gc, without waiting.  (No npshm
    // remover can be at work meanwhile but npshm_remove, which removes it.)
    const bool last = lifetime_ == Lifetime::last;
    const int err = platform::unlink_if_same(fd_, loc_.path, last ? 0 : kRemoverWaitMs);
    if (err != 0 && err != ESTALE && !(last && err == EWOULDBLOCK) && failure.empty()) {
      failure = "close " + loc_.name + ": cannot unlink (" + std::strerror(err) + ")";
      failure_errno = err;
    }
  }
  release();
  if (!failure.empty())
    throw Error(failure_errno ? code_from_errno(failure_errno) : Errc::format, failure, failure_errno);
}

void Segment::populate(const std::string &what, bool writable) {
  const auto len = static_cast<std::size_t>(round_up(map_size_, map_block_));
  if (int err = platform::populate(map_, len, writable, fd_))
    throw_system(what + ": cannot populate the mapping", err, err == ENOMEM ? Errc::no_memory : code_from_errno(err));
}

std::size_t Segment::page_size() const {
  return platform::backing_page_size(file_ ? file_->dev : 0, map_block_);
}

bool Segment::leave_file() noexcept {
  if (!file_ || left_) return true;
  left_ = true;
  return open_files::leave(*file_);
}

void Segment::release() noexcept {
  withdraw_from_exit();
  if (map_) platform::unmap_file(map_, static_cast<std::size_t>(round_up(map_size_, map_block_)));
  map_ = nullptr;
  if (file_) {
    leave_file();
    file_.reset();  // closes the descriptor if no other handle uses it
  } else if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = -1;
  left_ = false;
}

Segment::~Segment() { release(); }

}  // namespace npshm
