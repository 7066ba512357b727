"""scripts/ensure_services.sh, which `./dev run` and `./dev test` call first: with nothing installed
and no Docker engine it names what to install and fails; with a Docker engine it starts PostgreSQL
and RabbitMQ as containers bound to 127.0.0.1; with both answering it starts nothing.

The servers and Docker are replaced by what the script's variables point at: ports where nothing
listens, commands that do not exist, and a fake `docker` that records its calls and, for `run`,
listens on the published port at once, as Docker's port proxy does, while the server inside
answers `docker exec` readiness checks only from its (FAKE_DOCKER_READY_AFTER+1)th one.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearth_testing.processes import free_port

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "ensure_services.sh"

FAKE_DOCKER = """#!/usr/bin/env bash
echo "$*" >> "{log}"
case "$1" in
  info) exit 0 ;;
  container) exit 1 ;;  # no container from an earlier run
  run)
    port=$(printf '%s\\n' "$@" | sed -n 's/^127.0.0.1:\\([0-9]*\\):.*/\\1/p' | head -n1)
    nohup python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen()
time.sleep(120)" >/dev/null 2>&1 &
    echo $! >> "{pids}"
    ;;
  exec)
    tries="{pids}.$2"
    n=$(( $(cat "$tries" 2>/dev/null || echo 0) + 1 ))
    echo "$n" > "$tries"
    [ "$n" -gt "${{FAKE_DOCKER_READY_AFTER:-0}}" ]
    ;;
esac
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_TEST_")}
    return subprocess.run(
        [str(SCRIPT), *args], env=base | env, capture_output=True, text=True, timeout=90, check=False
    )


@pytest.fixture
def nothing_installed(tmp_path: Path) -> dict[str, str]:
    return {
        "HEARTH_POSTGRES_PORT": str(free_port()),
        "HEARTH_RABBITMQ_PORT": str(free_port()),
        "HEARTH_PG_CTLCLUSTER": str(tmp_path / "no" / "pg_ctlcluster"),
        "HEARTH_RABBITMQ_SERVER": str(tmp_path / "no" / "rabbitmq-server"),
        "HEARTH_DOCKER": str(tmp_path / "no" / "docker"),
    }


