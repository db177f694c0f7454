#include "table.hpp"

#include <algorithm>

#include "text_escape.hpp"

namespace npshm_cli {

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(std::min(cells.size(), columns_.size()));
  for (std::string &cell : cells) cell = printable(cell);
  rows_.push_back(std::move(cells));
}

void Table::render(std::ostream &out, bool header) const {
  std::vector<std::size_t> widths;
  for (const Column &column : columns_) widths.push_back(display_width(column.title));
  for (const auto &row : rows_) {
    const bool full = row.size() == columns_.size();
    for (std::size_t i = 0; i < row.size(); ++i)
      if (full || i + 1 < row.size()) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto emit = [&](const std::vector<std::string> &cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool last = i + 1 == cells.size();
      const std::size_t width = display_width(cells[i]);
      const std::size_t pad = widths[i] > width ? widths[i] - width : 0;
      if (i) line += "  ";
      if (columns_[i].align == Align::Right && !(last && cells.size() < columns_.size())) {
        line.append(pad, ' ');
        line += cells[i];
      } else {
        line += cells[i];
        if (!last) line.append(pad, ' ');
      }
    }
    out << line << '\n';
  };
  std::vector<std::string> titles;
  for (const Column &column : columns_) titles.push_back(column.title);
  if (header) emit(titles);
  for (const auto &row : rows_) emit(row);
}

}  // namespace npshm_cli
