// Host-native check that the CPU references of ref_ops.c compute what the accelerator's own
// numerics (models/accel/core/ops.h) compute, on the shapes the sw/ programs use. Not part of
// the cross build (like sw/bench/bench_host.c): the host build makes it (tests/unit/host) and
// CTest runs it as host.accel_ref_check (`ctest --test-dir build -R host.`).
// Prints one line per op with the error relative to the tensor's scale; exit 0 iff all are
// below 1e-5 (measured: at most 3.1e-7).
#include <cmath>
#include <cstdio>
#include <vector>

#include "accel/core/ops.h"
extern "C" {
#include "ref_ops.h"
}

using namespace stvp::accel;

static int failures;

static void report(const char* what, float err) {
    const bool ok = err < 1e-5f;
    std::printf("%s %-16s %.3g\n", ok ? "ok  " : "FAIL", what, err);
    failures += !ok;
}

static float err(const std::vector<float>& a, const std::vector<float>& b) {
    return ref_max_error(a.data(), b.data(), static_cast<uint32_t>(a.size()));
}

int main() {
    ref_seed(42);
    {
        const uint32_t N = 8, C = 16, K = 12;
        std::vector<float> x(N * C), w(K * C), b(K), dy(N * K), y1(N * K), y2(N * K), dx1(N * C), dx2(N * C),
            dw1(K * C), dw2(K * C), db1(K), db2(K);
        ref_fill(x.data(), N * C, -1, 1);
        ref_fill(w.data(), K * C, -1, 1);
        ref_fill(b.data(), K, -1, 1);
        ref_fill(dy.data(), N * K, -1, 1);
        const FcShape s{N, C, K};
        fc_forward(s, x.data(), w.data(), b.data(), y1.data(), true);
        ref_fc_fwd(N, C, K, x.data(), w.data(), b.data(), y2.data(), 1);
        report("fc fwd", err(y2, y1));
        fc_input_grad(s, dy.data(), w.data(), x.data(), dx1.data());
        ref_fc_bwd_data(N, C, K, dy.data(), w.data(), x.data(), dx2.data());
        report("fc bwd data", err(dx2, dx1));
        fc_weight_grad(s, dy.data(), x.data(), dw1.data(), db1.data());
        ref_fc_bwd_weight(N, C, K, dy.data(), x.data(), dw2.data(), db2.data());
        report("fc bwd weight", err(dw2, dw1));
        report("fc bwd bias", err(db2, db1));
    }
    for (uint32_t stride : {1u, 2u}) {
        const stvp_accel_conv_shape_t cs{2, 3, 8, 8, 4, 3, 3, stride, stride, 1, 1};
        const Conv2dShape s{2, 3, 8, 8, 4, 3, 3, stride, stride, 1, 1};
        const size_t nx = 2 * 3 * 64, nw = 4 * 3 * 9, ny = 2 * 4 * stvp_accel_conv_out_h(&cs) * stvp_accel_conv_out_w(&cs);
        std::vector<float> x(nx), w(nw), b(4), dy(ny), y1(ny), y2(ny), dx1(nx), dx2(nx), dw1(nw), dw2(nw), db1(4), db2(4);
        ref_fill(x.data(), nx, -1, 1);
        ref_fill(w.data(), nw, -1, 1);
        ref_fill(b.data(), 4, -1, 1);
        ref_fill(dy.data(), ny, -1, 1);
        conv2d_forward(s, x.data(), w.data(), b.data(), y1.data(), true);
        ref_conv_fwd(&cs, x.data(), w.data(), b.data(), y2.data(), 1);
        report(stride == 1 ? "conv fwd s1" : "conv fwd s2", err(y2, y1));
        conv2d_input_grad(s, dy.data(), w.data(), x.data(), dx1.data());
        ref_conv_bwd_data(&cs, dy.data(), w.data(), x.data(), dx2.data());
        report(stride == 1 ? "conv bwd data s1" : "conv bwd data s2", err(dx2, dx1));
        conv2d_weight_grad(s, dy.data(), x.data(), dw1.data(), db1.data());
        ref_conv_bwd_weight(&cs, dy.data(), x.data(), dw2.data(), db2.data());
        report(stride == 1 ? "conv bwd w s1" : "conv bwd w s2", err(dw2, dw1));
        report(stride == 1 ? "conv bwd b s1" : "conv bwd b s2", err(db2, db1));
    }
    for (uint32_t k : {2u, 3u}) {
        const stvp_accel_pool_shape_t ps{2, 4, 8, 8, k, k, 2, 2};
        const Pool2dShape s{2, 4, 8, 8, k, k, 2, 2};
        const size_t nx = 2 * 4 * 64, ny = 2 * 4 * stvp_accel_pool_out_h(&ps) * stvp_accel_pool_out_w(&ps);
        std::vector<float> x(nx), dy(ny), y1(ny), y2(ny), dx1(nx), dx2(nx);
        ref_fill(x.data(), nx, -1, 1);
        ref_fill(dy.data(), ny, -1, 1);
        maxpool2d_forward(s, x.data(), y1.data());
        ref_maxpool_fwd(&ps, x.data(), y2.data());
        report(k == 2 ? "pool fwd 2x2" : "pool fwd 3x3", err(y2, y1));
        maxpool2d_backward(s, x.data(), dy.data(), dx1.data(), true);
        ref_maxpool_bwd(&ps, x.data(), dy.data(), dx2.data(), 1);
        report(k == 2 ? "pool bwd 2x2" : "pool bwd 3x3", err(dx2, dx1));
    }
    {
        std::vector<float> logits(80), d1(80), d2(80);
        int32_t labels[8];
        ref_fill(logits.data(), 80, -3, 3);
        for (int32_t& l : labels) l = static_cast<int32_t>(ref_rand() % 10);
        XentResult r1;
        stvp_accel_xent_result r2;
        softmax_xent(SoftmaxXentShape{8, 10}, logits.data(), labels, d1.data(), &r1);
        ref_softmax_xent(8, 10, logits.data(), labels, d2.data(), &r2);
        report("xent dlogits", err(d2, d1));
        report("xent loss", std::fabs(r1.loss - r2.loss) / r1.loss);
        report("xent correct", r1.correct == r2.correct ? 0.0f : 1.0f);
    }
    {
        std::vector<float> w1(200), w2, g(200);
        ref_fill(w1.data(), 200, -1, 1);
        w2 = w1;
        ref_fill(g.data(), 200, -1, 1);
        sgd_update(SgdShape{200}, w1.data(), g.data(), 0.1f, 1e-3f);
        ref_sgd(200, w2.data(), g.data(), 0.1f, 1e-3f);
        report("sgd", err(w2, w1));
    }
    return failures ? 1 : 0;
}
