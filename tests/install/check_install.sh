#!/usr/bin/env bash
# Installs the build into BUILD/install-test and builds and runs the consumer project against
# it (find_package(stvp) with CMAKE_PREFIX_PATH = that prefix), then checks the installed
# programs, firmware, configurations and stvp-plot.
#   check_install.sh BUILD_DIR CONSUMER_SOURCE_DIR [GENERATOR]
set -euo pipefail
build=$1 src=$2 gen=${3:-Ninja}
prefix=$build/install-test
rm -rf "$prefix" "$build/install-consumer"
cmake --install "$build" --prefix "$prefix" > "$build/install-test.log"
for f in bin/stvp bin/stvp_explore bin/stvp-plot share/stvp/firmware/train.elf share/stvp/configs/default.yaml \
         include/stvp/hw/simctrl.def include/stvp/models/simctrl/simctrl.h lib/cmake/stvp/stvpConfig.cmake \
         share/stvp/python/stvp_plot/cli.py share/doc/stvp/literature.md share/doc/stvp/LICENSE; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $prefix/$f not installed"; exit 1; }
done
# The installed programs run from the prefix.
"$prefix/bin/stvp" --firmware "$prefix/share/stvp/firmware/hello.elf" --config "$prefix/share/stvp/configs/default.yaml" --quiet
"$prefix/bin/stvp-plot" --help > /dev/null
cmake -S "$src" -B "$build/install-consumer" -G "$gen" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build/install-consumer" > /dev/null
"$build/install-consumer/consumer"