@pytest.fixture
def fake_docker(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    log, pids = tmp_path / "docker.log", tmp_path / "listeners.pid"
    docker = tmp_path / "docker"
    docker.write_text(FAKE_DOCKER.format(log=log, pids=pids))
    docker.chmod(0o755)
    yield docker, log
    for pid in pids.read_text().split() if pids.exists() else []:
        os.kill(int(pid), 15)


def test_with_neither_servers_nor_docker_it_says_what_to_install_and_fails(
    nothing_installed: dict[str, str],
) -> None:
    done = run(nothing_installed)
    assert done.returncode == 1, done
    pg, mq = nothing_installed["HEARTH_POSTGRES_PORT"], nothing_installed["HEARTH_RABBITMQ_PORT"]
    assert f"Not found: PostgreSQL (nothing answers on 127.0.0.1:{pg}" in done.stderr
    assert f"Not found: RabbitMQ (nothing answers on 127.0.0.1:{mq}" in done.stderr
    assert "No Docker engine answers either" in done.stderr
    assert "https://docs.docker.com/engine/install/" in done.stderr
    assert "sudo apt-get install postgresql rabbitmq-server" in done.stderr
    assert "brew install postgresql@17 rabbitmq" in done.stderr


def test_with_a_docker_engine_it_starts_both_as_containers_on_this_machine_only(
    nothing_installed: dict[str, str], fake_docker: tuple[Path, Path]
) -> None:
    docker, log = fake_docker
    done = run(nothing_installed | {"HEARTH_DOCKER": str(docker)})
    assert done.returncode == 0, done
    calls = [line for line in log.read_text().splitlines() if line.startswith("run ")]
    pg, mq = nothing_installed["HEARTH_POSTGRES_PORT"], nothing_installed["HEARTH_RABBITMQ_PORT"]
    assert calls == [
        f"run --detach --name hearth-postgres --publish 127.0.0.1:{pg}:5432 "
        "--env POSTGRES_HOST_AUTH_METHOD=trust postgres:17",
        f"run --detach --name hearth-rabbitmq --publish 127.0.0.1:{mq}:5672 "
        "--publish 127.0.0.1:15672:15672 rabbitmq:4.1-management",
    ]
    assert "starting postgres:17 as the container hearth-postgres" in done.stdout


def test_a_container_counts_as_up_only_once_its_server_answers_not_when_its_port_opens(
    nothing_installed: dict[str, str], fake_docker: tuple[Path, Path]
) -> None:
    docker, log = fake_docker
    done = run(nothing_installed | {"HEARTH_DOCKER": str(docker), "FAKE_DOCKER_READY_AFTER": "3"})
    assert done.returncode == 0, done
    calls = [line.split()[:3] for line in log.read_text().splitlines() if line.split()[0] in ("run", "exec")]
    postgres_ready = "exec hearth-postgres pg_isready -q -h 127.0.0.1 -U postgres"
    rabbitmq_ready = "exec hearth-rabbitmq rabbitmq-diagnostics -q check_running"
    checks = [line for line in log.read_text().splitlines() if line.startswith("exec ")]
    assert checks == [postgres_ready] * 4 + [rabbitmq_ready] * 4  # three refusals, then ready
    # RabbitMQ is started only once PostgreSQL answers.
    assert [c[0] for c in calls] == ["run"] + ["exec"] * 4 + ["run"] + ["exec"] * 4


def test_a_container_whose_server_never_answers_fails_the_start(
    nothing_installed: dict[str, str], fake_docker: tuple[Path, Path]
) -> None:
    docker, log = fake_docker
    env = {"HEARTH_DOCKER": str(docker), "FAKE_DOCKER_READY_AFTER": "1000", "HEARTH_WAIT_SECONDS": "2"}
    done = run(nothing_installed | env)
    assert done.returncode == 1, done
    assert "PostgreSQL in the hearth-postgres container did not come up" in done.stderr
    assert "hearth-rabbitmq" not in log.read_text()


def test_for_the_tests_a_docker_engine_is_left_to_testcontainers(
    nothing_installed: dict[str, str], fake_docker: tuple[Path, Path]
) -> None:
    docker, log = fake_docker
    done = run(nothing_installed | {"HEARTH_DOCKER": str(docker)}, "--for-tests")
    assert done.returncode == 0, done
    assert log.read_text().split() == ["info"]


def test_servers_that_answer_are_left_alone(nothing_installed: dict[str, str]) -> None:
    with socket.socket() as pg, socket.socket() as mq:
        for listener in (pg, mq):
            listener.bind(("127.0.0.1", 0))
            listener.listen()
        ports = {
            "HEARTH_POSTGRES_PORT": str(pg.getsockname()[1]),
            "HEARTH_RABBITMQ_PORT": str(mq.getsockname()[1]),
        }
        done = run(nothing_installed | ports)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


# A node that accepts connections and never greets (its pid where the data folder keeps it), and a
# `rabbitmq-server` whose node greets from its FAKE_GREET_FROM-th start on.
SILENT_NODE = """
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
greets = sys.argv[2] == "greet"
while True:
    peer, _ = s.accept()
    if greets:
        peer.sendall(bytes([1]))
"""

FAKE_RABBITMQ_SERVER = """#!/usr/bin/env bash
n=$(( $(cat "{starts}" 2>/dev/null || echo 0) + 1 )); echo "$n" > "{starts}"
mode=silent; [ "$n" -ge "${{FAKE_GREET_FROM}}" ] && mode=greet
mkdir -p "$HEARTH_RABBITMQ_DATA"
nohup python3 -c '{node}' "$HEARTH_RABBITMQ_PORT" "$mode" >/dev/null 2>&1 &
echo $! > "$HEARTH_RABBITMQ_DATA/rabbit@fake.pid"; echo $! >> "{pids}"
"""


def eventually_listening(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.mark.parametrize(("ci", "greet_from", "moved_aside"), [("", 1, False), ("true", 2, True)])
def test_for_the_tests_a_broker_that_sends_no_amqp_greeting_is_restarted(
    tmp_path: Path, ci: str, greet_from: int, moved_aside: bool
) -> None:
    data, pids = tmp_path / "mnesia", tmp_path / "nodes.pid"
    server = tmp_path / "rabbitmq-server"
    server.write_text(FAKE_RABBITMQ_SERVER.format(starts=tmp_path / "starts", pids=pids, node=SILENT_NODE))
    server.chmod(0o755)
    mq = free_port()
    env = {
        "HEARTH_RABBITMQ_PORT": str(mq),
        "HEARTH_RABBITMQ_SERVER": str(server),
        "HEARTH_RABBITMQ_DATA": str(data),
        "HEARTH_DOCKER": str(tmp_path / "no" / "docker"),
        "HEARTH_WAIT_SECONDS": "12",
        "CI": ci,
    }
    wedged = subprocess.run([str(server)], env=os.environ | env | {"FAKE_GREET_FROM": "99"}, check=True)
    assert wedged.returncode == 0
    try:
        eventually_listening(mq)
        with socket.socket() as pg:
            pg.bind(("127.0.0.1", 0))
            pg.listen()
            env["HEARTH_POSTGRES_PORT"] = str(pg.getsockname()[1])
            done = run(env | {"FAKE_GREET_FROM": str(greet_from + 1)}, "--for-tests")
        assert done.returncode == 0, done
        assert "sends no AMQP greeting: restarting it" in done.stderr
        assert ("starting it on fresh data" in done.stderr) is moved_aside
        assert any(p.name.startswith("mnesia.wedged.") for p in tmp_path.iterdir()) is moved_aside
        with socket.create_connection(("127.0.0.1", mq), timeout=5) as broker:
            assert broker.recv(1) == bytes([1])  # the node now running greets
    finally:
        for pid in pids.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), 9)
