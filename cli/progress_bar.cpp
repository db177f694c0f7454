#include "progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

#include "human_units.hpp"

namespace npshm_cli {

namespace {
constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
}  // namespace

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  const auto now = std::chrono::steady_clock::now();
  if (!started_) {
    started_ = true;
    total_ = total;
    enabled_ = total >= kProgressThreshold && ::isatty(STDERR_FILENO) == 1;
    start_ = now;
  } else if (done != total_ && now - last_draw_ < kRedrawInterval) {
    return;
  }
  if (!enabled_ || finished_) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  std::fputs("\n", stderr);
  finished_ = true;
}

void ProgressBar::draw(std::uint64_t done) {
  const double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kBarWidth - filled), '.');
  std::fprintf(stderr, "\r%s [%s] %3d%%  %s / %s  %s\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), human_bytes(done).c_str(),
               human_bytes(total_).c_str(),
               human_rate(seconds > 0 ? static_cast<double>(done) / seconds : 0).c_str());
  std::fflush(stderr);
}

}  // namespace npshm_cli
