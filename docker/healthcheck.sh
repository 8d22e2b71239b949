#!/usr/bin/env bash
# Container healthcheck: healthy when this cluster member is Up. Asks the process's readiness
# probe (GET /ready on ONEBYTE_HEALTH_PORT, served by `onebyte coordinator|node --health-port`);
# bash's /dev/tcp only, no extra tools. Without a probe port it falls back to checking that the
# Artery TCP port accepts connections (listening, not necessarily Up).
set -u
probe="${ONEBYTE_HEALTH_PORT:-}"
if [ -n "$probe" ] && [ "$probe" != "-1" ]; then
  status=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/${probe}; printf 'GET /ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3; head -n 1 <&3" 2>/dev/null)
  case "$status" in
    *" 200 "*) exit 0 ;;
  esac
  echo "member not Up (probe answered: ${status:-nothing})" >&2
  exit 1
fi
port="${ONEBYTE_PORT:-25520}"
if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/${port}" 2>/dev/null; then
  exit 0
fi
echo "Artery port ${port} is not accepting connections" >&2
exit 1
