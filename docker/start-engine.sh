#!/usr/bin/env bash
# Makes sure a Docker engine answers. When `docker info` fails, starts `dockerd` in the background
# (as root, or through `sudo -n`), waits up to 60 s for it, and prints the PID of the dockerd it
# started; prints nothing when an engine was already running. Exits 1, saying why, when no engine
# answers. Stop the one it started with `kill PID` (.ci/run and DockerComposeClusterTest do).
#
# On a cgroup-v1 host (cgroupfs driver) Docker puts all containers in one group, /docker, whose
# CPU weight (cpu.shares 1024) is that of a single host thread: on a busy machine a cluster of
# five JVM containers then gets a few percent of the CPU. For the engine it starts, this script
# gives that group the weight of 8 threads (8192).
#
#   ONEBYTE_DOCKERD_LOG  where dockerd logs (default: a new /tmp/onebyte-dockerd.XXXXXX.log)
set -euo pipefail

docker info >/dev/null 2>&1 && exit 0
command -v docker >/dev/null 2>&1 || { echo "start-engine.sh: no docker CLI (apt-get install -y docker.io)" >&2; exit 1; }
command -v dockerd >/dev/null 2>&1 || { echo "start-engine.sh: no dockerd (apt-get install -y docker.io)" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}
log="${ONEBYTE_DOCKERD_LOG:-$(mktemp /tmp/onebyte-dockerd.XXXXXX.log)}"
pid="$(as_root sh -c 'dockerd >"$1" 2>&1 </dev/null & echo $!' sh "$log" 2>/dev/null)" \
  || { echo "start-engine.sh: cannot start dockerd (needs root or sudo -n)" >&2; exit 1; }
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && break
  as_root kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if ! docker info >/dev/null 2>&1; then
  as_root kill "$pid" 2>/dev/null || true
  echo "start-engine.sh: dockerd did not answer within 60 s; its log $log ends:" >&2
  tail -n 5 "$log" >&2 || true
  exit 1
fi
if [ "$(docker info --format '{{.CgroupVersion}}' 2>/dev/null)" = 1 ] && [ -d /sys/fs/cgroup/cpu ]; then
  as_root sh -c 'mkdir -p /sys/fs/cgroup/cpu/docker && echo 8192 >/sys/fs/cgroup/cpu/docker/cpu.shares' 2>/dev/null || true
fi
echo "start-engine.sh: started dockerd (pid $pid, log $log)" >&2
echo "$pid"
