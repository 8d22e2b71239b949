#!/usr/bin/env bash
# Container entrypoint: starts the onebyte CLI in the role given by ONEBYTE_ROLE.
#
#   ONEBYTE_ROLE       coordinator | node                                  (required)
#   ONEBYTE_HOST       Artery canonical hostname: the address peers use to reach this
#                      container. Default: this container's IP address (what a scaled
#                      `node` replica needs: its hostname is a container id that peers
#                      cannot resolve). The coordinator sets it to its service name,
#                      because the nodes' seed address names it that way and Artery only
#                      accepts messages addressed to its exact canonical address.
#   ONEBYTE_BIND_HOST  address the Artery TCP server binds to (default 0.0.0.0)
#   ONEBYTE_PORT       Artery port (default 25520)
#   ONEBYTE_SEED_NODES node role: host:port of the seed node(s), comma-separated
#   ONEBYTE_NODES      coordinator role: nodes that round 0 waits for (default 4; match
#                      `--scale node=N`)
#   ONEBYTE_OUTPUT_DIR coordinator role: run directories are created under it, one per start,
#                      named by UTC time (default /data/runs, the mounted volume); metrics.csv and
#                      metrics.jsonl are written there round by round
#   ONEBYTE_ARGS       further flags for the subcommand, space-separated, e.g. for the
#                      coordinator "--rounds 200 --samples 4 --latency-ms 20" (see
#                      `onebyte coordinator --help`), for a node "--sync replay"
#   ONEBYTE_JAVA_OPTS  JVM options (default -XX:MaxRAMPercentage=75)
# Further arguments are passed to the subcommand unchanged.
set -euo pipefail

role="${ONEBYTE_ROLE:-}"
case "$role" in
  coordinator|node) ;;
  *) echo "entrypoint: ONEBYTE_ROLE must be 'coordinator' or 'node' (got '${role}')" >&2; exit 64 ;;
esac

if [ -z "${ONEBYTE_HOST:-}" ]; then
  # First address of this container (Docker writes "IP hostname" into /etc/hosts).
  ONEBYTE_HOST="$(hostname -i 2>/dev/null | awk '{print $1}')" || true
  if [ -z "$ONEBYTE_HOST" ]; then
    ONEBYTE_HOST="$(awk -v h="$(cat /etc/hostname)" '$2 == h { print $1; exit }' /etc/hosts)"
  fi
  if [ -z "$ONEBYTE_HOST" ]; then
    echo "entrypoint: cannot find this container's IP address; set ONEBYTE_HOST" >&2; exit 65
  fi
fi
export ONEBYTE_HOST
export ONEBYTE_BIND_HOST="${ONEBYTE_BIND_HOST:-0.0.0.0}"
export ONEBYTE_PORT="${ONEBYTE_PORT:-25520}"

args=()
if [ "$role" = coordinator ]; then
  run_dir="${ONEBYTE_OUTPUT_DIR:-/data/runs}/$(date -u +%Y%m%d-%H%M%S)"
  args+=(--nodes "${ONEBYTE_NODES:-4}" --out "$run_dir")
  # A scenario (ONEBYTE_SCENARIO, e.g. /opt/onebyte/scenarios/quickstart.conf) supplies the run's
  # settings; its node count still follows ONEBYTE_NODES so it matches --scale node=N.
  if [ -n "${ONEBYTE_SCENARIO:-}" ]; then
    args+=(--scenario "$ONEBYTE_SCENARIO" --set "nodes.initial=${ONEBYTE_NODES:-4}")
  fi
  echo "entrypoint: metrics go to $run_dir" >&2
else
  if [ -z "${ONEBYTE_SEED_NODES:-}" ]; then
    echo "entrypoint: the node role needs ONEBYTE_SEED_NODES (e.g. coordinator:25520)" >&2; exit 64
  fi
  export ONEBYTE_SEED_NODES
fi
# shellcheck disable=SC2206  # ONEBYTE_ARGS is a space-separated list of flags
args+=(${ONEBYTE_ARGS:-})

echo "entrypoint: $role canonical=${ONEBYTE_HOST}:${ONEBYTE_PORT} bind=${ONEBYTE_BIND_HOST}" >&2
# exec: the JVM replaces this shell as PID 1 and so receives the SIGTERM of `docker stop`,
# which runs Akka's coordinated shutdown (leave the cluster, then exit).
# shellcheck disable=SC2086  # ONEBYTE_JAVA_OPTS is a list of options
exec java ${ONEBYTE_JAVA_OPTS:--XX:MaxRAMPercentage=75} -jar /opt/onebyte/onebyte.jar "$role" "${args[@]}" "$@"
