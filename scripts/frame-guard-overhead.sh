#!/usr/bin/env bash
# frame-guard-overhead.sh — wall time per SPSA round of a loopback process cluster (coordinator and
# N nodes, unpaced) with the Artery frame guard and without it (--no-frame-guard), alternating,
# REPEAT times each. Prints ms per round over rounds 50..R-1 of each run (the first rounds carry the
# joins and the JIT) and the load average at its end. Needs the jar (mvn -DskipTests package).
#
#   scripts/frame-guard-overhead.sh [--nodes 3] [--rounds 400] [--repeat 2] [--port 25620] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/coordinator/target/onebyte.jar"
nodes=3 rounds=400 repeat=2 port=25620 out="runs/frame-guard-overhead-$(date -u +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "frame-guard-overhead: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ "$nodes" =~ ^[0-9]+$ && "$nodes" -ge 3 && "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 100 && "$repeat" =~ ^[0-9]+$ ]] \
  || { echo "frame-guard-overhead: --nodes N >= 3, --rounds R >= 100, --repeat K" >&2; exit 2; }
[ -f "$jar" ] || { echo "frame-guard-overhead: no $jar; run mvn -DskipTests package first" >&2; exit 2; }
mkdir -p "$out"
for k in $(seq 1 "$repeat"); do
  for guard in --frame-guard --no-frame-guard; do
    run="$out/$k$guard"
    java -Xmx512m -jar "$jar" coordinator --port "$port" --nodes "$nodes" --rounds "$rounds" --eval-every "$rounds" \
      --out "$run" "$guard" >"$run.coordinator.log" 2>&1 &
    coordinator=$!
    for i in $(seq 1 "$nodes"); do
      java -Xmx512m -jar "$jar" node --seed-nodes "127.0.0.1:$port" "$guard" >"$run.node$i.log" 2>&1 &
    done
    wait "$coordinator" || { echo "frame-guard-overhead: the run $run failed, see $run.coordinator.log" >&2; exit 1; }
    wait
    awk -F, -v g="$guard" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
      { w[NR - 2] = $c["wall_time_s"]; n = NR - 1 }
      END { printf "%-16s %.2f ms per round (rounds 50..%d), load %s\n", g, 1000 * (w[n - 1] - w[50]) / (n - 51), n - 1, load }' \
      "$run/metrics.csv"
  done
done
