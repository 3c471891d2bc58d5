// bench_accel_ops: simulated MACs per host second of the accelerator core (numerics + timing +
// energy, as the SystemC wrapper will call them) against the same math done by Eigen alone, in
// the same run. Layers: FC batch 64, 784 -> 300; CONV batch 16, 6 -> 16 channels, 5x5 on 12x12.
// Usage: bench_accel_ops [seconds per measurement, default 1; split into 5 interleaved rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "accel/core/energy.h"
#include "accel/core/ops.h"
#include "accel/core/timing.h"

using namespace stvp::accel;

namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapM = Eigen::Map<Mat>;
using CMapM = Eigen::Map<const Mat>;

std::vector<float> random_vec(size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

constexpr int kRounds = 5;

// Host seconds per call of fn, repeated for at least `seconds`.
double time_per_call(const std::function<void()>& fn, double seconds) {
    using clk = std::chrono::steady_clock;
    fn();  // warm up
    int64_t calls = 0;
    const auto t0 = clk::now();
    double el = 0;
    do {
        fn();
        ++calls;
        el = std::chrono::duration<double>(clk::now() - t0).count();
    } while (el < seconds);
    return el / static_cast<double>(calls);
}

// ---- the native baseline: the same math with Eigen and plain loops, nothing else ----
void native_im2col(const Conv2dShape& s, const float* x, float* cols) {
    const int C = s.in_channels, H = s.in_h, W = s.in_w, R = s.kernel_h, S = s.kernel_w;
    const int P = s.out_h(), Q = s.out_w();
    for (int c = 0; c < C; ++c)
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < S; ++t)
                for (int p = 0; p < P; ++p)
                    for (int q = 0; q < Q; ++q) {
                        const int h = p * s.stride_h + r - s.pad_h, w = q * s.stride_w + t - s.pad_w;
                        cols[(((c * R + r) * S + t) * P + p) * Q + q] =
                            (h >= 0 && h < H && w >= 0 && w < W) ? x[(c * H + h) * W + w] : 0.0f;
                    }
}

void native_col2im(const Conv2dShape& s, const float* cols, float* x) {
    const int C = s.in_channels, H = s.in_h, W = s.in_w, R = s.kernel_h, S = s.kernel_w;
    const int P = s.out_h(), Q = s.out_w();
    for (int c = 0; c < C; ++c)
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < S; ++t)
                for (int p = 0; p < P; ++p)
                    for (int q = 0; q < Q; ++q) {
                        const int h = p * s.stride_h + r - s.pad_h, w = q * s.stride_w + t - s.pad_w;
                        if (h >= 0 && h < H && w >= 0 && w < W)
                            x[(c * H + h) * W + w] += cols[(((c * R + r) * S + t) * P + p) * Q + q];
                    }
}

struct Row {
    std::string name;
    double macs;
    double sim_s, native_s;
    OpCost cost;
    double energy_pj;
};

}  // namespace

