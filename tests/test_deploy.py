"""The deploy files pass their validators offline, and each validator refuses a broken file.

deploy/validate.py does the checking (yamllint, the compose-spec schema, `kubectl kustomize`, the
Kubernetes schemas of kubernetes-validate, the project's rules); these tests run it on the committed
files and on copies broken on purpose. No broker, database, cluster or Docker engine is needed.
"""

from __future__ import annotations

import base64
import copy
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load_validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hearth_deploy_validate", ROOT / "deploy" / "validate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


v = _load_validator()

Docs = list[dict[str, Any]]


@pytest.fixture(scope="module")
def rendered() -> dict[str, Docs]:
    return {overlay: v.render(directory) for overlay, directory in v.KUSTOMIZATIONS.items()}


@pytest.fixture
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = v.load_compose()
    return loaded


def _find(docs: Docs, kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _container(docs: Docs, deployment: str) -> dict[str, Any]:
    found: dict[str, Any] = _find(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]
    return found


# --- YAML ------------------------------------------------------------------------------------------


def test_yamllint_passes_on_every_deploy_file() -> None:
    files = v.yaml_files()
    assert v.COMPOSE in files
    assert len(files) > 10
    assert v.yamllint_problems(files) == []


def test_yamllint_refuses_a_duplicate_key(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("services:\n  gateway:\n    image: hearth\n    image: other\n")
    problems = v.yamllint_problems([broken])
    assert any("duplication of key" in p for p in problems), problems


# --- the image -------------------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint_and_the_image_rules() -> None:
    assert v.dockerfile_problems() == []


def test_a_single_stage_root_image_on_a_moving_tag_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text(
        "FROM python:latest\nCOPY . /app\nRUN pip install /app\nUSER root\nCMD python -m hearth_gateway\n"
    )
    problems = v.dockerfile_problems(broken)
    codes = {p.split()[1] for p in problems if p.startswith("Dockerfile:")}
    assert {"DL3007", "DL3002", "DL3042"} <= codes, problems  # latest tag, root user, pip cache
    assert "Dockerfile: not a multi-stage build (build tools would stay in the image)" in problems
    assert "Dockerfile: the final stage runs as root" in problems
    assert any("no Dockerfile.dockerignore" in p for p in problems)


def test_the_image_runs_unprivileged_and_picks_the_service_by_command() -> None:
    text = v.DOCKERFILE.read_text()
    final = text[text.rindex("\nFROM ") :]
    assert "USER 10001:10001" in final
    assert 'CMD ["python", "-m", "hearth_gateway"]' in final
    assert "PYTHONDONTWRITEBYTECODE=1" in final  # nothing written beside the code: read-only root works
    assert "UV_COMPILE_BYTECODE=1" in text


# --- compose ---------------------------------------------------------------------------------------


def test_compose_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    assert v.compose_schema_problems(compose) == []


def test_the_compose_schema_refuses_a_wrong_type(compose: dict[str, Any]) -> None:
    compose["services"]["registration"]["networks"] = "backend"
    compose["services"]["credits"]["restart"] = ["always"]
    problems = v.compose_schema_problems(compose)
    assert any(p.startswith("compose: services/registration/networks") for p in problems), problems
    assert any(p.startswith("compose: services/credits/restart") for p in problems), problems


def test_the_compose_schema_refuses_an_unknown_field(compose: dict[str, Any]) -> None:
    compose["services"]["gateway"]["publish"] = ["8000:8000"]
    assert any("'publish' was unexpected" in p for p in v.compose_schema_problems(compose))


def test_compose_keeps_the_rules(compose: dict[str, Any]) -> None:
    assert v.compose_rule_problems(compose) == []


def test_in_compose_only_the_gateway_is_published(compose: dict[str, Any]) -> None:
    published = {
        name: [v._published_host_ip(p) for p in service.get("ports", [])]
        for name, service in compose["services"].items()
        if service.get("ports")
    }
    assert published["gateway"] == [""]  # every interface: it is the one door
    assert {name: ips for name, ips in published.items() if name != "gateway"} == {
        "rabbitmq": ["127.0.0.1"],
        "mail": ["127.0.0.1"],
    }


def test_compose_refuses_a_service_publishing_its_port(compose: dict[str, Any]) -> None:
    compose["services"]["registration"]["ports"] = ["8001:8001"]
    problems = v.compose_rule_problems(compose)
    assert problems == [
        "compose: registration publishes '8001:8001' beyond this machine; only the gateway may"
    ]


def test_compose_refuses_a_ui_on_every_interface(compose: dict[str, Any]) -> None:
    compose["services"]["rabbitmq"]["ports"] = ["15672:15672"]
    compose["services"]["mail"]["ports"] = [{"target": 8025, "published": 8025}]
    problems = v.compose_rule_problems(compose)
    assert len(problems) == 2, problems
    assert all("beyond this machine" in p for p in problems), problems


def test_compose_refuses_a_literal_secret_and_a_start_without_condition(compose: dict[str, Any]) -> None:
    compose["services"]["gateway"]["environment"]["HEARTH_SESSION_SECRET"] = "hunter2"
    compose["services"]["credits"]["depends_on"] = ["postgres"]
    del compose["services"]["groups"]["healthcheck"]
    problems = v.compose_rule_problems(compose)
    assert (
        "compose: gateway sets HEARTH_SESSION_SECRET in the file; secrets come from deploy/.env" in problems
    )
    assert "compose: credits depends_on without conditions" in problems
    assert "compose: groups has no healthcheck" in problems


def test_compose_secrets_come_from_an_env_file_that_is_not_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT, check=False, capture_output=True
    )
    assert ignored.returncode == 0, "deploy/.env must be git-ignored"
    example = (ROOT / "deploy" / ".env.example").read_text()
    values = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    referenced = set(v.re.findall(r"\$\{([A-Z0-9_]+):\?", v.COMPOSE.read_text()))
    assert referenced <= set(values), f"not in .env.example: {sorted(referenced - set(values))}"
    secrets = {k: val for k, val in values.items() if v._SECRET_NAME.search(k)}
    assert secrets
    assert all(val.startswith("change-me") for val in secrets.values())


def test_compose_pools_fit_the_database(compose: dict[str, Any]) -> None:
    budget = v.compose_budget(compose)
    assert {s.service for s in budget.shares} == set(v.SERVICES)
    assert budget.total <= budget.available == 85
    assert budget.problems() == []


# --- Kubernetes: rendering and schemas --------------------------------------------------------------


@pytest.mark.parametrize("overlay", ["base", "dev", "prod"])
def test_each_kustomization_renders_and_matches_the_schemas(rendered: dict[str, Docs], overlay: str) -> None:
    docs = rendered[overlay]
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "ConfigMap", "Job", "NetworkPolicy", "PodDisruptionBudget"} <= kinds
    assert {"RabbitmqCluster", "Cluster"} <= kinds
    assert v.kubernetes_schema_problems(docs) == []


