"""The providers the suite knows: one row each, and nothing but data.

A row names where a provider's knowledge lives: its vendor document, the
folder of ``schemas/`` derived from it, the module that parses the document,
and its adapter (the emulator registers its services itself). Layers find a provider's pieces through
this table (by module path, imported on first use), so no layer branches on a
provider's name. Adding a provider adds a row here; see "Adding a
provider" in docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    #: the name used on the command line, in reports and in cassette folders
    name: str
    #: what the API is, for people
    title: str
    #: file name of the vendor document in the spec folder (``documents/``)
    document: str
    #: folder under ``schemas/`` that holds what was derived from the document
    schema_dir: str
    #: module whose ``DERIVATIONS`` turn the document into ``schemas/<schema_dir>/``
    parser: str
    #: ``module:Class`` of the adapter (``conformance.vendors``)
    adapter: str
    #: the revision (publication date) of ``document``: the one a run judges against unless told otherwise
    seed_revision: str = ""
    #: later revisions of the same document, each ``documents/revisions/<schema_dir>/<DATE>.md``, with its
    #: schemas, catalogue and coverage in ``schemas/<schema_dir>/revisions/<DATE>/``
    revisions: tuple[str, ...] = ()

    @property
    def all_revisions(self) -> tuple[str, ...]:
        """Every revision the project holds, the seed first ("" when the seed's date is not recorded)."""
        return (self.seed_revision, *self.revisions)


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    """Add a provider (the two below, or a third one in a test)."""
    if provider.name in PROVIDERS and PROVIDERS[provider.name] != provider:
        raise ValueError(f"provider {provider.name!r} registered twice")
    PROVIDERS[provider.name] = provider
    return provider


def get(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown vendor {name!r}; known: {', '.join(PROVIDERS)}") from None


def names() -> tuple[str, ...]:
    return tuple(PROVIDERS)


register(Provider(
    name="alibaba", title="Alibaba Cloud ECS DescribeInstances (2014-05-26)",
    document="alibaba-ecs-2014-05-26-DescribeInstances.md", schema_dir="alibaba-ecs-2014-05-26",
    parser="conformance.spec.parsers.alibaba", adapter="conformance.vendors.alibaba:AlibabaAdapter",
    seed_revision="2020-12-14", revisions=("2021-05-17",)))
register(Provider(
    name="tencent", title="Tencent Cloud CVM DescribeInstances (2017-03-12)",
    document="tencent-cvm-2017-03-12-DescribeInstances.md", schema_dir="tencent-cvm-2017-03-12",
    parser="conformance.spec.parsers.tencent", adapter="conformance.vendors.tencent:TencentAdapter"))
