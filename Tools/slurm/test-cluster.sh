#!/usr/bin/env bash
# `make test-cluster`: a sharded `vitrel compare` on a real single-node Slurm cluster.
#
# Starts munged, slurmctld and slurmd on this machine (as root; Debian's munge and slurm-wlm,
# which `make deps-cluster` installs) with a key, configuration, state and logs in a temporary
# folder and ports of their own, so nothing of the machine's own Slurm, if any, is touched.
# Then it submits Tools/slurm/compare-array.sbatch as an array of 4 shards over a small
# synthetic dataset, requeues one task while it runs (what a pre-emption does), waits for
# the dependent assembly job, and checks the assembled results.csv and summary.json against
# an unsharded run of the same command: identical apart from timing, command line and threads. Every daemon
# it started is stopped by its pid, and the folder removed, however the test ends.
#
# VITREL names the executable (default .build/release/vitrel); KEEP=1 keeps the folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
vitrel=${VITREL:-$repo/.build/release/vitrel}
[ -x "$vitrel" ] || { echo "test-cluster: $vitrel not built (make build)" >&2; exit 1; }
for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel; do
  command -v "$tool" >/dev/null || { echo "test-cluster: $tool missing (make deps-cluster installs munge and slurm-wlm)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/vitrel-cluster.XXXXXX)
chmod 700 "$work"
export SLURM_CONF=$work/slurm.conf
log() { echo "test-cluster: $*"; }

stop_daemon() {  # name: stops the daemon whose pid file the test wrote, and waits for it
  local file=$work/$1.pid pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -s "$work/slurmctld.pid" ]; then scancel --quiet --full "${array:-0}" "${assemble:-0}" 2>/dev/null || true; fi
  stop_daemon slurmd; stop_daemon slurmctld; stop_daemon munged
  if [ "$status" -ne 0 ]; then
    for f in "$work"/log/*.log "$work"/jobs/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  fi
  if [ "${KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
  [ "$status" -eq 0 ] && log "passed" || log "FAILED"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # seconds, description, command…: polls the command until it succeeds
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 5))); do "$@" && return 0; sleep 0.2; done
  echo "test-cluster: timed out after ${limit} s waiting for $what" >&2
  return 1
}

# --- the cluster -------------------------------------------------------------------------
mkdir -p "$work/state" "$work/spool" "$work/log" "$work/jobs"
port=$(( 20000 + ($$ % 10000) * 2 ))
mungekey --create --keyfile="$work/munge.key"
munged --force --key-file="$work/munge.key" --socket="$work/munge.sock" --pid-file="$work/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/munge.seed"
wait_for 10 "munged" test -S "$work/munge.sock"
cat > "$SLURM_CONF" <<CONF
ClusterName=vitrel-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
PlugStackConfig=$work/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
KillWait=5
MinJobAge=3600
NodeName=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
: > "$work/plugstack.conf"
slurmctld -f "$SLURM_CONF"
wait_for 20 "slurmctld" test -s "$work/slurmctld.pid"
slurmd -f "$SLURM_CONF" -N localhost
wait_for 20 "slurmd" test -s "$work/slurmd.pid"
node_idle() { sinfo --noheader --states=idle --format=%N 2>/dev/null | grep -q localhost; }
wait_for 30 "the node to come up idle" node_idle
log "cluster up: munged $(cat "$work/munged.pid"), slurmctld $(cat "$work/slurmctld.pid"), slurmd $(cat "$work/slurmd.pid"), port $port"

# --- the run -----------------------------------------------------------------------------
"$vitrel" synth --out "$work/data" --per-class 4 --size 96 --seed 11 >/dev/null
compare=(--model "$repo/Models/vit-phantom-128" --data "$work/data" --split train
         --methods attention-rollout,chefer-lrp,lime --samples 1500
         --metrics faithfulness-estimate,region-perturbation,relevance-mass,pointing-game --grids 1)
log "unsharded reference run"
"$vitrel" compare "${compare[@]}" --out "$work/reference" --threads 1 > "$work/jobs/reference.log" 2>&1

cd "$work/jobs"
export VITREL="$vitrel"
array=$(sbatch --parsable --array=1-4 --cpus-per-task=1 --output="$work/jobs/shard-%a.log" \
  "$repo/Tools/slurm/compare-array.sbatch" "${compare[@]}" --out "$work/sharded")
array=${array%%;*}
assemble=$(sbatch --parsable --cpus-per-task=2 --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  --output="$work/jobs/assemble.log" "$repo/Tools/slurm/compare-assemble.sbatch" "${compare[@]}" --out "$work/sharded")
assemble=${assemble%%;*}
log "submitted the array $array (4 shards) and the assembly $assemble"

# Requeue shard 2 once it has written a row and is still running: Slurm stops it as a
# pre-emption would, and runs it again; it must continue from its rows.
rows_of_shard_2() {
  local file=$work/sharded/shards/2-of-4.csv
  [ -f "$file" ] && [ "$(wc -l < "$file")" -ge 2 ] && squeue --noheader --states=R --jobs="${array}_2" 2>/dev/null | grep -q .
}
wait_for 240 "shard 2 to write its first row" rows_of_shard_2
before=$(( $(wc -l < "$work/sharded/shards/2-of-4.csv") - 1 ))
scontrol requeue "${array}_2"
log "requeued shard 2 while running, after $before rows"
"$vitrel" shards "$work/sharded" || true
# A requeued job waits a little before it may start again; let it start now.
scontrol update JobId="${array}_2" StartTime=now 2>/dev/null || true

job_done() { scontrol show job "$assemble" 2>/dev/null | grep -Eq 'JobState=(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL)'; }
wait_for 600 "the assembly job" job_done
state=$(scontrol show job "$assemble" | grep -o 'JobState=[A-Z_]*')
[ "$state" = JobState=COMPLETED ] || { echo "test-cluster: assembly ended $state" >&2; exit 1; }
grep -q "restart 1" "$work/jobs/shard-2.log" || { echo "test-cluster: shard 2 did not run again" >&2; exit 1; }
grep -q "rows resumed" "$work/jobs/shard-2.log" || { echo "test-cluster: shard 2 did not resume its rows" >&2; exit 1; }
"$vitrel" shards "$work/sharded"

# --- the check ---------------------------------------------------------------------------
# Identical apart from column 12, metric_seconds (timing).
untimed() { cut -d, --complement -f12 "$1"; }
diff <(untimed "$work/reference/results.csv") <(untimed "$work/sharded/results.csv") \
  || { echo "test-cluster: the assembled results.csv differs from the unsharded run's" >&2; exit 1; }
rows=$(( $(wc -l < "$work/sharded/results.csv") - 1 ))
[ "$rows" -gt 0 ] || { echo "test-cluster: no rows" >&2; exit 1; }
# summary.json: the same numbers; only the command line (its --out) and thread count differ.
untimed_summary() { grep -v -E '"(command|threads)" :' "$1"; }
diff <(untimed_summary "$work/reference/summary.json") <(untimed_summary "$work/sharded/summary.json") \
  || { echo "test-cluster: the assembled summary.json differs from the unsharded run's" >&2; exit 1; }
log "$rows rows from 4 shards (one requeued while running) match the unsharded run"