def test_a_fresh_clone_renders_without_any_secret_file() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "deploy/k8s"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    assert not [f for f in tracked if f.endswith("secrets.env")]
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/k8s/base/secrets.env"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0


def test_a_kustomization_naming_a_missing_file_does_not_render(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [../does-not-exist.yaml]\n")
    with pytest.raises(v.RenderError, match="does-not-exist"):
        v.render(tmp_path)


def test_the_kubernetes_schemas_refuse_a_wrong_field_type(rendered: dict[str, Docs]) -> None:
    docs = copy.deepcopy(rendered["prod"])
    _find(docs, "Deployment", "gateway")["spec"]["replicas"] = "two"
    _container(docs, "credits")["ports"][0]["containerPort"] = "http"
    problems = v.kubernetes_schema_problems(docs)
    assert any(p.startswith("Deployment/gateway: spec/replicas: 'two'") for p in problems), problems
    assert any(p.startswith("Deployment/credits: spec/template/spec/containers/0/ports/0") for p in problems)


def test_the_kubernetes_schemas_refuse_an_unknown_field(rendered: dict[str, Docs]) -> None:
    docs = copy.deepcopy(rendered["dev"])
    container = _container(docs, "registration")
    container["livenesProbe"] = container.pop("livenessProbe")  # a typo the cluster would ignore
    problems = v.kubernetes_schema_problems(docs)
    assert any("livenesProbe" in p for p in problems), problems


def test_the_operator_resources_refuse_wrong_fields(rendered: dict[str, Docs]) -> None:
    docs = copy.deepcopy(rendered["prod"])
    _find(docs, "RabbitmqCluster", "hearth-rabbitmq")["spec"]["replicas"] = "three"
    _find(docs, "Cluster", "hearth-postgres")["spec"]["postgresql"]["parameters"]["max_connections"] = 100
    _find(docs, "ExternalSecret", "hearth-gateway")["spec"]["secretStoreRef"]["kind"] = "Vault"
    problems = v.kubernetes_schema_problems(docs)
    assert any(p.startswith("RabbitmqCluster/hearth-rabbitmq: spec/replicas") for p in problems), problems
    assert any("spec/postgresql/parameters/max_connections" in p for p in problems), problems
    assert any(p.startswith("ExternalSecret/hearth-gateway: spec/secretStoreRef/kind") for p in problems)


def test_an_unknown_kind_is_not_waved_through() -> None:
    doc = {"apiVersion": "example.org/v1", "kind": "Mystery", "metadata": {"name": "x"}}
    assert v.kubernetes_schema_problems([doc]) == ["Mystery/x: no schema for example.org/v1 Mystery"]


# --- Kubernetes: the rules --------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", ["base", "dev", "prod"])
def test_each_kustomization_keeps_the_rules(rendered: dict[str, Docs], overlay: str) -> None:
    assert v.kubernetes_rule_problems(rendered[overlay], autoscaled=overlay != "dev") == []


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_deployment_has_probes_resources_and_runs_unprivileged(
    rendered: dict[str, Docs], overlay: str
) -> None:
    deployments = [d for d in rendered[overlay] if d["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} >= set(v.SERVICES)
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)
            assert set(container["resources"]) == {"requests", "limits"}
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])


