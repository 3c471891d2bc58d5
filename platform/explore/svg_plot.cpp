#include "svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace stvp::explore {

namespace {

constexpr double kW = 800, kH = 480, kL = 80, kR = 180, kT = 50, kB = 70;  // canvas and margins
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else o += c;
    }
    return o;
}
std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", v);
    return b;
}
std::string text(double x, double y, const std::string& s, const char* anchor = "middle", int size = 14,
                  const char* extra = "") {
    char b[256];
    std::snprintf(b, sizeof b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" %s>", x, y, size, anchor,
                  extra);
    return std::string(b) + esc(s) + "</text>\n";
}
std::string line(double x1, double y1, double x2, double y2, const char* color, double w = 1, const char* dash = "") {
    char b[256];
    std::snprintf(b, sizeof b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>\n", x1,
                  y1, x2, y2, color, w, dash);
    return b;
}
// A "nice" step for about n ticks over [0, hi].
double tick_step(double span, int n) {
    const double raw = span / n, mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag) return m * mag;
    return 10 * mag;
}
std::string frame(const std::string& title, const std::string& xlabel, const std::string& ylabel) {
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"480\" font-family=\"sans-serif\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += text(kW / 2, 28, title, "middle", 17, "font-weight=\"bold\"");
    s += text((kL + kW - kR) / 2, kH - 18, xlabel);
    char b[128];
    std::snprintf(b, sizeof b, "transform=\"rotate(-90 %.1f %.1f)\"", 22.0, (kT + kH - kB) / 2);
    s += text(22, (kT + kH - kB) / 2, ylabel, "middle", 14, b);
    return s;
}
// Y axis with grid from 0 (or lo) to hi; returns the mapping's top value.
double y_axis(std::string& s, double lo, double hi) {
    const double step = tick_step(hi - lo, 6);
    const double top = std::ceil(hi / step) * step, bottom = std::floor(lo / step) * step;
    for (double v = bottom; v <= top + step * 1e-9; v += step) {
        const double y = kH - kB - (v - bottom) / (top - bottom) * (kH - kT - kB);
        s += line(kL, y, kW - kR, y, "#dddddd");
        s += text(kL - 8, y + 5, num(v), "end", 13);
    }
    s += line(kL, kT, kL, kH - kB, "black");
    s += line(kL, kH - kB, kW - kR, kH - kB, "black");
    return top;
}

}  // namespace

std::string svg_lines(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                      const std::vector<Series>& series, const std::vector<std::pair<double, std::string>>& hlines) {
    double x0 = std::numeric_limits<double>::max(), x1 = -x0, y1 = 0, y0 = 0;
    for (const Series& se : series)
        for (auto [x, y] : se.points) x0 = std::min(x0, x), x1 = std::max(x1, x), y1 = std::max(y1, y);
    for (auto& h : hlines) y1 = std::max(y1, h.first);
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= 0) y1 = 1;
    std::string s = frame(title, xlabel, ylabel);
    const double top = y_axis(s, y0, y1 * 1.05);
    auto px = [&](double x) { return kL + 10 + (x - x0) / (x1 - x0) * (kW - kR - kL - 20); };
    auto py = [&](double y) { return kH - kB - (y - y0) / (top - y0) * (kH - kT - kB); };
    // X ticks at the data's x values.
    std::vector<double> xs;
    for (const Series& se : series)
        for (auto [x, y] : se.points) xs.push_back(x);
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    for (double x : xs) s += text(px(x), kH - kB + 20, num(x), "middle", 13);
    for (size_t h = 0; h < hlines.size(); ++h) {
        s += line(kL, py(hlines[h].first), kW - kR, py(hlines[h].first), "#555555", 1.5, " stroke-dasharray=\"6 4\"");
        s += text(kW - kR - 4, py(hlines[h].first) - 5, hlines[h].second, "end", 12);
    }
    for (size_t i = 0; i < series.size(); ++i) {
        const char* c = kColors[i % 8];
        auto pts = series[i].points;
        std::sort(pts.begin(), pts.end());
        std::string path;
        for (auto [x, y] : pts) {
            char b[64];
            std::snprintf(b, sizeof b, "%.1f,%.1f ", px(x), py(y));
            path += b;
            char d[160];
            std::snprintf(d, sizeof d, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", px(x), py(y), c);
            s += d;
        }
        s += std::string("<polyline fill=\"none\" stroke-width=\"2.5\" stroke=\"") + c + "\" points=\"" + path + "\"/>\n";
        const double ly = kT + 20 + 24 * double(i);
        s += line(kW - kR + 15, ly - 5, kW - kR + 40, ly - 5, c, 3);
        s += text(kW - kR + 46, ly, series[i].name, "start", 13);
    }
    return s + "</svg>\n";
}

std::string svg_stacked_bars(const std::string& title, const std::string& ylabel, const std::vector<std::string>& labels,
                             const std::vector<std::string>& components, const std::vector<std::vector<double>>& values) {
    double hi = 0;
    for (const auto& v : values) {
        double t = 0;
        for (double x : v) t += x;
        hi = std::max(hi, t);
    }
    if (hi <= 0) hi = 1;
    std::string s = frame(title, "", ylabel);
    const double top = y_axis(s, 0, hi * 1.05);
    const double slot = (kW - kR - kL) / double(std::max<size_t>(1, labels.size())), bw = slot * 0.6;
    for (size_t i = 0; i < labels.size(); ++i) {
        const double x = kL + slot * (double(i) + 0.2);
        double acc = 0;
        for (size_t j = 0; j < components.size() && j < values[i].size(); ++j) {
            const double h = values[i][j] / top * (kH - kT - kB);
            const double y = kH - kB - acc / top * (kH - kT - kB) - h;
            char b[200];
            std::snprintf(b, sizeof b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x, y,
                          bw, h, kColors[j % 8]);
            s += b;
            acc += values[i][j];
        }
        // Labels rotated so that long ones stay readable.
        char tr[128];
        std::snprintf(tr, sizeof tr, "transform=\"rotate(-20 %.1f %.1f)\"", x + bw / 2, kH - kB + 16);
        s += text(x + bw / 2, kH - kB + 16, labels[i], "end", 12, tr);
    }
    for (size_t j = 0; j < components.size(); ++j) {
        const double ly = kT + 20 + 24 * double(j);
        char b[200];
        std::snprintf(b, sizeof b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"12\" fill=\"%s\"/>\n", kW - kR + 15,
                      ly - 11, kColors[j % 8]);
        s += b;
        s += text(kW - kR + 38, ly, components[j], "start", 13);
    }
    return s + "</svg>\n";
}

}  // namespace stvp::explore
