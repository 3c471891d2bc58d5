#!/usr/bin/env bash
# One GDB session against the platform, driven by gdb-multiarch in batch mode.
#   gdb_session.sh STVP ELF OUTDIR NAME EXPECT_CODE -- <stvp args> -- <gdb -ex commands...> -- <regex...>
# Starts `STVP --gdb 0 ...` (the system picks a free port, which stvp prints), connects gdb,
# runs the commands, then checks stvp's exit code and that every regex matches the combined
# gdb output, stvp stdout/stderr and stats (grep -E, line by line). A regex prefixed with
# "twice:" must match two identical lines. The gdb command "@sigint" is not sent to gdb: the
# script interrupts gdb (SIGINT, as Ctrl-C in a terminal) once the command before it (a
# "continue") has the target running.
set -u
stvp=$1 elf=$2 out=$3 name=$4 expect=$5
shift 5
[ "$1" = "--" ] && shift
stvp_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do stvp_args+=("$1"); shift; done
shift
gdb_cmds=()
sigint=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ "$1" = "@sigint" ]; then sigint=1; else gdb_cmds+=(-ex "$1"); fi
  shift
done
shift
patterns=("$@")

log=$out/$name
rm -f "$log".*
"$stvp" -q --firmware "$elf" --gdb 0 --stats "$log.json" "${stvp_args[@]}" >"$log.stdout" 2>"$log.stderr" &
pid=$!
port=""
for _ in $(seq 300); do
  port=$(sed -n 's/.*gdb: listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log.stderr")
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
fail() {
  echo "FAIL ($name): $*"
  echo "--- gdb:"; cat "$log.gdb" 2>/dev/null
  echo "--- stvp stdout:"; cat "$log.stdout"
  echo "--- stvp stderr:"; cat "$log.stderr"
  kill $pid 2>/dev/null
  exit 1
}
[ -n "$port" ] || fail "stvp did not print its gdb port"
gdb-multiarch -batch -nx -ex 'set architecture riscv:rv32' -ex "file $elf" \
  -ex "target remote 127.0.0.1:$port" "${gdb_cmds[@]}" >"$log.gdb" 2>&1 &
gdb_pid=$!
if [ $sigint = 1 ]; then
  # The target runs once stvp burns CPU time (halted, it sleeps waiting for gdb's packets):
  # wait for 0.3 s of it (utime, field 14 of /proc/PID/stat, in clock ticks), then interrupt.
  utime() { awk '{print $14}' /proc/$pid/stat 2>/dev/null || echo 0; }
  hz=$(getconf CLK_TCK)
  start=$(utime)
  for _ in $(seq 600); do
    [ $(( $(utime) - start )) -ge $(( hz * 3 / 10 )) ] && break
    sleep 0.1
  done
  kill -INT $gdb_pid 2>/dev/null
fi
# At most two minutes for the session (no timeout(1) wrapper: the SIGINT above must reach gdb
# alone, once).
for _ in $(seq 1200); do kill -0 $gdb_pid 2>/dev/null || break; sleep 0.1; done
kill $gdb_pid 2>/dev/null
wait $gdb_pid
# stvp ends by itself once gdb continued to the end, detached or killed it.
for _ in $(seq 600); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "stvp still running after the gdb session"
wait $pid
code=$?
[ "$code" = "$expect" ] || fail "stvp exit code $code, expected $expect"
all=$(cat "$log.gdb" "$log.stdout" "$log.stderr" "$log.json" 2>/dev/null)
for p in "${patterns[@]}"; do
  if [ "${p#twice:}" != "$p" ]; then
    grep -Eo -- "${p#twice:}" <<<"$all" | sort | uniq -d | grep -q . || fail "no two identical lines match: ${p#twice:}"
  else
    grep -Eq -- "$p" <<<"$all" || fail "no match for: $p"
  fi
done
echo "PASS ($name): exit code $code, ${#patterns[@]} patterns"