def test_a_deployment_without_a_probe_or_a_read_only_root_is_refused(rendered: dict[str, Docs]) -> None:
    docs = copy.deepcopy(rendered["prod"])
    del _container(docs, "groups")["startupProbe"]
    _container(docs, "gateway")["securityContext"]["readOnlyRootFilesystem"] = False
    del _container(docs, "credits")["resources"]["limits"]
    _find(docs, "Deployment", "notifications")["spec"]["template"]["spec"]["securityContext"][
        "runAsNonRoot"
    ] = False
    problems = v.kubernetes_rule_problems(docs)
    assert "Deployment/groups container groups: no startupProbe" in problems
    assert "Deployment/gateway container gateway: readOnlyRootFilesystem is not set" in problems
    assert "Deployment/credits container credits: no limits.memory" in problems
    assert "Deployment/notifications container notifications: runAsNonRoot is not set" in problems


def test_no_disruption_budget_blocks_a_node_drain(rendered: dict[str, Docs]) -> None:
    """With one gateway replica (dev), minAvailable 1 would allow no eviction at all."""
    assert _find(rendered["dev"], "PodDisruptionBudget", "gateway")["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}},
    }
    docs = copy.deepcopy(rendered["dev"])
    budget = _find(docs, "PodDisruptionBudget", "gateway")["spec"]
    del budget["maxUnavailable"]
    budget["minAvailable"] = 1
    _find(docs, "PodDisruptionBudget", "credits")["spec"]["maxUnavailable"] = "0%"
    assert sorted(v.kubernetes_rule_problems(docs, autoscaled=False)) == [
        "PodDisruptionBudget/credits allows no eviction of Deployment/credits at 1 replica(s): "
        "node drains would block",
        "PodDisruptionBudget/gateway allows no eviction of Deployment/gateway at 1 replica(s): "
        "node drains would block",
    ]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_each_service_has_a_migration_job_on_its_deployments_image(
    rendered: dict[str, Docs], overlay: str
) -> None:
    docs = rendered[overlay]
    for service in v.SERVICES:
        job = _find(docs, "Job", f"hearth-migrate-{service}")["spec"]["template"]["spec"]["containers"][0]
        assert job["command"] == ["python", "-m", f"hearth_{service}", "migrate"]
        assert job["image"] == _container(docs, service)["image"]
    assert v.migration_job_problems(docs) == []


