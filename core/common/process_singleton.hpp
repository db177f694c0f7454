// A process-wide object made on first use and never destroyed, whose mutex
// a fork() never leaves locked: the shape of the core's registries
// (open_files.cpp, exit_hook.cpp).
#pragma once

#include <pthread.h>

namespace npshm {

// The one T of this process.  Leaked on purpose: handles may be closed by
// static destructors and other exit handlers that run after it would
// otherwise be gone.  T has a member `mutex` (a std::mutex): fork() while
// another thread holds it must not leave the child with a mutex nobody will
// unlock, so the fork takes it and both sides release it.
template <class T>
T &process_singleton() {
  static T *made = [] {
    auto *t = new T;
    ::pthread_atfork([] { process_singleton<T>().mutex.lock(); }, [] { process_singleton<T>().mutex.unlock(); },
                     [] { process_singleton<T>().mutex.unlock(); });
    return t;
  }();
  return *made;
}

}  // namespace npshm
