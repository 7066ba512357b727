#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on 127.0.0.1 before `./dev run` or `./dev test`:
#   1. already answering: nothing to do;
#   2. installed here but stopped: start the local server;
#   3. not installed, but a Docker engine answers: start it as a container (hearth-postgres,
#      hearth-rabbitmq; ports bound to 127.0.0.1 only), or restart the one an earlier run made;
#   4. neither: say exactly what to install, and exit 1.
# With --for-tests, a Docker engine means the tests start their own containers (testcontainers):
# nothing is started here. Skipped when the tests are pointed elsewhere (HEARTH_TEST_*).
#
# A container counts as up only once the server in it answers (`pg_isready` over TCP inside it,
# `rabbitmq-diagnostics check_running`): Docker's port proxy accepts connections at once, while
# PostgreSQL's image still runs its first-start initdb and RabbitMQ still boots.
#
# What it looks for can be changed (tests/test_ensure_services.py does): HEARTH_POSTGRES_PORT,
# HEARTH_RABBITMQ_PORT, the commands HEARTH_PG_CTLCLUSTER, HEARTH_RABBITMQ_SERVER, HEARTH_DOCKER,
# and HEARTH_WAIT_SECONDS (how long a server may take to come up, 60 by default).
#
# A local RabbitMQ whose port is open but which sends no AMQP greeting is wedged: RabbitMQ 3.x
# can stall that way after heavy quorum-queue churn (test sessions declare and delete hundreds),
# and a restart on the same data stalls again while it recovers those queues. For the tests the
# local node is restarted; in CI (CI=true), whose broker holds nothing but test sessions' queues,
# a node that stalls again is started on fresh data (the old data moved aside, not deleted).
set -euo pipefail

PG_PORT=${HEARTH_POSTGRES_PORT:-5432}
MQ_PORT=${HEARTH_RABBITMQ_PORT:-5672}
PG_CTLCLUSTER=${HEARTH_PG_CTLCLUSTER:-pg_ctlcluster}
RABBITMQ_SERVER=${HEARTH_RABBITMQ_SERVER:-rabbitmq-server}
DOCKER=${HEARTH_DOCKER:-docker}
WAIT_SECONDS=${HEARTH_WAIT_SECONDS:-60}
POSTGRES_IMAGE=postgres:17
RABBITMQ_IMAGE=rabbitmq:4.1-management
FOR_TESTS=false
[ "${1:-}" = "--for-tests" ] && FOR_TESTS=true

wait_for() {  # name, check command...
  local name=$1; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$name did not come up" >&2
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The broker answers AMQP's protocol header with a frame (type 1: Connection.Start) at once.
amqp_greets() {
  local first
  first=$( (exec 3<>"/dev/tcp/127.0.0.1/$MQ_PORT" && printf 'AMQP\x00\x00\x09\x01' >&3 &&
    timeout 5 head -c 1 <&3 | od -An -tx1) 2>/dev/null) || return 1
  [ "${first// /}" = "01" ]
}

# Inside the containers: the server itself answers, not only Docker's proxy. `-h 127.0.0.1`:
# during initdb the image's temporary server listens on its Unix socket only.
postgres_container_ready() { "$DOCKER" exec hearth-postgres pg_isready -q -h 127.0.0.1 -U postgres; }
rabbitmq_container_ready() { "$DOCKER" exec hearth-rabbitmq rabbitmq-diagnostics -q check_running; }

have() { command -v "$1" >/dev/null 2>&1; }

docker_answers() { have "$DOCKER" && timeout 10 "$DOCKER" info >/dev/null 2>&1; }

# name, image, docker-run arguments...: start the container, or the one an earlier run left stopped.
start_container() {
  local name=$1 image=$2; shift 2
  if "$DOCKER" container inspect "$name" >/dev/null 2>&1; then
    echo "starting the $name container"
    "$DOCKER" start "$name" >/dev/null
  else
    echo "starting $image as the container $name (stop it with: docker stop $name)"
    "$DOCKER" run --detach --name "$name" "$@" "$image" >/dev/null
  fi
}

missing=()

start_postgres() {
  if have "$PG_CTLCLUSTER" && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql)" ]; then
    echo "starting PostgreSQL"
    "$PG_CTLCLUSTER" --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  elif docker_answers; then
    # Trust is safe here only because the port is bound to this machine: it is the local admin
    # DSN's `postgres@127.0.0.1` without a password, as on a Debian install.
    start_container hearth-postgres "$POSTGRES_IMAGE" --publish "127.0.0.1:$PG_PORT:5432" \
      --env POSTGRES_HOST_AUTH_METHOD=trust
    wait_for "PostgreSQL in the hearth-postgres container" postgres_container_ready
  else
    missing+=(postgresql)
    return 0
  fi
  wait_for PostgreSQL port_open "$PG_PORT"
}

