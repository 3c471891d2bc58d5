#!/usr/bin/env bash
# A data-set folder whose IDX size fields overflow (images 65536 x 2^24 x 2^24: 2^64 elements,
# which wrapped to 0 and matched an empty file) is refused with exit code 3 and a message naming
# the file and the field; it crashed the Release build before.
#   dataset_overflow.sh STVP ELF OUTDIR
set -u
stvp=$1 elf=$2 dir=$3/overflow_dataset
mkdir -p "$dir"
idx() { printf "$1" | gzip >"$dir/$2"; }
idx '\x00\x00\x08\x03\x00\x01\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00' train-images-idx3-ubyte.gz
idx '\x00\x00\x08\x01\x00\x01\x00\x00' train-labels-idx1-ubyte.gz
cp "$dir/train-images-idx3-ubyte.gz" "$dir/t10k-images-idx3-ubyte.gz"
cp "$dir/train-labels-idx1-ubyte.gz" "$dir/t10k-labels-idx1-ubyte.gz"
err=$("$stvp" -q --firmware "$elf" --set dataset.name=fashion-mnist --set "dataset.dir=$dir" 2>&1 >/dev/null)
code=$?
[ $code -eq 3 ] || { echo "FAIL: exit code $code, expected 3"; echo "$err"; exit 1; }
grep -q "train-images-idx3-ubyte.gz: IDX size field 2 (16777216) makes the element count overflow" <<<"$err" ||
  { echo "FAIL: the message does not name the file and field"; echo "$err"; exit 1; }
echo "PASS: $err"
