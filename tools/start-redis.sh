#!/usr/bin/env bash
# Installs (from Debian's packages) and starts the Redis server that Redis clustering and the multi-process
# tests use, on 127.0.0.1:6379, unless one already answers there. Used by .ci/run; run it yourself before
# `dotnet test` or before starting a Redis-clustered GrainServe on this machine.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "redis already answers on 127.0.0.1:6379"
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q redis-server
fi

# No persistence: the membership table is rebuilt by the silos that join.
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no
for _ in $(seq 1 50); do
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "redis started on 127.0.0.1:6379"
    exit 0
  fi
  sleep 0.1
done
echo "redis did not start" >&2
exit 1
