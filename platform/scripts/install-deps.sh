#!/usr/bin/env bash
# Installs everything stvp needs on Debian 12 from Debian's packages (run as root, or with
# sudo available). Safe to run again.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libsystemc-dev libyaml-cpp-dev libboost-program-options-dev libgtest-dev libgmock-dev libeigen3-dev
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf binutils-riscv64-unknown-elf
  dataset-fashion-mnist gdb-multiarch zlib1g-dev
  nlohmann-json3-dev jq python3 python3-pandas python3-matplotlib slurm-wlm munge
  clang libclang-rt-14-dev  # the fuzz harnesses (libFuzzer) and the CI's sanitizer leg
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
