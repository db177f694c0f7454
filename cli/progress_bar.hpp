// A progress bar for long copies, drawn on stderr only when stderr is a
// terminal and the copy is large; otherwise it prints nothing at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace npshm_cli {

// Copies smaller than this never show a bar.
constexpr std::uint64_t kProgressThreshold = std::uint64_t{64} << 20;  // 64 MiB

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total);
  ~ProgressBar();
  ProgressBar(const ProgressBar &) = delete;
  ProgressBar &operator=(const ProgressBar &) = delete;

  bool enabled() const { return enabled_; }
  // Redraws at most ten times a second.
  void update(std::uint64_t done);
  // Draws 100% and ends the line (or, if not complete, just ends it).
  void finish();

 private:
  void draw(std::uint64_t done);

  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::uint64_t last_done_ = 0;
};

}  // namespace npshm_cli
