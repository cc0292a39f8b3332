"""A fake cloud for users' own tests: ``alibaba_cloud`` and ``tencent_cloud`` fixtures, and ``fake_cloud``.

Code that lists instances through a vendor's SDK is best tested against
something that speaks the real wire format and checks real signatures, not
against a mock of the SDK. Each fixture starts the emulator in-process on an
ephemeral port (well under half a second) and hands the test what a client
needs: the endpoint, credentials, the region, and a handle to seed or replace
the instances it serves. Outside pytest, ``with fake_cloud("tencent") as
cloud:`` does the same. Registered as the ``conformance-emulator`` pytest
plugin, so installing the package is enough.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conformance.emulator.faults import FaultPlan
    from conformance.emulator.server import Emulator

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
        self.emulator.app.replace(self.emulator.service.backend.items + list(items))

    @property
    def faults_met(self) -> list[tuple[int, str]]:
        """(request number, fault) for every fault injected so far."""
        return list(self.emulator.app.faults_met)

    @property
    def requests(self) -> int:
        """Requests received so far."""
        return self.emulator.app.sequence


def _merged(base: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in fields.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@contextmanager
def fake_cloud(vendor: str, instances: int | Sequence[dict[str, Any]] = 60, *, seed: int = 0,
               faults: "FaultPlan | dict[str, Any] | None" = None, tls: bool = False, key_id: str | None = None,
               key_secret: str | None = None, region: str | None = None,
               real_nulls: bool = False) -> Iterator[FakeCloud]:
    """An emulator of ``vendor`` on an ephemeral port for the duration of the block.

    ``instances`` is a number of generated instances or the instances
    themselves; ``faults`` a :class:`~conformance.emulator.faults.FaultPlan`
    or its fields (``{"throttle": 0.2, "seed": 1}``); ``real_nulls`` puts
    null where the real service does even in documented fields (Tencent's
    ``ExpiredTime``/``RenewFlag`` of pay-as-you-go instances).
    """
    from conformance.emulator.faults import FaultPlan
    from conformance.emulator.server import Emulator, EmulatorConfig

    config = EmulatorConfig(vendor, seed=seed, tls=tls, real_nulls=real_nulls)
    if isinstance(instances, int):
        config.instances = instances
    else:
        config.items = list(instances)
    if key_id is not None or key_secret is not None:
        if key_id is None or key_secret is None:
            raise ValueError("key_id and key_secret go together")
        config.key_id, config.key_secret = key_id, key_secret
    if faults is not None:
        config.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(**faults)
    with Emulator(config) as emulator:
        yield FakeCloud(vendor, emulator, region or DEFAULT_REGION[vendor])


@pytest.fixture
def alibaba_cloud() -> Iterator[FakeCloud]:
    """An Alibaba ECS emulator for one test: ``endpoint``, ``key_id``/``key_secret``, ``region``, ``instances``."""
    with fake_cloud("alibaba") as cloud:
        yield cloud


@pytest.fixture
def tencent_cloud() -> Iterator[FakeCloud]:
    """A Tencent CVM emulator for one test: ``endpoint``, ``key_id``/``key_secret``, ``region``, ``instances``."""
    with fake_cloud("tencent") as cloud:
        yield cloud


__all__ = ["CREDENTIAL_VARIABLES", "DEFAULT_REGION", "FakeCloud", "alibaba_cloud", "fake_cloud", "tencent_cloud"]
