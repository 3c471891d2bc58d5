/* The benchmark's work (bench_core.h). Integer only: stvp's CPU has no FPU. */
#include "bench_core.h"

#include <string.h>

#define SORT_N 32
#define LIST_N 256
#define COPY_WORDS 256
#define MAT_N 8

static uint32_t rng_state;

/* xorshift32 (Marsaglia 2003): cheap, deterministic, full period over nonzero states. */
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static uint32_t rotl(uint32_t x, unsigned r)
{
    return (x << r) | (x >> ((32 - r) & 31));
}

struct node {
    struct node *next;
    uint32_t value;
};

static struct node list[LIST_N];
static struct node *list_head;
static uint32_t copy_src[COPY_WORDS], copy_dst[COPY_WORDS];
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

void bench_init(void)
{
    rng_state = 0x2545f491u;
    /* a random cyclic order of the nodes (Fisher-Yates over an index array) */
    uint16_t order[LIST_N];
    for (unsigned i = 0; i < LIST_N; ++i)
        order[i] = (uint16_t)i;
    for (unsigned i = LIST_N - 1; i > 0; --i) {
        unsigned j = rng() % (i + 1);
        uint16_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (unsigned i = 0; i < LIST_N; ++i) {
        list[order[i]].next = &list[order[(i + 1) % LIST_N]];
        list[order[i]].value = rng();
    }
    list_head = &list[order[0]];
    for (unsigned i = 0; i < COPY_WORDS; ++i)
        copy_src[i] = rng();
    for (unsigned i = 0; i < MAT_N; ++i)
        for (unsigned j = 0; j < MAT_N; ++j) {
            mat_a[i][j] = (int32_t)(rng() % 201) - 100;
            mat_b[i][j] = (int32_t)(rng() % 201) - 100;
        }
}

static uint32_t integer_part(uint32_t round)
{
    uint32_t acc = round;
    for (uint32_t i = 0; i < 48; ++i) {
        uint32_t x = rng();
        acc += x * 2654435761u;          /* Knuth's multiplicative hash */
        acc ^= x / (i + 3);              /* unsigned division */
        acc += (uint32_t)((int32_t)x % (int32_t)(i * 7 + 5)); /* signed remainder */
        acc = rotl(acc, 5) ^ (uint32_t)(((uint64_t)x * acc) >> 32); /* mulhu */
    }
    return acc;
}

static uint32_t branchy_part(void)
{
    int32_t a[SORT_N];
    for (unsigned i = 0; i < SORT_N; ++i)
        a[i] = (int32_t)rng();
    /* insertion sort: data-dependent branches */
    for (unsigned i = 1; i < SORT_N; ++i) {
        int32_t v = a[i];
        int j = (int)i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            --j;
        }
        a[j + 1] = v;
    }
    /* a state machine over the nibbles of the sorted values: counts runs of rising nibbles,
       resets on a zero nibble, remembers the longest run */
    enum { IDLE, RISING, FALLING } state = IDLE;
    uint32_t run = 0, best = 0, events = 0, last = 0;
    for (unsigned i = 0; i < SORT_N; ++i) {
        uint32_t w = (uint32_t)a[i];
        for (unsigned k = 0; k < 8; ++k, w >>= 4) {
            uint32_t n = w & 15;
            switch (state) {
            case IDLE:
                if (n != 0) {
                    state = RISING;
                    run = 1;
                }
                break;
            case RISING:
                if (n == 0) {
                    state = IDLE;
                    ++events;
                } else if (n >= last) {
                    if (++run > best)
                        best = run;
                } else {
                    state = FALLING;
                }
                break;
            case FALLING:
                if (n > last) {
                    state = RISING;
                    run = 1;
                    ++events;
                } else if (n == 0) {
                    state = IDLE;
                }
                break;
            }
            last = n;
        }
    }
    return (uint32_t)a[0] ^ rotl((uint32_t)a[SORT_N - 1], 7) ^ (best << 16) ^ events ^ (uint32_t)state;
}

static uint32_t memory_part(uint32_t round)
{
    /* copy with a rotation that changes each round, then fold */
    unsigned shift = round % COPY_WORDS;
    memcpy(copy_dst, copy_src + shift, (COPY_WORDS - shift) * sizeof copy_src[0]);
    memcpy(copy_dst + (COPY_WORDS - shift), copy_src, shift * sizeof copy_src[0]);
    uint32_t sum = 0;
    for (unsigned i = 0; i < COPY_WORDS; i += 4)
        sum += copy_dst[i] ^ (copy_dst[i + 1] >> 3) ^ (copy_dst[i + 2] << 2) ^ copy_dst[i + 3];
    copy_src[round % COPY_WORDS] ^= sum;

    /* pointer chasing over a random cycle */
    const struct node *p = list_head;
    uint32_t chase = 0;
    for (unsigned i = 0; i < LIST_N / 2; ++i) {
        chase = rotl(chase, 3) + p->value;
        p = p->next;
    }
    list_head = list_head->next;

    /* 8x8 integer matrix product, with an update so rounds differ */
    uint32_t trace = 0;
    for (unsigned i = 0; i < MAT_N; ++i)
        for (unsigned j = 0; j < MAT_N; ++j) {
            int32_t s = 0;
            for (unsigned k = 0; k < MAT_N; ++k)
                s += mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = s;
        }
    for (unsigned i = 0; i < MAT_N; ++i)
        trace += (uint32_t)mat_c[i][i];
    mat_a[round % MAT_N][(round / MAT_N) % MAT_N] = (int32_t)(trace % 199) - 99;
    return sum ^ rotl(chase, 11) ^ rotl(trace, 22);
}

uint32_t bench_round(uint32_t round)
{
    uint32_t h = integer_part(round);
    h = rotl(h, 9) ^ branchy_part();
    h = rotl(h, 9) ^ memory_part(round);
    return h;
}

uint32_t bench_run(uint32_t rounds)
{
    bench_init();
    uint32_t checksum = 0x811c9dc5u;
    for (uint32_t r = 0; r < rounds; ++r)
        checksum = (checksum ^ bench_round(r)) * 16777619u; /* FNV-1a style fold */
    return checksum;
}