def test_a_missing_or_mismatched_migration_job_is_refused(rendered: dict[str, Docs]) -> None:
    docs = [d for d in copy.deepcopy(rendered["prod"]) if d["metadata"]["name"] != "hearth-migrate-credits"]
    gateway = _find(docs, "Job", "hearth-migrate-gateway")["spec"]["template"]["spec"]["containers"][0]
    gateway["image"] = "hearth:old"
    groups = _find(docs, "Job", "hearth-migrate-groups")["spec"]["template"]["spec"]["containers"][0]
    url = next(e for e in groups["env"] if e["name"] == "HEARTH_DATABASE_URL")
    url["value"] = url["value"].replace("hearth_groups:", "hearth_registration:")
    docs = [d for d in docs if d["metadata"]["name"] != "migrate-to-postgres"]
    problems = v.kubernetes_rule_problems(docs)
    image = _container(docs, "gateway")["image"]
    assert f"Job/hearth-migrate-gateway runs hearth:old, Deployment/gateway {image}" in problems
    assert "Job/hearth-migrate-groups does not use its own database role (hearth_groups)" in problems
    assert "Job/hearth-migrate-registration: no NetworkPolicy lets it reach PostgreSQL (5432)" in problems
    assert "Job: no migration Job for credits (python -m hearth_credits migrate)" in problems


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_tracing_is_configured_off_and_may_reach_a_collector(rendered: dict[str, Docs], overlay: str) -> None:
    docs = rendered[overlay]
    for service in v.SERVICES:
        environment = v.container_environment(_container(docs, service), docs)
        assert environment["OTEL_TRACES_EXPORTER"] == "none"
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector.monitoring:4318"
    egress = _find(docs, "NetworkPolicy", "tracing-to-collector")["spec"]["egress"]
    assert egress == [
        {
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"protocol": "TCP", "port": 4317}, {"protocol": "TCP", "port": 4318}],
        }
    ]
    config = _find(docs, "RabbitmqCluster", "hearth-rabbitmq")["spec"]["rabbitmq"]["additionalConfig"]
    assert "prometheus.return_per_object_metrics = true" in config.splitlines()
    assert v.observability_problems(docs) == []


def test_tracing_without_settings_or_a_way_out_and_a_broker_without_queue_metrics_are_refused(
    rendered: dict[str, Docs],
) -> None:
    docs = copy.deepcopy(rendered["prod"])
    settings = next(
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("hearth-settings")
    )
    del settings["data"]["OTEL_TRACES_EXPORTER"]
    docs = [d for d in docs if d["metadata"]["name"] != "tracing-to-collector"]
    _container(docs, "notifications")["env"].append({"name": "OTEL_TRACES_EXPORTER", "value": "otlp"})
    cluster = _find(docs, "RabbitmqCluster", "hearth-rabbitmq")["spec"]["rabbitmq"]
    cluster["additionalConfig"] = "default_queue_type = quorum\n"
    problems = v.kubernetes_rule_problems(docs)
    assert "Deployment/credits: OTEL_TRACES_EXPORTER not set (off by default, in its ConfigMaps)" in problems
    assert "Deployment/notifications: no NetworkPolicy lets it reach the trace collector on 4318" in problems
    assert (
        "RabbitmqCluster/hearth-rabbitmq: no per-queue metrics (prometheus.return_per_object_metrics = true);"
        " the alerts need them"
    ) in problems


