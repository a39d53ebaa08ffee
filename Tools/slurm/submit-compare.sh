#!/usr/bin/env bash
# Submits a `vitrel compare` run as N shards and a dependent job that assembles the report:
#
#   Tools/slurm/submit-compare.sh N <compare arguments: --data … --out DIR …>
#
# Extra sbatch options (partition, account, time limit) go in SBATCH_ARGS, e.g.
#   SBATCH_ARGS="--partition=cpu --time=04:00:00" Tools/slurm/submit-compare.sh 64 --data … --out …
# Prints the two job ids. The assembly runs only when every shard has succeeded
# (afterok); a pre-empted shard is requeued and does not break that dependency.
set -euo pipefail
if [ $# -lt 2 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N <vitrel compare arguments>" >&2
  exit 64
fi
shards=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=1-"$shards" "$here/compare-array.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
assemble=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  "$here/compare-assemble.sbatch" "$@")
assemble=${assemble%%;*}
echo "shards: job array $array (1-$shards); assembly: job $assemble (after every shard succeeds)"
