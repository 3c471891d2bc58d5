/*
 * dma_test: the system DMA engine through the driver (stvp/dma.h): a 1-D copy (aligned and
 * byte-unaligned), a 2-D strided gather and scatter, a chain of three descriptors with a
 * per-descriptor interrupt, the completion interrupt with the hart asleep in WFI, the polling
 * fallback, errors (unmapped destination and source, a failure in the middle of a copy, bad
 * descriptor fields, a bad DESC_HEAD) decoded with code, descriptor and address, a START while
 * busy ignored and counted, and recovery. Every copy is checked byte for byte by the CPU,
 * including guard bytes around the destination. One PASS/FAIL line per check; exit 0 if all
 * passed, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "stvp/bsp.h"
#include "stvp/dma.h"

#define GUARD 64 /* bytes checked untouched on each side of a destination */
#define GUARD_BYTE 0xA5

static unsigned checks, failures;

static void check(int ok, const char *what)
{
    ++checks;
    failures += !ok;
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
}

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void)
{
    /* xorshift32 (Marsaglia 2003): deterministic data without a library. */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static void fill_random(uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        p[i] = (uint8_t)rng();
}

static int all_bytes(const uint8_t *p, unsigned n, uint8_t v)
{
    for (unsigned i = 0; i < n; ++i)
        if (p[i] != v)
            return 0;
    return 1;
}

#define BIG 65536u
static uint8_t src_buf[BIG];
/* Destination with GUARD bytes before and after any use of up to BIG bytes. */
static uint8_t dst_area[GUARD + BIG + GUARD];
static uint8_t *const dst_buf = dst_area + GUARD;

static stvp_dma_desc descs[4];

static void clear_dst(void)
{
    memset(dst_area, GUARD_BYTE, sizeof dst_area);
}

static int guards_intact(unsigned used)
{
    return all_bytes(dst_area, GUARD, GUARD_BYTE) && all_bytes(dst_buf + used, GUARD, GUARD_BYTE);
}

static void print_result(const char *what, const stvp_dma_result_t *r)
{
    char line[160];
    stvp_dma_format_error(r, line, sizeof line);
    printf("     %s: %s\n", what, line);
}

static void test_copy_1d(void)
{
    stvp_dma_result_t r;
    fill_random(src_buf, 4096);
    clear_dst();
    unsigned irqs = stvp_dma_irq_count();
    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 4096);
    uint64_t t0 = stvp_sim_time_ns();
    int rc = stvp_dma_run(&descs[0], &r);
    uint64_t t1 = stvp_sim_time_ns();
    print_result("1-D 4096 bytes", &r);
    printf("     1-D 4096 bytes: %llu ns\n", (unsigned long long)(t1 - t0));
    check(rc == STVP_DMA_ERR_NONE && r.status == DMA_STATUS_DONE_MASK, "1-D: chain done, no error");
    check(r.bytes_copied == 4096 && r.descs_done == 1, "1-D: BYTES_COPIED 4096, DESCS_DONE 1");
    check(memcmp(dst_buf, src_buf, 4096) == 0, "1-D: destination equals source");
    check(guards_intact(4096), "1-D: guard bytes around the destination untouched");
    check(stvp_dma_irq_count() == irqs + 1, "1-D: one completion interrupt");
    check(t1 > t0, "1-D: the copy took simulated time");

    /* Byte granularity: odd length, source and destination at different misalignments. */
    clear_dst();
    stvp_dma_desc_1d(&descs[0], (uintptr_t)(dst_buf + 5), (uintptr_t)(src_buf + 3), 1001);
    rc = stvp_dma_run(&descs[0], &r);
    check(rc == 0 && r.bytes_copied == 1001, "1-D unaligned: 1001 bytes from +3 to +5 done");
    check(memcmp(dst_buf + 5, src_buf + 3, 1001) == 0 && all_bytes(dst_buf, 5, GUARD_BYTE) &&
              guards_intact(5 + 1001),
          "1-D unaligned: data equal, neighbours untouched");
}

/* A 32x32-byte matrix; the tile is rows 3..10, columns 7..18. */
#define MAT 32
#define TILE_ROWS 8
#define TILE_COLS 12