def test_compose_sets_tracing_off_by_default_for_every_service(compose: dict[str, Any]) -> None:
    for service in v.SERVICES:
        environment = compose["services"][service]["environment"]
        assert environment["OTEL_TRACES_EXPORTER"] == "${OTEL_TRACES_EXPORTER:-none}"
    del compose["services"]["groups"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert v.compose_rule_problems(compose) == [
        "compose: groups does not set OTEL_EXPORTER_OTLP_ENDPOINT (off by default)"
    ]


def test_without_network_policies_the_manifests_are_refused(rendered: dict[str, Docs]) -> None:
    docs = [d for d in rendered["prod"] if d["kind"] != "NetworkPolicy"]
    problems = v.kubernetes_rule_problems(docs)
    assert "NetworkPolicy: no default-deny policy (podSelector {}, Ingress and Egress, no rules)" in problems
    assert "NetworkPolicy: nothing lets traffic reach the gateway" in problems


def test_without_the_default_deny_policy_the_manifests_are_refused(rendered: dict[str, Docs]) -> None:
    docs = [d for d in rendered["prod"] if d["metadata"]["name"] != "default-deny"]
    assert v.kubernetes_rule_problems(docs) == [
        "NetworkPolicy: no default-deny policy (podSelector {}, Ingress and Egress, no rules)"
    ]


def test_a_policy_opening_a_service_to_the_outside_is_refused(rendered: dict[str, Docs]) -> None:
    docs = copy.deepcopy(rendered["prod"])
    opened = copy.deepcopy(_find(docs, "NetworkPolicy", "gateway-ingress"))
    opened["metadata"]["name"] = "open-registration"
    opened["spec"]["podSelector"] = {"matchLabels": {"app.kubernetes.io/name": "registration"}}
    opened["spec"]["ingress"] = [{"ports": [{"protocol": "TCP", "port": 8000}]}]
    docs.append(opened)
    exposed = yaml.safe_load(
        "{apiVersion: v1, kind: Service, metadata: {name: credits-public},"
        " spec: {type: LoadBalancer, selector: {app.kubernetes.io/name: credits}, ports: [{port: 80}]}}"
    )
    docs.append(exposed)
    problems = v.kubernetes_rule_problems(docs)
    assert (
        "NetworkPolicy/open-registration lets traffic from outside reach Deployment/registration" in problems
    )
    assert "Service/credits-public is exposed outside the cluster; only the gateway may be" in problems


def test_only_the_gateway_is_reachable_from_outside(rendered: dict[str, Docs]) -> None:
    """In production the gateway takes traffic only from the ingress controller, through TLS."""
    docs = rendered["prod"]
    rule = _find(docs, "NetworkPolicy", "gateway-ingress")["spec"]["ingress"]
    assert rule[0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "ingress-nginx"
    }
    ingress = _find(docs, "Ingress", "gateway")
    assert ingress["spec"]["tls"]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"
    assert all(d["spec"].get("type", "ClusterIP") == "ClusterIP" for d in docs if d["kind"] == "Service")


def test_production_autoscales_the_consumers_on_a_three_node_broker(rendered: dict[str, Docs]) -> None:
    docs = rendered["prod"]
    targets = {d["spec"]["scaleTargetRef"]["name"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    assert targets == set(v.CONSUMERS)
    assert _find(docs, "RabbitmqCluster", "hearth-rabbitmq")["spec"]["replicas"] == 3
    assert (
        "default_queue_type = quorum"
        in _find(docs, "RabbitmqCluster", "hearth-rabbitmq")["spec"]["rabbitmq"]["additionalConfig"]
    )
    assert _find(docs, "Cluster", "hearth-postgres")["spec"]["instances"] == 3
    docs = copy.deepcopy(docs)
    _find(docs, "RabbitmqCluster", "hearth-rabbitmq")["spec"]["replicas"] = 1
    docs = [
        d for d in docs if not (d["kind"] == "HorizontalPodAutoscaler" and d["metadata"]["name"] == "credits")
    ]
    problems = v.kubernetes_rule_problems(docs)
    assert "Deployment/credits: no HorizontalPodAutoscaler" in problems
    assert "RabbitmqCluster/hearth-rabbitmq: fewer than three nodes; quorum queues need three" in problems


def test_production_secrets_come_from_the_secret_store_and_dev_ones_say_they_are_not_secret(
    rendered: dict[str, Docs],
) -> None:
    assert not [d for d in rendered["prod"] if d["kind"] == "Secret"]
    stored = {d["spec"]["target"]["name"] for d in rendered["prod"] if d["kind"] == "ExternalSecret"}
    assert stored == {f"hearth-{s}" for s in v.SERVICES} | {"hearth-service-token", "hearth-link-key"}
    dev_secrets = [d for d in rendered["dev"] if d["kind"] == "Secret"]
    assert len(dev_secrets) == 7
    for secret in dev_secrets:
        values = [base64.b64decode(value).decode() for value in secret["data"].values()]
        assert all(value.startswith("dev-only-") for value in values), secret["metadata"]["name"]


# --- the connection budget --------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", ["base", "dev", "prod"])
def test_the_pools_fit_postgres_default_max_connections_less_a_reserve(
    rendered: dict[str, Docs], overlay: str
) -> None:
    budget = v.kubernetes_budget(rendered[overlay])
    assert budget.max_connections == 100
    assert budget.reserved == 15
    assert {s.service for s in budget.shares} == set(v.SERVICES)
    assert budget.total <= 85


def test_the_production_budget_is_the_one_in_the_operations_guide(rendered: dict[str, Docs]) -> None:
    budget = v.kubernetes_budget(rendered["prod"])
    rows = {s.workload: (s.pool_size, s.background, s.replicas, s.total) for s in budget.shares}
    assert rows == {
        "registration": (4, 4, 3, 24),
        "credits": (4, 2, 3, 18),
        "groups": (2, 2, 2, 8),
        "notifications": (2, 6, 2, 16),
        "gateway": (2, 4, 3, 18),  # two replicas and one more while a rollout surges
    }
    assert budget.total == 84
    guide = (ROOT / "docs" / "operations.md").read_text()
    assert "| **total** | | | | **84** |" in guide


def test_the_dev_and_compose_budgets_are_the_ones_in_the_operations_guide(
    rendered: dict[str, Docs], compose: dict[str, Any]
) -> None:
    dev, composed = v.kubernetes_budget(rendered["dev"]).total, v.compose_budget(compose).total
    credits = next(s for s in v.compose_budget(compose).shares if s.service == "credits").per_replica
    guide = " ".join((ROOT / "docs" / "operations.md").read_text().split())
    assert f"The dev overlay uses {dev} and compose {composed} of the same 85." in guide
    assert f"{composed} + one more credits replica's {credits} = {composed + credits}" in guide


def test_a_budget_beyond_the_limit_is_refused(rendered: dict[str, Docs]) -> None:
    docs = copy.deepcopy(rendered["prod"])
    _find(docs, "HorizontalPodAutoscaler", "notifications")["spec"]["maxReplicas"] = 4
    problems = v.kubernetes_rule_problems(docs)
    assert len(problems) == 1
    assert problems[0].startswith("connection budget: the pools may open 100 connections")
    docs = copy.deepcopy(rendered["prod"])
    _container(docs, "registration")["env"] = [
        e for e in _container(docs, "registration")["env"] if e["name"] != "HEARTH_DB_POOL_SIZE"
    ]  # the kit's default of 10 per replica
    assert v.kubernetes_budget(docs).total == 84 + 3 * (10 - 4)


def test_the_budget_counts_the_pools_the_services_open() -> None:
    """The claim loops counted per service are the ones each service's runtime starts."""
    for service in v.SERVICES:
        try:
            app = importlib.import_module(f"hearth_{service}.app")
            runtime = app.create_runtime()
            loops = 1 + len(runtime._worker_factories)  # the outbox relay and the workers
        except (ImportError, AttributeError, TypeError) as error:
            pytest.skip(f"hearth_{service}'s runtime cannot be inspected here: {error!r}")
        assert v.CLAIM_LOOPS[service] == loops, service


def test_the_pool_size_setting_is_read_by_the_kit() -> None:
    from hearth_shared.settings import ServiceSettings

    if "db_pool_size" not in ServiceSettings.model_fields:
        pytest.xfail(
            "the kit does not read HEARTH_DB_POOL_SIZE yet: every replica opens 10 + its background "
            "pool until it does (see docs/operations.md, 'Connection budget')"
        )
    assert ServiceSettings.model_fields["db_pool_size"].default == v.DEFAULT_POOL_SIZE


# --- all together -----------------------------------------------------------------------------------


def test_the_validator_command_passes_on_the_committed_files() -> None:
    report = v.all_problems()
    assert report == {
        what: [] for what in ("yamllint", "image", "compose", "monitoring", "base", "dev", "prod")
    }


# --- monitoring ------------------------------------------------------------------------------------


def test_the_alert_rules_and_the_dashboard_pass() -> None:
    assert v.monitoring_problems() == []


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian: prometheus) not installed")
def test_promtool_accepts_the_rules_and_refuses_a_broken_expression(tmp_path: Path) -> None:
    assert v.promtool_problems(v.ALERTS) == []
    broken = tmp_path / "alerts.yaml"
    broken.write_text(
        "groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m]\n"
    )
    assert any("promtool" in p for p in v.promtool_problems(broken))


def test_a_broken_alert_rule_is_refused() -> None:
    rules = yaml.safe_load(v.ALERTS.read_text())
    first = rules["groups"][0]["rules"][0]
    first["expr"] = "rate(hearth_messages_lost_total[5m]) > 0"
    del first["labels"]["severity"]
    rules["groups"][1]["rules"].append(
        {"alert": first["alert"], "expr": "up == 0", "labels": {"severity": "page"}}
    )
    problems = v.alert_problems(rules)
    name = f"hearth-messaging/{first['alert']}"
    assert f"alerts: {name}: unknown metric 'hearth_messages_lost_total'" in problems
    assert f"alerts: {name}: labels.severity must be one of warning, critical" in problems
    assert f"alerts: hearth-http/{first['alert']}: named twice" in problems
    assert f"alerts: hearth-http/{first['alert']}: no annotations.summary" in problems


def test_a_dashboard_panel_on_a_metric_nobody_exports_is_refused() -> None:
    dashboard = json.loads(v.DASHBOARD.read_text())
    dashboard["panels"][0]["targets"][0]["expr"] = "sum(rate(hearth_emails_sent_totl[5m]))"
    dashboard["panels"][1]["id"] = dashboard["panels"][0]["id"]
    problems = v.dashboard_problems(dashboard)
    assert any(p.endswith("unknown metric 'hearth_emails_sent_totl'") for p in problems), problems
    assert "dashboard: panel ids repeat" in problems


def test_the_operations_guide_explains_every_metric_hearth_exports() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in v.hearth_metric_names()}
    assert {f for f in families if f"`{f}" not in guide} == set()
