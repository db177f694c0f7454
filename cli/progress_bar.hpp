// A progress bar for long copies -- done, total, rate and the time left
// (ETA, from the average rate so far) -- drawn on stderr only when stderr is
// a terminal and the copy is large; otherwise it prints nothing at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace npshm_cli {

// Copies smaller than this never show a bar.
constexpr std::uint64_t kProgressThreshold = std::uint64_t{64} << 20;  // 64 MiB

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  ProgressBar(const ProgressBar &) = delete;
  ProgressBar &operator=(const ProgressBar &) = delete;

  // done of total bytes.  The first call decides whether the bar is shown
  // (from total) and draws it at once (the time left still unknown: "ETA
  // --:--"); the first call with done > 0 draws the first estimate; later
  // ones redraw at most ten times a second, and always at 100% ("done in").
  void update(std::uint64_t done, std::uint64_t total);
  // Ends the bar's line, if one was drawn.
  void finish();

 private:
  void draw(std::uint64_t done);

  std::string label_;
  std::uint64_t total_ = 0;
  bool started_ = false;
  bool enabled_ = false;
  bool finished_ = false;
  bool measured_ = false;  // drawn once with done > 0
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace npshm_cli
