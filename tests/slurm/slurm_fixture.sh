#!/usr/bin/env bash
# A throw-away single-node Slurm cluster on this machine for the tests: munged, slurmctld and
# slurmd (Debian's munge and slurm-wlm) with a generated slurm.conf, private key, sockets,
# ports and state under a temporary directory. Runs COMMAND with SLURM_CONF pointing at it,
# then stops the daemons and removes the directory on every exit path (normal end, failure,
# signal).
#   slurm_fixture.sh COMMAND [ARG...]
# Exit: COMMAND's code; 77 (CTest's skip code) with the reason on stderr where a cluster
# cannot start here (not root, packages missing, a daemon refuses to start).
set -uo pipefail

skip() { echo "SKIP: $*" >&2; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "the Slurm fixture runs its daemons as root (run the tests as root, as CI does)"
for b in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || skip "$b not installed (Debian packages munge, slurm-wlm; platform/scripts/install-deps.sh)"
done
export PATH="$PATH:/usr/sbin"

dir=$(mktemp -d /tmp/stvp-slurm.XXXXXX)
chmod 0755 "$dir"
pids=()
cleanup() {
  local code=$?
  trap - EXIT INT TERM HUP
  # Cancel what is still queued, then stop the daemons (TERM, then KILL after 5 s).
  [ -f "$dir/slurm.conf" ] && SLURM_CONF="$dir/slurm.conf" timeout 5 scancel --quiet --user=root >/dev/null 2>&1
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [ -f "$dir/$f" ] && kill -TERM "$(cat "$dir/$f")" 2>/dev/null
  done
  for i in $(seq 50); do
    alive=0
    for f in slurmd.pid slurmctld.pid munged.pid; do
      [ -f "$dir/$f" ] && kill -0 "$(cat "$dir/$f")" 2>/dev/null && alive=1
    done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [ -f "$dir/$f" ] && kill -KILL "$(cat "$dir/$f")" 2>/dev/null
  done
  if [ "${STVP_SLURM_KEEP:-0}" = 1 ]; then echo "slurm fixture: kept $dir" >&2; else rm -rf "$dir"; fi
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail_start() { # what log
  echo "slurm fixture: $1 did not start; its log:" >&2
  [ -f "$2" ] && tail -n 20 "$2" >&2
  exit 77
}

# Two free TCP ports on localhost.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
ctl_port=$(free_port); d_port=$(free_port)
while [ "$d_port" = "$ctl_port" ]; do d_port=$(free_port); done

# munge: a private key and socket.
mkdir -p "$dir/munge" && chmod 0700 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" \
  >/dev/null 2>&1 || fail_start munged "$dir/munged.log"
for i in $(seq 50); do [ -S "$dir/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$dir/munge/munge.sock" ] || fail_start munged "$dir/munged.log"

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 / 2 }' /proc/meminfo)
mkdir -p "$dir/state" "$dir/spool"
cat > "$dir/slurm.conf" <<CONF
ClusterName=stvptest
SlurmctldHost=$host
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=30
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=stvp Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# slurmd reads cgroup.conf only for cgroup plugins; an empty one keeps it from looking elsewhere.
: > "$dir/cgroup.conf"
export SLURM_CONF="$dir/slurm.conf"

slurmctld -i -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 || fail_start slurmctld "$dir/slurmctld.log"
slurmd -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 || fail_start slurmd "$dir/slurmd.log"
# Wait until the node is idle (at most 30 s).
ready=0
for i in $(seq 150); do
  state=$(sinfo -h -o %t 2>/dev/null | head -n1)
  case "$state" in idle*|mix*|alloc*) ready=1; break ;; esac
  sleep 0.2
done
if [ $ready -eq 0 ]; then
  echo "slurm fixture: the node did not become idle (state '${state:-none}')" >&2
  tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 2>/dev/null
  exit 77
fi
echo "slurm fixture: cluster up (node $host, $cpus CPUs) in $dir" >&2

# A SIGKILL (a test-driver timeout) skips the trap: a watchdog outside this process group
# stops the daemons and removes the directory once this script is gone.
watch_pids=""
for f in slurmd slurmctld munged; do watch_pids="$watch_pids $(cat "$dir/$f.pid"):$f"; done
setsid bash -c '
  while kill -0 "$1" 2>/dev/null; do sleep 1; done
  dir=$2; shift 2
  for p in "$@"; do
    pid=${p%%:*} name=${p#*:}
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$name" ] && kill -KILL "$pid"
  done
  rm -rf "$dir"' _ $$ "$dir" $watch_pids </dev/null >/dev/null 2>&1 &

"$@"