static void test_copy_2d(void)
{
    stvp_dma_result_t r;
    fill_random(src_buf, MAT * MAT);
    clear_dst();
    const uint8_t *tile = src_buf + 3 * MAT + 7;
    /* gather: strided source -> packed destination */
    stvp_dma_desc_2d(&descs[0], (uintptr_t)dst_buf, TILE_COLS, (uintptr_t)tile, MAT, TILE_COLS, TILE_ROWS);
    int rc = stvp_dma_run(&descs[0], &r);
    int ok = rc == 0;
    for (unsigned y = 0; y < TILE_ROWS; ++y)
        ok &= memcmp(dst_buf + y * TILE_COLS, tile + y * MAT, TILE_COLS) == 0;
    check(ok && r.bytes_copied == TILE_ROWS * TILE_COLS, "2-D gather: 8x12 tile of a 32x32 matrix packed");
    check(guards_intact(TILE_ROWS * TILE_COLS), "2-D gather: guard bytes untouched");

    /* scatter: packed source -> destination rows 40 bytes apart, gaps untouched */
    clear_dst();
    const unsigned stride = 40;
    stvp_dma_desc_2d(&descs[0], (uintptr_t)dst_buf, stride, (uintptr_t)src_buf, TILE_COLS, TILE_COLS, TILE_ROWS);
    rc = stvp_dma_run(&descs[0], &r);
    ok = rc == 0;
    for (unsigned y = 0; y < TILE_ROWS; ++y) {
        ok &= memcmp(dst_buf + y * stride, src_buf + y * TILE_COLS, TILE_COLS) == 0;
        if (y + 1 < TILE_ROWS)
            ok &= all_bytes(dst_buf + y * stride + TILE_COLS, stride - TILE_COLS, GUARD_BYTE);
    }
    check(ok, "2-D scatter: rows 40 bytes apart, gaps between rows untouched");
    check(guards_intact((TILE_ROWS - 1) * stride + TILE_COLS), "2-D scatter: guard bytes untouched");

    /* src_stride 0: one row broadcast into every destination row */
    clear_dst();
    stvp_dma_desc_2d(&descs[0], (uintptr_t)dst_buf, 16, (uintptr_t)src_buf, 0, 16, 4);
    rc = stvp_dma_run(&descs[0], &r);
    ok = rc == 0;
    for (unsigned y = 0; y < 4; ++y)
        ok &= memcmp(dst_buf + y * 16, src_buf, 16) == 0;
    check(ok && guards_intact(64), "2-D broadcast: src_stride 0 repeats the row");
}

static void test_chain(void)
{
    stvp_dma_result_t r;
    fill_random(src_buf, 2048);
    clear_dst();
    unsigned irqs = stvp_dma_irq_count(), desc_irqs = stvp_dma_desc_irq_count();
    /* [0, 512) <- src[0, 512); a 4x64 block with source stride 128 -> [512, 768);
       [768, 1024) <- src[1536, 1792) */
    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 512);
    stvp_dma_desc_2d(&descs[1], (uintptr_t)(dst_buf + 512), 64, (uintptr_t)(src_buf + 512), 128, 64, 4);
    stvp_dma_desc_irq(&descs[1]);
    stvp_dma_desc_1d(&descs[2], (uintptr_t)(dst_buf + 768), (uintptr_t)(src_buf + 1536), 256);
    stvp_dma_chain(descs, 3);
    check(descs[0].next == (uint32_t)(uintptr_t)&descs[1] && descs[1].next == (uint32_t)(uintptr_t)&descs[2] &&
              descs[2].next == 0,
          "chain: builder links 0 -> 1 -> 2 -> end");
    int rc = stvp_dma_run(descs, &r);
    print_result("chain of 3", &r);
    int ok = memcmp(dst_buf, src_buf, 512) == 0 && memcmp(dst_buf + 768, src_buf + 1536, 256) == 0;
    for (unsigned y = 0; y < 4; ++y)
        ok &= memcmp(dst_buf + 512 + 64 * y, src_buf + 512 + 128 * y, 64) == 0;
    check(rc == 0 && r.descs_done == 3 && r.bytes_copied == 1024, "chain: 3 descriptors, 1024 bytes");
    check(ok && guards_intact(1024), "chain: every piece in place, guards untouched");
    check(stvp_dma_desc_irq_count() == desc_irqs + 1, "chain: the IRQ-flagged descriptor interrupted");
    check(stvp_dma_irq_count() == irqs + 1, "chain: one completion interrupt");
}

