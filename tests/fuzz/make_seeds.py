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
