#!/usr/bin/env bash
# tls-overhead.sh — bytes on the wire of the same SPSA run over plain TCP and over TLS.
# Runs docker/netns-cluster.sh twice (as root: network namespaces) with the same flags, once with
# --tls, and prints, from each run's wire-timeline.tsv, the coordinator interface's bytes and
# packets per round (both directions, Ethernet frames) between rounds FROM and TO, and the whole
# run's totals. The rounds are paced (--round-pace) so heartbeats and gossip per round are the
# same in both runs. The metrics' own byte counts (bytes_up, bytes_down) must be equal.
#
#   scripts/tls-overhead.sh [--nodes N] [--rounds R] [--pace 300ms] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes=3 rounds=100 pace=300ms out="runs/tls-overhead-$(date -u +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --pace) pace="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "tls-overhead: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ "$nodes" =~ ^[0-9]+$ && "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 40 ]] || { echo "tls-overhead: --nodes N, --rounds R >= 40" >&2; exit 2; }
from=$((rounds / 5)) to=$((rounds * 9 / 10))
for mode in plain tls; do
  flags=(); [ "$mode" = plain ] || flags=(--tls)
  bash "$here/docker/netns-cluster.sh" --nodes "$nodes" --out "$out/$mode" --java-opts "${ONEBYTE_JAVA_OPTS:--Xmx512m}" "${flags[@]}" \
    -- --rounds "$rounds" --round-pace "$pace" --run-id tls-overhead >"$out.$mode.log" 2>&1 \
    || { echo "tls-overhead: the $mode run failed, see $out.$mode.log" >&2; exit 1; }
done
printf '%-6s %16s %18s %16s %14s %12s\n' mode bytes/round packets/round run_bytes bytes_up_cum bytes_cum
for mode in plain tls; do
  per="$(awk -F'\t' -v f="$from" -v t="$to" 'NR > 1 && $4 == "coordinator" {
      if ($3 >= f && !a) { a = 1; r0 = $3; b0 = $5 + $6; p0 = $7 + $8 }
      if ($3 >= t && !b) { b = 1; r1 = $3; b1 = $5 + $6; p1 = $7 + $8 }
      last = $5 + $6 }
    END { printf "%.0f %.1f %d", (b1 - b0) / (r1 - r0), (p1 - p0) / (r1 - r0), last }' "$out/$mode/wire-timeline.tsv")"
  acct="$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { up += $c["bytes_up"]; cum = $c["bytes_cum"] } END { print up, cum }' "$out/$mode/run/metrics.csv")"
  read -r bpr ppr total <<<"$per"; read -r up cum <<<"$acct"
  printf '%-6s %16s %18s %16s %14s %12s\n' "$mode" "$bpr" "$ppr" "$total" "$up" "$cum"
done
echo "(coordinator's interface, rounds $from..$to, $nodes nodes, pace $pace; bytes_up_cum/bytes_cum: the metrics' own count)"
