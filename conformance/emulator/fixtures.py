"""A fake cloud for users' own tests: fixtures of every shape, and ``fake_cloud``.

Code that lists instances through a vendor's SDK is best tested against
something that speaks the real wire format and checks real signatures, not
against a mock of the SDK. Each fixture starts the emulator in-process on an
ephemeral port (well under half a second) and hands the test what a client
needs: the endpoint, credentials, the region, a handle to seed or replace the
instances it serves, and the log of the requests it received. Tests differ in
what they need, so there are several shapes:

- ``alibaba_cloud`` / ``tencent_cloud``: one emulator per test, configured by
  ``@pytest.mark.fake_cloud(instances=..., deviations=..., faults=...)``;
- ``make_fake_cloud``: a factory, ``make_fake_cloud("tencent", deviations=[...])``,
  any number per test, all stopped at its end;
- ``alibaba_cloud_session`` / ``tencent_cloud_session``: one emulator for the
  whole session, reset before each test (start-up paid once).

Outside pytest, ``with fake_cloud("tencent") as cloud:`` does the same.
Registered as the ``conformance-emulator`` pytest plugin, so installing the
package is enough; it adds no command-line option.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conformance.emulator.faults import FaultPlan
    from conformance.emulator.request_log import RequestLog
    from conformance.emulator.server import Emulator

#: The marker that configures ``alibaba_cloud`` and ``tencent_cloud``: ``fake_cloud``'s keyword arguments.
MARKER = "fake_cloud"

#: The region each vendor's fake cloud lists by default (the generated inventory's busiest one).
DEFAULT_REGION = {"alibaba": "cn-hangzhou", "tencent": "ap-guangzhou"}
#: The variables each vendor's SDKs and tools read credentials from.
CREDENTIAL_VARIABLES = {
    "alibaba": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID"),
    "tencent": ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_REGION"),
}


@dataclass
class FakeCloud:
    """A running emulator and what a client needs to reach it."""

    vendor: str
    emulator: "Emulator"
    region: str
    made: int = 0  # instances made by :meth:`instance` so far

    @property
    def endpoint(self) -> str:
        """``HOST:PORT``, what SDKs take as their endpoint."""
        return f"{self.emulator.host}:{self.emulator.port}"

    @property
    def url(self) -> str:
        return self.emulator.url

    @property
    def protocol(self) -> str:
        return self.emulator.scheme

    @property
    def key_id(self) -> str:
        return self.emulator.config.key_id

    @property
    def key_secret(self) -> str:
        return self.emulator.config.key_secret

    @property
    def ca_path(self) -> str | None:
        """The CA to trust when started with ``tls=True``; None over plain http."""
        return self.emulator.ca_path

    def env(self) -> dict[str, str]:
        """The vendor's credential and region variables, for ``monkeypatch.setenv`` or a subprocess."""
        key_var, secret_var, region_var = CREDENTIAL_VARIABLES[self.vendor]
        return {key_var: self.key_id, secret_var: self.key_secret, region_var: self.region}

    @property
    def instances(self) -> list[dict[str, Any]]:
        """Every instance served now, all regions, in listing order (copies: edit them and ``replace``)."""
        return copy.deepcopy(self.emulator.service.backend.items)

    def listed(self, region: str | None = None) -> list[dict[str, Any]]:
        """The instances a full listing of ``region`` (default: this cloud's) returns, in order."""
        from conformance.emulator.server import SERVICES

        region_of = SERVICES[self.vendor][1]
        return [i for i in self.instances if region_of(i) == (region or self.region)]

    def instance(self, **fields: Any) -> dict[str, Any]:
        """A complete, realistic instance of this cloud's region with ``fields`` laid over it (dicts merged)."""
        from conformance.emulator import inventory

        self.made += 1  # each call a different instance (ids, addresses), the same ones run after run
        base = inventory.generate(self.vendor, 1, seed=f"fixture-{self.made}")[0]  # type: ignore[arg-type]
        return _merged(base, fields)

    def replace_instances(self, items: Sequence[dict[str, Any]]) -> None:
        """Serve exactly ``items`` from now on."""
        self.emulator.app.replace(list(items))

    def add_instances(self, *items: dict[str, Any]) -> None:
        """Serve ``items`` after the instances already there."""
        self.emulator.app.replace(self.emulator.app.items + list(items))

    @property
    def faults_met(self) -> list[tuple[int, str]]:
        """(request number, fault) for every fault injected so far."""
        return list(self.emulator.app.faults_met)

    @property
    def requests(self) -> "RequestLog":
        """The requests received so far, oldest first: ``len(cloud.requests)``, ``cloud.requests[-1].params``.

        Each entry has the time, action, signing mode, method, business
        parameters, answer status and error code, and never a secret; the
        control API serves the same log at ``/_conformance/requests``.
        """
        return self.emulator.app.log

    @property
    def control_url(self) -> str:
        """Where the control API answers (``POST {control_url}reset``; see ``docs/emulator.md``)."""
        return f"{self.url}/_conformance/"

    def set_deviations(self, *names: str) -> None:
        """Break these documented rules from now on; none given: the reference behaviour again."""
        self.emulator.app.set_deviations(names)

    def set_faults(self, faults: "FaultPlan | dict[str, Any] | None" = None, **fields: Any) -> None:
        """Inject these faults from now on (``set_faults(throttle=0.2, seed=1)``); none given: no faults."""
        self.emulator.app.set_plan(_plan(faults, fields))

    def reset(self) -> None:
        """Back to how the cloud started: its instances, deviations and faults; the log and fault record emptied."""
        self.emulator.app.reset()
        self.made = 0


