#!/usr/bin/env bash
# Start the local PostgreSQL and RabbitMQ if they are installed but not answering.
# Skipped when the tests are pointed elsewhere (HEARTH_TEST_*), e.g. at containers.
set -euo pipefail

wait_for() {  # name, check command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$name did not come up" >&2
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -z "${HEARTH_TEST_DATABASE_URL:-}" ] && ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    wait_for PostgreSQL port_open 5432
  else
    echo "PostgreSQL is not running on 127.0.0.1:5432 and pg_ctlcluster is not installed" >&2
  fi
fi

if [ -z "${HEARTH_TEST_AMQP_URL:-}" ] && ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "starting RabbitMQ"
    rabbitmq-server -detached
    wait_for RabbitMQ port_open 5672
    sleep 2  # the port opens a moment before the broker accepts logins
  else
    echo "RabbitMQ is not running on 127.0.0.1:5672 and rabbitmq-server is not installed" >&2
  fi
fi
