#!/usr/bin/env bash
# The one command for txkit's benchmarks: builds benchmarks/target/benchmarks.jar, runs the contention harness
# (with pgbench beside it), the uncontended overhead comparison and the round-trip count, and writes
# docs/benchmarks.md and docs/benchmarks-*.svg. `bash benchmarks/run.sh --help` lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -pl benchmarks -am package -DskipTests

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
  commit="$commit, with uncommitted changes"
fi
export TXKIT_BENCH_COMMIT="$commit"
# the command line as the report quotes it, arguments with spaces in single quotes
command="bash benchmarks/run.sh"
for arg in "$@"; do
  case "$arg" in
    *[[:space:]]* | *\'*) command+=" '${arg//\'/\'\\\'\'}'" ;;
    *) command+=" $arg" ;;
  esac
done
export TXKIT_BENCH_COMMAND="$command"
exec java -Xmx3g -cp benchmarks/target/benchmarks.jar dev.txkit.benchmarks.report.Suite "$@"
