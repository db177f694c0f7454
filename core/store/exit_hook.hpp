// Lifetimes at normal process exit: the one place that applies them.
//
// Every handle with a lifetime policy (OWNER created here, or LAST) is
// enrolled while open.  When the process exits normally (exit(), a return
// from main, an interpreter's or R's normal shutdown, which ends in exit()),
// a hook registered with atexit applies the policies of every handle still
// open, whatever still references it (a daemon thread, a global, a cycle
// nobody collected):
//   OWNER  the creating handle's array is unlinked;
//   LAST   this process drops its holder locks on the file, and unlinks it if
//          no other live process holds it (the exclusive lock decides, as in
//          close).
// Only unlinks and unlocks: nothing is unmapped, so code still running after
// the hook (other exit handlers, finalizers, other threads) reads and writes
// its views as before.  A handle closed later does not apply its policy again.
//
// Only the process that opened a handle applies its policy: a forked child
// exiting normally leaves its parent's arrays alone (entries remember their
// process).  Nothing runs at _exit(), on a signal, or at SIGKILL: gc removes
// what such processes left.
//
// Thread safety: one mutex guards the entries; the hook holds it while it
// works, so a close in another thread either withdraws its handle before
// the hook (and applies the policy itself) or finds the policy applied.
//
// dlclose: a hook registered by a shared library would run when the library
// is unloaded, while the process goes on.  The first enrolment pins the
// library (never unloaded: RTLD_NODELETE), so the hook runs at exit only.
#pragma once

#include <memory>
#include <string>

#include "common/lifetimes.hpp"

namespace npshm {

struct OpenFile;

namespace exit_hook {

// A handle (key: any address unique to it while enrolled) with a lifetime
// policy: the file it holds, its path, lifetime, and whether it created
// the array.  Installs the hook on first use.  Never throws.
void enroll(const void *handle, const std::shared_ptr<OpenFile> &file, const std::string &path, Lifetime lifetime,
            bool creator) noexcept;

// The handle is being closed or released: withdraw it.  Returns true if the
// hook has already applied its policy (the caller must not apply it again).
bool withdraw(const void *handle) noexcept;

}  // namespace exit_hook
}  // namespace npshm