static void test_sleep(void)
{
    /* A 64 KiB copy takes the engine thousands of bus accesses; the hart must sleep through
       it in WFI rather than spin, so few instructions retire while simulated time passes.
       Nothing is printed between the start and the end (the UART may be slow). */
    stvp_dma_result_t r;
    fill_random(src_buf, BIG);
    clear_dst();
    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, BIG);
    uint64_t t0 = stvp_sim_time_ns();
    int rc = stvp_dma_start(&descs[0]);
    uint64_t i0 = stvp_read_minstret();
    stvp_dma_wait(&r);
    uint64_t i1 = stvp_read_minstret();
    uint64_t t1 = stvp_sim_time_ns();
    printf("     sleep: 64 KiB in %llu ns, %llu instructions retired while waiting\n",
           (unsigned long long)(t1 - t0), (unsigned long long)(i1 - i0));
    check(rc == 0 && r.err_code == 0 && r.bytes_copied == BIG && memcmp(dst_buf, src_buf, BIG) == 0 &&
              guards_intact(BIG),
          "sleep: 64 KiB copied and checked");
    /* Polling STATUS for that long would retire thousands of instructions; a WFI sleep costs
       the trap entry, the PLIC claim/complete and the handler: a few hundred. */
    check(t1 - t0 > 1000 && i1 - i0 < 1000, "sleep: the wait slept in WFI (> 1 us passed, < 1000 instructions)");
}

static void test_poll(void)
{
    stvp_dma_result_t r;
    fill_random(src_buf, 256);
    clear_dst();
    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 256);
    int rc = stvp_dma_start(&descs[0]);
    uint32_t code = stvp_dma_wait_poll(&r);
    check(rc == 0 && code == 0 && r.status == DMA_STATUS_DONE_MASK && memcmp(dst_buf, src_buf, 256) == 0 &&
              guards_intact(256),
          "poll: fallback wait by polling STATUS");
    check(stvp_read32(STVP_DMA_BASE + DMA_INT_STATUS) == 0, "poll: INT_STATUS acknowledged");
}

static void test_busy(void)
{
    /* Everything is recorded first and printed after the chain ended (the UART may be slow). */
    stvp_dma_result_t r;
    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, BIG);
    uint32_t ignored0 = stvp_dma_cmd_ignored();
    stvp_dma_start(&descs[0]);
    int busy = stvp_dma_busy();
    int refused = stvp_dma_start(&descs[1]) == STVP_DMA_BUSY;
    /* Bypass the driver: the engine itself must ignore and count the command. */
    stvp_write32(STVP_DMA_BASE + DMA_CTRL, DMA_CTRL_START_MASK);
    uint32_t ignored1 = stvp_dma_cmd_ignored();
    int still_busy = stvp_dma_busy();
    stvp_dma_wait(&r);
    check(busy, "busy: STATUS.BUSY right after START");
    check(refused, "busy: driver refuses a second start");
    check(still_busy && ignored1 == ignored0 + 1, "busy: a raw START while busy is counted in CMD_IGNORED");
    check(r.err_code == 0 && r.descs_done == 1 && r.bytes_copied == BIG,
          "busy: the running chain finished undisturbed");
}

/* Runs one descriptor expected to fail; checks code, failing descriptor and ERR_ADDR. */
static void expect_error(const char *what, stvp_dma_desc *d, uint32_t code, uint32_t addr, uint32_t bytes)
{
    stvp_dma_result_t r;
    unsigned irqs = stvp_dma_irq_count();
    int rc = stvp_dma_run(d, &r);
    char line[160], msg[200];
    stvp_dma_format_error(&r, line, sizeof line);
    printf("     %s: %s\n", what, line);
    snprintf(msg, sizeof msg, "error %s: code %lu (%s), ERR_ADDR 0x%08lx, descriptor, %lu bytes", what,
             (unsigned long)code, stvp_dma_strerror(code), (unsigned long)addr, (unsigned long)bytes);
    check(rc == (int)code && r.status == DMA_STATUS_ERROR_MASK && r.err_code == code && r.err_addr == addr &&
              r.err_desc == (uint32_t)(uintptr_t)d && r.bytes_copied == bytes &&
              stvp_dma_irq_count() == irqs + 1,
          msg);
}

#define UNMAPPED 0x40000000u /* a hole in the default memory map */

