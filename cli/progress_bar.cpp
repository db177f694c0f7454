#include "progress_bar.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "human_units.hpp"

namespace npshm_cli {

namespace {
constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

// "0:07", "12:34", "1:02:03" (rounded up to whole seconds).
std::string clock_text(double seconds) {
  long total = static_cast<long>(std::ceil(seconds < 0 ? 0 : seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

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
  } else if (done != total_ && measured_ && now - last_draw_ < kRedrawInterval) {
    return;
  }
  if (!enabled_ || finished_) return;
  // The first report with data done gives the first rate, hence the first
  // estimate of the time left: always drawn.
  if (done > 0) measured_ = true;
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
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kBarWidth - filled), '.');
  std::string eta = "ETA --:--";
  if (done >= total_)
    eta = "done in " + clock_text(seconds);
  else if (rate > 0)
    eta = "ETA " + clock_text(static_cast<double>(total_ - done) / rate);
  std::fprintf(stderr, "\r%s [%s] %3d%%  %s / %s  %s  %s\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), human_bytes(done).c_str(),
               human_bytes(total_).c_str(), human_rate(rate).c_str(), eta.c_str());
  std::fflush(stderr);
}

}  // namespace npshm_cli