start_rabbitmq() {
  if have "$RABBITMQ_SERVER"; then
    echo "starting RabbitMQ"
    "$RABBITMQ_SERVER" -detached
  elif docker_answers; then
    start_container hearth-rabbitmq "$RABBITMQ_IMAGE" --publish "127.0.0.1:$MQ_PORT:5672" \
      --publish "127.0.0.1:15672:15672"
    wait_for "RabbitMQ in the hearth-rabbitmq container" rabbitmq_container_ready
    wait_for RabbitMQ port_open "$MQ_PORT"
    return 0
  else
    missing+=(rabbitmq)
    return 0
  fi
  wait_for RabbitMQ port_open "$MQ_PORT"
  sleep 2  # the port opens a moment before the broker accepts logins
}

# The local node, killed (a wedged node does not answer `rabbitmqctl stop`) and started again.
RABBITMQ_DATA=${HEARTH_RABBITMQ_DATA:-/var/lib/rabbitmq/mnesia}
kill_local_rabbitmq() {
  local pid
  pid=$(cat "$RABBITMQ_DATA"/*.pid 2>/dev/null | head -n1 || true)
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  sleep 2
}
restart_local_rabbitmq() {
  kill_local_rabbitmq
  "$RABBITMQ_SERVER" -detached
  wait_for RabbitMQ port_open "$MQ_PORT"
  wait_for "RabbitMQ's AMQP greeting" amqp_greets
}
restart_wedged_rabbitmq() {
  echo "RabbitMQ on 127.0.0.1:$MQ_PORT accepts connections but sends no AMQP greeting: restarting it" >&2
  restart_local_rabbitmq && return 0
  if [ "${CI:-}" = "true" ] && [ -d "$RABBITMQ_DATA" ]; then
    local aside
    aside="$RABBITMQ_DATA.wedged.$(date +%Y%m%d%H%M%S)"
    echo "RabbitMQ stalls again on its data: starting it on fresh data (the old moved to $aside)" >&2
    kill_local_rabbitmq
    mv "$RABBITMQ_DATA" "$aside"
    restart_local_rabbitmq && return 0
  fi
  echo "RabbitMQ does not answer AMQP on 127.0.0.1:$MQ_PORT; restart it by hand" >&2
  exit 1
}

if $FOR_TESTS && docker_answers; then
  exit 0  # the tests start their own containers
fi
if [ -z "${HEARTH_TEST_DATABASE_URL:-}" ] && ! port_open "$PG_PORT"; then
  start_postgres
fi
if [ -z "${HEARTH_TEST_AMQP_URL:-}" ] && ! port_open "$MQ_PORT"; then
  start_rabbitmq
fi

if $FOR_TESTS && [ -z "${HEARTH_TEST_AMQP_URL:-}" ] && have "$RABBITMQ_SERVER" && ! amqp_greets; then
  restart_wedged_rabbitmq
fi

if [ ${#missing[@]} -gt 0 ]; then
  {
    echo "Hearth needs PostgreSQL (15 or newer) on 127.0.0.1:$PG_PORT and RabbitMQ (4.x) on 127.0.0.1:$MQ_PORT."
    for what in "${missing[@]}"; do
      case $what in
        postgresql) echo "Not found: PostgreSQL (nothing answers on 127.0.0.1:$PG_PORT, no pg_ctlcluster)." ;;
        rabbitmq) echo "Not found: RabbitMQ (nothing answers on 127.0.0.1:$MQ_PORT, no rabbitmq-server)." ;;
      esac
    done
    echo "No Docker engine answers either. Install one of these, then run this command again:"
    echo "  - Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop: ./dev run then"
    echo "    starts $POSTGRES_IMAGE and $RABBITMQ_IMAGE as containers on 127.0.0.1;"
    echo "  - or the servers themselves:"
    echo "      Debian/Ubuntu: sudo apt-get install postgresql rabbitmq-server"
    echo "      Fedora:        sudo dnf install postgresql-server rabbitmq-server"
    echo "      macOS:         brew install postgresql@17 rabbitmq && brew services start postgresql@17 && brew services start rabbitmq"
    echo "    PostgreSQL must let the user postgres connect from 127.0.0.1 (trust, as Debian's local"
    echo "    default), or set HEARTH_ADMIN_DATABASE_URL (./dev run) / HEARTH_TEST_DATABASE_URL (./dev test)."
  } >&2
  exit 1
fi