def _merged(base: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in fields.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _plan(faults: "FaultPlan | dict[str, Any] | None", extra: dict[str, Any] | None = None) -> "FaultPlan | None":
    from conformance.emulator.faults import FaultPlan

    if isinstance(faults, FaultPlan):
        return FaultPlan(**{**faults.__dict__, **(extra or {})}) if extra else faults
    merged = {**(faults or {}), **(extra or {})}
    return FaultPlan(**merged) if merged else None


@contextmanager
def fake_cloud(vendor: str, instances: int | Sequence[dict[str, Any]] = 60, *, seed: int = 0,
               inventory: str | Path | None = None, deviations: Sequence[str] = (),
               faults: "FaultPlan | dict[str, Any] | None" = None, churn: float = 0.0, tls: bool = False,
               key_id: str | None = None, key_secret: str | None = None, region: str | None = None,
               real_nulls: bool = False, authenticate: bool = True) -> Iterator[FakeCloud]:
    """An emulator of ``vendor`` on an ephemeral port for the duration of the block.

    ``instances`` is a number of generated instances (from ``seed``) or the
    instances themselves; ``inventory`` a file of instances or a saved answer
    (JSON, YAML, Alibaba XML) instead. ``deviations`` names documented rules
    to break (``conformance emulator --list-deviations``); ``faults`` a
    :class:`~conformance.emulator.faults.FaultPlan` or its fields
    (``{"throttle": 0.2, "seed": 1}``); ``churn`` the chance per request that
    an instance is replaced; ``tls`` serves https (trust ``cloud.ca_path``);
    ``real_nulls`` puts null where the real service does even in documented
    fields; ``authenticate=False`` accepts any signature or none.
    """
    from conformance.emulator import inventory as inventories
    from conformance.emulator.server import Emulator, EmulatorConfig

    config = EmulatorConfig(vendor, seed=seed, tls=tls, real_nulls=real_nulls, deviations=tuple(deviations),
                            authenticate=authenticate)
    if inventory is not None:
        config.items = inventories.load_file(vendor, inventory)
    elif isinstance(instances, int):
        config.instances = instances
    else:
        config.items = list(instances)
    if key_id is not None or key_secret is not None:
        if key_id is None or key_secret is None:
            raise ValueError("key_id and key_secret go together")
        config.key_id, config.key_secret = key_id, key_secret
    config.faults = _plan(faults, {"churn": churn} if churn else None)
    with Emulator(config) as emulator:
        yield FakeCloud(vendor, emulator, region or DEFAULT_REGION[vendor])


#: ``make_fake_cloud``'s type: ``fake_cloud``'s arguments, a running :class:`FakeCloud` back.
CloudFactory = Callable[..., FakeCloud]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(**options): configure the alibaba_cloud/tencent_cloud fixture "
                                       "with conformance.emulator.fixtures.fake_cloud's keyword arguments")


def _marked(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The keyword arguments of the closest ``fake_cloud`` marker (the test's over its class's and module's)."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only (instances=..., seed=...)")
    return dict(marker.kwargs)


@pytest.fixture
def make_fake_cloud() -> Iterator[CloudFactory]:
    """A factory: ``make_fake_cloud("tencent", instances=[...], deviations=[...], faults={...}, tls=True)``.

    Takes :func:`fake_cloud`'s arguments; every cloud it made stops when the test ends.
    """
    with ExitStack() as stack:
        def make(vendor: str, *args: Any, **kwargs: Any) -> FakeCloud:
            return stack.enter_context(fake_cloud(vendor, *args, **kwargs))

        yield make


@pytest.fixture
def alibaba_cloud(request: pytest.FixtureRequest) -> Iterator[FakeCloud]:
    """An Alibaba ECS emulator for one test (``@pytest.mark.fake_cloud(...)`` configures it)."""
    with fake_cloud("alibaba", **_marked(request)) as cloud:
        yield cloud


@pytest.fixture
def tencent_cloud(request: pytest.FixtureRequest) -> Iterator[FakeCloud]:
    """A Tencent CVM emulator for one test (``@pytest.mark.fake_cloud(...)`` configures it)."""
    with fake_cloud("tencent", **_marked(request)) as cloud:
        yield cloud


@pytest.fixture(scope="session")
def _conformance_alibaba_session() -> Iterator[FakeCloud]:
    with fake_cloud("alibaba") as cloud:
        yield cloud


@pytest.fixture(scope="session")
def _conformance_tencent_session() -> Iterator[FakeCloud]:
    with fake_cloud("tencent") as cloud:
        yield cloud


@pytest.fixture
def alibaba_cloud_session(_conformance_alibaba_session: FakeCloud) -> FakeCloud:
    """The session's Alibaba ECS emulator, reset for this test: started once, as fresh as ``alibaba_cloud``."""
    _conformance_alibaba_session.reset()
    return _conformance_alibaba_session


@pytest.fixture
def tencent_cloud_session(_conformance_tencent_session: FakeCloud) -> FakeCloud:
    """The session's Tencent CVM emulator, reset for this test: started once, as fresh as ``tencent_cloud``."""
    _conformance_tencent_session.reset()
    return _conformance_tencent_session


__all__ = ["CREDENTIAL_VARIABLES", "DEFAULT_REGION", "MARKER", "CloudFactory", "FakeCloud", "alibaba_cloud",
           "alibaba_cloud_session", "fake_cloud", "make_fake_cloud", "tencent_cloud", "tencent_cloud_session"]
