// A plain-text table with aligned columns, for terminals and for awk.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace npshm_cli {

class Table {
 public:
  enum class Align { Left, Right };
  struct Column {
    std::string title;
    Align align;
  };

  explicit Table(std::vector<Column> columns);

  // A row of cells, shown through printable().  A row with fewer cells than
  // columns ends in a free-width cell (for example an error message) that
  // does not widen its column.
  void add_row(std::vector<std::string> cells);

  // The header line (if header) then the rows; columns separated by two
  // spaces, no trailing spaces.
  void render(std::ostream &out, bool header = true) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace npshm_cli