static void test_errors(void)
{
    fill_random(src_buf, 256);
    clear_dst();

    stvp_dma_desc_1d(&descs[0], UNMAPPED, (uintptr_t)src_buf, 256);
    expect_error("unmapped destination", &descs[0], STVP_DMA_ERR_DST_BUS, UNMAPPED, 0);

    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, UNMAPPED + 0x100, 256);
    expect_error("unmapped source", &descs[0], STVP_DMA_ERR_SRC_BUS, UNMAPPED + 0x100, 0);
    check(guards_intact(0) && all_bytes(dst_buf, 256, GUARD_BYTE), "unmapped source: destination untouched");

    /* Destination running off the end of DRAM: the bursts inside DRAM land, the first one
       past its end fails, and nothing after it is written. Where the failing burst starts
       depends on dma.burst_bytes, so derive it from BYTES_COPIED. */
    {
        const uint32_t end = STVP_DRAM_BASE + STVP_DRAM_SIZE;
        stvp_dma_result_t r;
        stvp_dma_desc_1d(&descs[0], end - 64, (uintptr_t)src_buf, 128);
        uint32_t code = (uint32_t)stvp_dma_run(&descs[0], &r);
        char line[160];
        stvp_dma_format_error(&r, line, sizeof line);
        printf("     past the end of DRAM: %s\n", line);
        check(code == STVP_DMA_ERR_DST_BUS && r.bytes_copied <= 64 && r.err_addr == end - 64 + r.bytes_copied,
              "error past the end of DRAM: stops at the failing burst, ERR_ADDR = its start");
        check(memcmp((const void *)(uintptr_t)(end - 64), src_buf, r.bytes_copied) == 0,
              "error past the end of DRAM: the bursts before it landed");
    }

    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 0);
    expect_error("row_bytes 0", &descs[0], STVP_DMA_ERR_ROW_BYTES,
                 (uint32_t)(uintptr_t)&descs[0] + offsetof(stvp_dma_desc, row_bytes), 0);

    stvp_dma_desc_2d(&descs[0], (uintptr_t)dst_buf, 8, (uintptr_t)src_buf, 16, 16, 4);
    expect_error("dst_stride < row_bytes", &descs[0], STVP_DMA_ERR_DST_STRIDE,
                 (uint32_t)(uintptr_t)&descs[0] + offsetof(stvp_dma_desc, dst_stride), 0);

    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 16);
    descs[0].flags = 0x80;
    expect_error("reserved flag", &descs[0], STVP_DMA_ERR_FLAGS,
                 (uint32_t)(uintptr_t)&descs[0] + offsetof(stvp_dma_desc, flags), 0);

    /* The second descriptor of a chain fails: ERR_DESC names it, the first one's bytes stay. */
    {
        stvp_dma_result_t r;
        clear_dst();
        stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 128);
        stvp_dma_desc_1d(&descs[1], UNMAPPED, (uintptr_t)src_buf, 128);
        stvp_dma_chain(descs, 2);
        uint32_t code = (uint32_t)stvp_dma_run(descs, &r);
        check(code == STVP_DMA_ERR_DST_BUS && r.err_desc == (uint32_t)(uintptr_t)&descs[1] && r.descs_done == 1 &&
                  r.bytes_copied == 128 && memcmp(dst_buf, src_buf, 128) == 0 && guards_intact(128),
              "error in a chain: ERR_DESC names descriptor 1, descriptor 0 completed");
    }

    /* DESC_HEAD not 32-byte aligned: ERR_DESC_ADDR, ERR_ADDR = DESC_HEAD. */
    {
        stvp_dma_result_t r;
        const stvp_dma_desc *bad = (const stvp_dma_desc *)((uintptr_t)&descs[0] + 8);
        uint32_t code = (uint32_t)stvp_dma_run(bad, &r);
        check(code == STVP_DMA_ERR_DESC_ADDR && r.err_addr == (uint32_t)(uintptr_t)bad,
              "error DESC_HEAD misaligned: code 1, ERR_ADDR = DESC_HEAD");
    }

    check(strcmp(stvp_dma_strerror(STVP_DMA_ERR_DST_BUS), "bus error writing the destination") == 0 &&
              strcmp(stvp_dma_strerror(99), "unknown error code") == 0,
          "strerror: names codes, unknown ones too");
}

static void test_recovery(void)
{
    stvp_dma_result_t r;
    fill_random(src_buf, 300);
    clear_dst();
    stvp_dma_desc_1d(&descs[0], (uintptr_t)dst_buf, (uintptr_t)src_buf, 300);
    int rc = stvp_dma_run(&descs[0], &r);
    check(rc == 0 && r.status == DMA_STATUS_DONE_MASK && r.err_code == 0 && memcmp(dst_buf, src_buf, 300) == 0 &&
              guards_intact(300),
          "recovery: a good copy after the errors");
}

int main(void)
{
    stvp_dma_init(1);
    stvp_plic_set_threshold(0);

    test_copy_1d();
    test_copy_2d();
    test_chain();
    test_sleep();
    test_poll();
    test_busy();
    test_errors();
    test_recovery();

    printf("%s dma_test: %u checks, %u failed\n", failures ? "FAIL" : "PASS", checks, failures);
    return failures ? 1 : 0;
}