int main(int argc, char** argv) {
    const double secs = argc > 1 ? std::atof(argv[1]) : 1.0;
    std::mt19937 rng(1);
    ArrayConfig cfg;
    TimingModel timing(cfg);
    EnergyAccountant energy;
    std::vector<Row> rows;

    // ---- FC ----
    const FcShape fc{64, 784, 300};
    auto x = random_vec(fc.x_elements(), rng), w = random_vec(fc.w_elements(), rng), b = random_vec(300, rng);
    auto y = std::vector<float>(fc.y_elements()), dy = random_vec(fc.y_elements(), rng);
    auto dx = std::vector<float>(fc.x_elements()), dw = std::vector<float>(fc.w_elements()), db = std::vector<float>(300);
    const int64_t N = fc.batch, C = fc.in_features, K = fc.out_features;
    const NestOptions fwd_opt{true, true, false}, ig_opt{false, false, true}, wg_opt{true, false, false};

    // First call of each op: maps the nest and computes its dense cost (then cached).
    using clk = std::chrono::steady_clock;
    auto t0 = clk::now();
    TimingModel cold(cfg);
    cold.fc(fc, Phase::Forward, fwd_opt);
    cold.fc(fc, Phase::InputGrad, ig_opt);
    cold.fc(fc, Phase::WeightGrad, wg_opt);
    const double fc_cold = std::chrono::duration<double>(clk::now() - t0).count();

    auto sim_fc_fwd = [&] {
        fc_forward(fc, x.data(), w.data(), b.data(), y.data(), true);
        energy.add("fc.forward", timing.fc(fc, Phase::Forward, fwd_opt).counts);
    };
    auto nat_fc_fwd = [&] {
        MapM Y(y.data(), N, K);
        Y.noalias() = CMapM(x.data(), N, C) * CMapM(w.data(), K, C).transpose();
        for (int64_t n = 0; n < N; ++n)
            for (int64_t k = 0; k < K; ++k) Y(n, k) = std::max(Y(n, k) + b[k], 0.0f);
    };
    auto sim_fc_ig = [&] {
        fc_input_grad(fc, dy.data(), w.data(), x.data(), dx.data());
        energy.add("fc.input_grad", timing.fc(fc, Phase::InputGrad, ig_opt).counts);
    };
    auto nat_fc_ig = [&] {
        MapM(dx.data(), N, C).noalias() = CMapM(dy.data(), N, K) * CMapM(w.data(), K, C);
        for (int64_t i = 0; i < N * C; ++i) dx[i] = x[i] > 0 ? dx[i] : 0.0f;
    };
    auto sim_fc_wg = [&] {
        fc_weight_grad(fc, dy.data(), x.data(), dw.data(), db.data());
        energy.add("fc.weight_grad", timing.fc(fc, Phase::WeightGrad, wg_opt).counts);
    };
    auto nat_fc_wg = [&] {
        MapM(dw.data(), K, C).noalias() = CMapM(dy.data(), N, K).transpose() * CMapM(x.data(), N, C);
        Eigen::Map<Eigen::RowVectorXf>(db.data(), K) = CMapM(dy.data(), N, K).colwise().sum();
    };

    // ---- CONV ----
    Conv2dShape cv;
    cv.batch = 16, cv.in_channels = 6, cv.in_h = 12, cv.in_w = 12, cv.out_channels = 16, cv.kernel_h = 5,
    cv.kernel_w = 5;
    auto cx = random_vec(cv.x_elements(), rng), cw = random_vec(cv.w_elements(), rng), cb = random_vec(16, rng);
    auto cy = std::vector<float>(cv.y_elements()), cdy = random_vec(cv.y_elements(), rng);
    auto cdx = std::vector<float>(cv.x_elements()), cdw = std::vector<float>(cv.w_elements()),
         cdb = std::vector<float>(16);
    const int64_t CRS = 6 * 25, PQ = int64_t{cv.out_h()} * cv.out_w(), CHW = 6 * 144, CK = 16;
    std::vector<float> cols(CRS * PQ);

    t0 = clk::now();
    cold.conv2d(cv, Phase::Forward, fwd_opt);
    cold.conv2d(cv, Phase::InputGrad, ig_opt);
    cold.conv2d(cv, Phase::WeightGrad, wg_opt);
    const double cv_cold = std::chrono::duration<double>(clk::now() - t0).count();

    auto sim_cv_fwd = [&] {
        conv2d_forward(cv, cx.data(), cw.data(), cb.data(), cy.data(), true);
        energy.add("conv.forward", timing.conv2d(cv, Phase::Forward, fwd_opt).counts);
    };
    auto nat_cv_fwd = [&] {
        for (int n = 0; n < 16; ++n) {
            native_im2col(cv, cx.data() + n * CHW, cols.data());
            MapM Y(cy.data() + n * CK * PQ, CK, PQ);
            Y.noalias() = CMapM(cw.data(), CK, CRS) * CMapM(cols.data(), CRS, PQ);
            for (int k = 0; k < CK; ++k)
                for (int i = 0; i < PQ; ++i) Y(k, i) = std::max(Y(k, i) + cb[k], 0.0f);
        }
    };
    auto sim_cv_ig = [&] {
        conv2d_input_grad(cv, cdy.data(), cw.data(), cx.data(), cdx.data());
        energy.add("conv.input_grad", timing.conv2d(cv, Phase::InputGrad, ig_opt).counts);
    };
    auto nat_cv_ig = [&] {
        std::fill(cdx.begin(), cdx.end(), 0.0f);
        for (int n = 0; n < 16; ++n) {
            MapM(cols.data(), CRS, PQ).noalias() =
                CMapM(cw.data(), CK, CRS).transpose() * CMapM(cdy.data() + n * CK * PQ, CK, PQ);
            native_col2im(cv, cols.data(), cdx.data() + n * CHW);
        }
        for (size_t i = 0; i < cdx.size(); ++i) cdx[i] = cx[i] > 0 ? cdx[i] : 0.0f;
    };
    auto sim_cv_wg = [&] {
        conv2d_weight_grad(cv, cdy.data(), cx.data(), cdw.data(), cdb.data());
        energy.add("conv.weight_grad", timing.conv2d(cv, Phase::WeightGrad, wg_opt).counts);
    };
    auto nat_cv_wg = [&] {
        MapM dW(cdw.data(), CK, CRS);
        dW.setZero();
        for (int n = 0; n < 16; ++n) {
            native_im2col(cv, cx.data() + n * CHW, cols.data());
            dW.noalias() += CMapM(cdy.data() + n * CK * PQ, CK, PQ) * CMapM(cols.data(), CRS, PQ).transpose();
        }
        for (int k = 0; k < CK; ++k) {
            float acc = 0;
            for (int n = 0; n < 16; ++n)
                for (int i = 0; i < PQ; ++i) acc += cdy[(n * CK + k) * PQ + i];
            cdb[k] = acc;
        }
    };

    // The per-step path a sparse scheme takes (a PeWorkSource asked for every step of every
    // tile; never cached): measured with the dense source on the same nests.
    const DensePeWork dense_work;
    auto stepwise = [&](std::vector<OpShape> nests) {
        std::vector<Mapping> maps;
        for (const OpShape& n : nests) maps.push_back(timing.mapping(n));
        return [=, &cfg, &dense_work] {
            for (size_t i = 0; i < nests.size(); ++i) nest_cost(cfg, nests[i], maps[i], &dense_work);
        };
    };

    struct Case {
        const char* name;
        double macs;
        std::function<void()> sim, nat;
        std::function<OpCost()> cost;
        std::function<void()> steps;
    };
    const Case cases[] = {
        {"fc.forward", double(fc.macs()), sim_fc_fwd, nat_fc_fwd, [&] { return timing.fc(fc, Phase::Forward, fwd_opt); },
         stepwise({fc_nest(fc, Phase::Forward, fwd_opt)})},
        {"fc.input_grad", double(fc.macs()), sim_fc_ig, nat_fc_ig, [&] { return timing.fc(fc, Phase::InputGrad, ig_opt); },
         stepwise({fc_nest(fc, Phase::InputGrad, ig_opt)})},
        {"fc.weight_grad", double(fc.macs()), sim_fc_wg, nat_fc_wg, [&] { return timing.fc(fc, Phase::WeightGrad, wg_opt); },
         stepwise({fc_nest(fc, Phase::WeightGrad, wg_opt)})},
        {"conv.forward", double(cv.macs()), sim_cv_fwd, nat_cv_fwd, [&] { return timing.conv2d(cv, Phase::Forward, fwd_opt); },
         stepwise(conv_nests(cv, Phase::Forward, fwd_opt))},
        {"conv.input_grad", double(cv.macs()), sim_cv_ig, nat_cv_ig, [&] { return timing.conv2d(cv, Phase::InputGrad, ig_opt); },
         stepwise(conv_nests(cv, Phase::InputGrad, ig_opt))},
        {"conv.weight_grad", double(cv.macs()), sim_cv_wg, nat_cv_wg, [&] { return timing.conv2d(cv, Phase::WeightGrad, wg_opt); },
         stepwise(conv_nests(cv, Phase::WeightGrad, wg_opt))},
    };

    std::printf("bench_accel_ops: %gs per measurement; array %ux%u, %u MAC/PE, %.0f MHz, dataflow %s\n", secs, cfg.rows,
                cfg.cols, cfg.macs_per_pe, cfg.clock_hz / 1e6, to_string(cfg.dataflow));
    std::printf("%-17s %10s %14s %14s %7s %11s %11s %9s %10s\n", "op", "MACs", "sim MAC/s", "native MAC/s", "ratio",
                "ratio/step", "sim cycles", "PE util", "energy uJ");
    double sim_total = 0, nat_total = 0, step_total = 0, macs_total = 0;
    for (const Case& c : cases) {
        // Interleaved rounds, best of each: robust against other processes on a shared host.
        double ts = 1e30, tn = 1e30, tw = 1e30;
        for (int round = 0; round < kRounds; ++round) {
            ts = std::min(ts, time_per_call(c.sim, secs / kRounds));
            tn = std::min(tn, time_per_call(c.nat, secs / kRounds));
            tw = std::min(tw, time_per_call(c.steps, secs / kRounds));
        }
        const OpCost cost = c.cost();
        const double util = double(cost.macs) / (double(cost.cycles) * cfg.pes() * cfg.macs_per_pe);
        const double uj = energy_of(cost.counts, energy.table()).total_pj() * 1e-6;
        std::printf("%-17s %10.0f %14.3e %14.3e %6.2fx %10.2fx %11llu %8.1f%% %10.2f\n", c.name, c.macs, c.macs / ts,
                    c.macs / tn, ts / tn, (ts + tw) / tn, static_cast<unsigned long long>(cost.cycles), 100 * util, uj);
        sim_total += ts, nat_total += tn, step_total += tw, macs_total += c.macs;
    }
    std::printf("%-17s %10.0f %14.3e %14.3e %6.2fx %10.2fx\n", "all", macs_total, macs_total / sim_total,
                macs_total / nat_total, sim_total / nat_total, (sim_total + step_total) / nat_total);
    std::printf("ratio = (core numerics + cached dense timing + energy) / native math; ratio/step adds an uncached\n"
                "per-step walk with a PeWorkSource (the path of sparse schemes) on top of it.\n");
    std::printf("first call (mapping search + dense cost, then cached): fc 3 phases %.3f ms, conv 3 phases %.3f ms\n",
                fc_cold * 1e3, cv_cold * 1e3);
    return 0;
}
