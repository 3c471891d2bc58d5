#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (committed under corpus/; re-run after a
format change). Usage: make_seeds.py REPO_ROOT TARGET_BIN_DIR
Seeds come from the shipped configurations, networks, sweeps and programs, plus one valid
descriptor chain per accelerator opcode and the descriptors of every fixed finding."""
import os
import shutil
import struct
import subprocess
import sys

repo, target_bin = sys.argv[1], sys.argv[2]
here = os.path.join(repo, "tests", "fuzz", "corpus")

def out(harness, name, data):
    d = os.path.join(here, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# ---- accelerator descriptors (firmware/include/stvp/hw/accel_desc.h) ----
FIELDS = ["opcode", "flags", "layer", "format", "n", "c", "h", "w", "k", "r", "s", "stride_h", "stride_w",
          "pad_h", "pad_w", "reserved0", "src0", "src1", "src2", "dst0", "dst1", "meta0", "meta1", "alpha",
          "beta", "param0", "param1"]
OP = dict(FC_FWD=1, FC_BWD_DATA=2, FC_BWD_WEIGHT=3, CONV_FWD=4, CONV_BWD_DATA=5, CONV_BWD_WEIGHT=6,
          MAXPOOL_FWD=7, MAXPOOL_BWD=8, SOFTMAX_XENT=9, SGD=10, COPY=11, INIT_WEIGHTS=12, DROPBACK=13,
          NM_PREGEN=14, GRAD_PRUNE=15)
D = 0x80000000

def desc(**kw):
    words = []
    for f in FIELDS:
        v = kw.get(f, 0)
        words.append(struct.pack("<f", v) if f in ("alpha", "beta") else struct.pack("<I", v & 0xFFFFFFFF))
    b = b"".join(words)
    return b + bytes(128 - len(b))

def chain(*descs, dram=b""):
    return bytes([len(descs) - 1]) + b"".join(descs) + dram

ramp = b"".join(struct.pack("<f", ((i * 37) % 23 - 11) / 8.0) for i in range(1024))
labels = b"".join(struct.pack("<i", i % 5) for i in range(16))
fc = dict(n=4, c=8, k=3, src0=D + 0x0, src1=D + 0x1000, src2=D + 0x2000, dst0=D + 0x3000)
conv = dict(n=2, c=3, h=8, w=8, k=4, r=3, s=3, stride_h=1, stride_w=1, pad_h=1, pad_w=1,
            src0=D, src1=D + 0x2000, dst0=D + 0x4000)
seeds = {
    "fc_fwd": chain(desc(opcode=OP["FC_FWD"], flags=3, **fc), dram=ramp),
    "fc_bwd_data": chain(desc(opcode=OP["FC_BWD_DATA"], **dict(fc, src2=0)), dram=ramp),
    "fc_bwd_weight": chain(desc(opcode=OP["FC_BWD_WEIGHT"], flags=2, **dict(fc, src2=0, dst1=D + 0x4000)), dram=ramp),
    "fc_skip_zeros": chain(desc(opcode=OP["FC_FWD"], flags=0x80, **dict(fc, src2=0)), dram=ramp),
    "conv_fwd": chain(desc(opcode=OP["CONV_FWD"], **conv), dram=ramp),
    "conv_bwd_data_stride2": chain(desc(opcode=OP["CONV_BWD_DATA"], **dict(conv, stride_h=2, stride_w=2)), dram=ramp),
    "conv_bwd_weight": chain(desc(opcode=OP["CONV_BWD_WEIGHT"], **conv), dram=ramp),
    "maxpool": chain(desc(opcode=OP["MAXPOOL_FWD"], n=1, c=2, h=8, w=8, r=2, s=2, stride_h=2, stride_w=2,
                          src0=D, dst0=D + 0x1000),
                     desc(opcode=OP["MAXPOOL_BWD"], n=1, c=2, h=8, w=8, r=2, s=2, stride_h=2, stride_w=2,
                          src0=D, src1=D + 0x1000, dst0=D + 0x2000), dram=ramp),
    "xent": chain(desc(opcode=OP["SOFTMAX_XENT"], n=4, k=5, src0=D + 0x100, src1=D, dst0=D + 0x1000,
                       dst1=D + 0x2000), dram=labels + ramp),
    "sgd_copy": chain(desc(opcode=OP["SGD"], n=64, src0=D, dst0=D + 0x1000, alpha=0.1, beta=0.001),
                      desc(opcode=OP["COPY"], n=256, src0=D, dst0=0x12000000), dram=ramp),
    "sparse_modes": chain(
        desc(opcode=OP["INIT_WEIGHTS"], k=8, c=8, r=1, s=1, dst0=D, param0=7),
        desc(opcode=OP["DROPBACK"], flags=0x10 | 0x40, k=8, c=8, r=1, s=1, dst0=D, dst1=D + 0x400,
             meta0=D + 0x1000, alpha=0.9, beta=0.5),
        desc(opcode=OP["FC_FWD"], format=1, n=2, c=8, k=8, src0=D + 0x2000, meta0=D + 0x1000, dst0=D + 0x3000),
        desc(opcode=OP["GRAD_PRUNE"], flags=0x40, n=64, dst0=D + 0x3000, dst1=D + 0x400, alpha=0.5, param0=3),
        dram=ramp),
    "nm": chain(
        desc(opcode=OP["NM_PREGEN"], k=8, c=8, r=1, s=1, src0=D, meta0=D + 0x1000, meta1=D + 0x2000, param0=2, param1=4),
        desc(opcode=OP["FC_FWD"], format=2, n=2, c=8, k=8, src0=D + 0x3000, meta0=D + 0x1000, dst0=D + 0x4000,
             param0=2, param1=4),
        desc(opcode=OP["FC_BWD_DATA"], format=2, n=2, c=8, k=8, src0=D + 0x3000, meta0=D + 0x2000, dst0=D + 0x5000,
             param0=2, param1=4), dram=ramp),
    # The findings of issue 13, now refused or bounded:
    "finding_nm_pregen_2_64": chain(desc(opcode=OP["NM_PREGEN"], k=1 << 16, c=1 << 16, r=1 << 16, s=1 << 16,
                                         src0=D, meta0=D + 0x1000, meta1=D + 0x2000, param0=2, param1=4)),
    "finding_dropback_2_64": chain(desc(opcode=OP["DROPBACK"], k=1 << 31, c=1 << 31, r=2, s=2, dst0=D,
                                        meta0=D + 0x1000, alpha=1, beta=0.5)),
    "finding_init_2_64": chain(desc(opcode=OP["INIT_WEIGHTS"], k=1 << 16, c=1 << 16, r=1 << 16, s=1 << 16, dst0=D)),
    "finding_conv_bwd_data_huge_stride": chain(desc(opcode=OP["CONV_BWD_DATA"], flags=0x80,
                                                    **dict(conv, stride_h=0xdd117b4d, pad_h=0, pad_w=0)), dram=ramp),
}
for name, data in seeds.items():
    out("fuzz_accel_command", name, data)

# ---- the accelerator and DMA devices through their registers (fuzz_devices.cpp's program) ----
ACC = dict(ID=0x00, CTRL=0x40, STATUS=0x44, INT_STATUS=0x48, INT_ENABLE=0x4C, DESC_BASE=0x50, DESC_COUNT=0x54,
           ERR_CODE=0x60, ERR_DESC=0x64, ERR_FIELD=0x68, ERR_VALUE=0x6C, CYCLES_LO=0x80, CYCLES_HI=0x84)
DMA = dict(ID=0x00, CTRL=0x08, STATUS=0x0C, INT_STATUS=0x10, INT_ENABLE=0x14, DESC_HEAD=0x18, ERR_CODE=0x20,
           ERR_ADDR=0x24, BYTES_COPIED=0x2C)
SPAD = 0x12000000

def acc_w(reg, v): return bytes([0, ACC[reg]]) + struct.pack("<I", v & 0xFFFFFFFF)
def acc_r(reg): return bytes([1, ACC[reg]])
def dma_w(reg, v): return bytes([2, DMA[reg]]) + struct.pack("<I", v & 0xFFFFFFFF)
def dma_r(reg): return bytes([3, DMA[reg]])
def put(off, data, spad=False): return bytes([4 | (8 if spad else 0)]) + struct.pack("<HH", off, len(data)) + data
WAIT_IDLE = b"\6"
ACC_REPORT = b"".join(acc_r(r) for r in ["STATUS", "ERR_CODE", "ERR_DESC", "ERR_FIELD", "ERR_VALUE", "CYCLES_LO",
                                          "CYCLES_HI", "INT_STATUS"]) + acc_w("INT_STATUS", 0xF)
DMA_REPORT = b"".join(dma_r(r) for r in ["STATUS", "ERR_CODE", "ERR_ADDR", "BYTES_COPIED", "INT_STATUS"]) + \
    dma_w("INT_STATUS", 0x7)
DESCS = 0xF000  # the descriptors' DRAM offset, above every seed's tensors

def accel_run(chain_input):  # a fuzz_accel_command input as a device program
    count = chain_input[0] + 1
    descs, dram = chain_input[1:1 + 128 * count], chain_input[1 + 128 * count:]
    return (put(0, dram) if dram else b"") + put(DESCS, descs) + acc_w("INT_ENABLE", 0xF) + \
        acc_w("DESC_BASE", D + DESCS) + acc_w("DESC_COUNT", count) + acc_w("CTRL", 1) + WAIT_IDLE + ACC_REPORT

def dma_desc(src, dst, row_bytes, rows=1, src_stride=0, dst_stride=0, nxt=0, flags=0):
    return struct.pack("<8I", src, dst, row_bytes, rows, src_stride, dst_stride, nxt, flags)

def dma_run(head):
    return dma_w("INT_ENABLE", 0x7) + dma_w("DESC_HEAD", head) + dma_w("CTRL", 1) + WAIT_IDLE + DMA_REPORT

for name, data in seeds.items():
    out("fuzz_devices", "accel_" + name, accel_run(data))
out("fuzz_devices", "dma_copy_2d", put(0, ramp[:1024]) + put(0x8000, dma_desc(D, D + 0x2000, 256, 1, nxt=D + 0x8020) +
    dma_desc(D + 0x100, SPAD, 16, 8, 32, 64)) + dma_run(D + 0x8000))
out("fuzz_devices", "dma_bad_dst", put(0x8000, dma_desc(D, 0x10000000, 64)) + dma_run(D + 0x8000))
out("fuzz_devices", "dma_loop", put(0x8000, dma_desc(D, D + 0x100, 4, nxt=D + 0x8000)) + dma_run(D + 0x8000))
# The DMA writes an accelerator chain that the accelerator then runs (both devices on the bus).
out("fuzz_devices", "dma_then_accel", put(0, ramp) + put(0x9000, seeds["fc_fwd"][1:129]) +
    put(0x8000, dma_desc(D + 0x9000, D + DESCS, 128)) + dma_run(D + 0x8000) + acc_w("DESC_BASE", D + DESCS) +
    acc_w("DESC_COUNT", 1) + acc_w("CTRL", 1) + acc_w("CTRL", 1) + acc_w("CTRL", 2) + WAIT_IDLE + ACC_REPORT)
# Every register offset read at every width, and written with all ones; writes while busy.
out("fuzz_devices", "registers", b"".join(bytes([k | (w << 3), off]) for k, n in [(1, 256), (3, 64)]
                                          for w in range(4) for off in range(n)) +
    b"".join(bytes([k, off]) + b"\xff" * 4 for k, n in [(0, 256), (2, 64)] for off in range(0, n, 4)
             if not (k == 0 and off == ACC["CTRL"]) and not (k == 2 and off == DMA["CTRL"])))
out("fuzz_devices", "busy_commands", put(0, ramp) + put(DESCS, seeds["conv_fwd"][1:129]) + acc_w("DESC_BASE", D + DESCS) +
    acc_w("DESC_COUNT", 1) + acc_w("CTRL", 1) + acc_w("DESC_COUNT", 7) + acc_w("CTRL", 3) + b"\5\x10\x00" +
    acc_r("STATUS") + dma_w("CTRL", 3) + WAIT_IDLE + ACC_REPORT + acc_w("CTRL", 2) + ACC_REPORT)

# ---- configuration files ----
for sub in ["", "presets", "train"]:
    d = os.path.join(repo, "configs", sub)
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml"):
            out("fuzz_config", (sub + "_" if sub else "") + f, open(os.path.join(d, f), "rb").read())
out("fuzz_config", "sets.yaml", b"#set cpu.clock_hz=1e9\n#set memory_map.dram.size=0x100000\ncpu:\n  dmi: false\n")
out("fuzz_config", "finding_list_key.yaml", b"cpu:\n  [a, b]: 1\n")

# ---- ELF files: the smallest shipped programs, debug sections stripped (symbols kept) ----
for elf in ["htif.elf", "hello.elf"]:  # saved without .elf (ignored by git)
    tmp = os.path.join(here, "tmp.elf")
    subprocess.run(["riscv64-unknown-elf-strip", "--strip-debug", "-o", tmp, os.path.join(target_bin, elf)], check=True)
    out("fuzz_elf", elf[:-4], open(tmp, "rb").read())
    os.remove(tmp)

# ---- stvp_explore network (byte 0 = 0) and sweep (byte 0 = 1) files ----
for sub, tag in [("networks", b"\0"), ("sweeps", b"\1")]:
    d = os.path.join(repo, "configs", sub)
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml"):
            out("fuzz_explore", sub + "_" + f, tag + open(os.path.join(d, f), "rb").read())

# ---- GDB RSP streams (fuzz_gdb: what gdb sends; the rig's loop is at 0x80000000, its word
# at 0x80001000). The recorded sessions (gdb_session_*, gdb_watch_*, gdb_raw_*) are gdb's
# own bytes, captured with gdb_record.py; these add what gdb rarely sends.
def pkt(data):
    return b"$" + data + b"#" + b"%02x" % (sum(data) & 0xFF)

def rsp(*packets, acks=True):
    return b"".join(pkt(p) + (b"+" if acks else b"") for p in packets)

HELLO = rsp(b"qSupported:swbreak+;hwbreak+", b"?", b"qXfer:features:read:target.xml:0,1000")
out("fuzz_gdb", "breaks_and_steps", HELLO + rsp(
    b"Z0,80000008,4", b"c", b"g", b"s", b"s", b"z0,80000008,4", b"Z1,8000000c,4", b"c", b"p20", b"z1,8000000c,4",
    b"Z1,80000000,2", b"Z1,80000004,2", b"Z1,80000008,2", b"Z1,8000000c,2", b"Z1,80000010,2", b"c", b"D"))
out("fuzz_gdb", "watchpoints", HELLO + rsp(
    b"Z2,80001000,4", b"c", b"Z3,80001000,4", b"c", b"Z4,80001002,1", b"c", b"z2,80001000,4", b"z3,80001000,4",
    b"z4,80001002,1", b"Z2,80001000,0", b"Z3,7ffffffe,10001", b"s", b"k"))
out("fuzz_gdb", "registers_and_memory", rsp(
    b"QStartNoAckMode") + b"+" + rsp(
    b"G" + b"00000000" * 32 + b"00000080", b"P20=04000080", b"P3a1=00000000", b"P3e8=ffffffff", b"p3e8", b"p41",
    b"M80001000,4:2a000000", b"X80001004,4:}\x03}\x04}\x5d}\x0a", b"m80001000,8", b"m10000000,10", b"mffffffff,2",
    b"m80000000,0", b"M80001000,2:zz", b"qRcmd,74696d65", b"qRcmd,68656c70", b"qRcmd,6e6f6e65",
    b"qXfer:features:read:target.xml:ffff,10", b"qXfer:features:read:other.xml:0,10", b"vKill;1", acks=False))
out("fuzz_gdb", "interrupt_and_garbage", HELLO + rsp(b"c") + b"\x03" + b"$g#00" + b"-" + rsp(
    b"s", b"S05;80000004", b"C05", b"c80000000") + b"\x03" + b"$" + b"A" * 40000 + b"#00" + rsp(b"?"))
