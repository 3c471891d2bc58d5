// Small SVG charts written without a plotting package (gnuplot is not installed on the build
// machines): line charts of series, bar charts and stacked bars, readable at 800x480.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace stvp::explore {

struct Series {
    std::string name;
    std::vector<std::pair<double, double>> points;  // (x, y), drawn in x order
};

std::string svg_lines(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                      const std::vector<Series>& series, const std::vector<std::pair<double, std::string>>& hlines = {});
// One bar per label; stacked: values[i][j] = component j of bar i.
std::string svg_stacked_bars(const std::string& title, const std::string& ylabel, const std::vector<std::string>& labels,
                             const std::vector<std::string>& components, const std::vector<std::vector<double>>& values);

}  // namespace stvp::explore
