#!/usr/bin/env bash
# Container healthcheck: healthy when this container's Artery TCP port accepts connections.
# (A TCP check only shows that the ActorSystem is listening, not that this member is Up in
# the cluster; see docker/README.md "Healthcheck".) Uses bash's /dev/tcp: no extra tools.
set -u
port="${ONEBYTE_PORT:-25520}"
if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/${port}" 2>/dev/null; then
  exit 0
fi
echo "Artery port ${port} is not accepting connections" >&2
exit 1
