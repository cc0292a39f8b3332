"""The settings of one run, resolved once.

They come from the option table (:mod:`conformance.run.options`) through
argparse or pytest, and reach pytest-xdist workers as a plain dict
(:meth:`Settings.portable`), never as option strings. Credentials are
resolved here: flags, then the vendor's usual variables, then, for the
embedded emulator only, its test credentials.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance import providers
from conformance.emulator import deviations as deviation_catalogue
from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.reports import baseline
from conformance.run import options
from conformance.spec import catalog
from conformance.spec.catalog import CATEGORIES
from conformance.vendors import Credentials, adapter

#: Where a ``--key-id`` given to pytest finds its secret (never on a command line, never on disk).
SECRET_ENV = "CONFORMANCE_KEY_SECRET"


@dataclass
class Settings:
    vendors: list[str]
    endpoint: str | None = None
    region: str | None = None
    key_id: str | None = None
    key_secret: str | None = field(default=None, repr=False)
    signing: str | None = None
    #: the revision of the vendors' documents to judge against (None: each vendor's seed revision)
    document_revision: str | None = None
    categories: list[str] = field(default_factory=list)
    #: requirement ids (``--requirement``); empty: every requirement of the selected vendors and categories
    requirements: list[str] = field(default_factory=list)
    json_report: str | None = None
    max_requests: int | None = None
    #: draws of every generated check (None: :func:`conformance.checks.generated.examples_budget`'s default)
    examples: int | None = None
    rate_limit: float | None = None
    allow_inconclusive: int = 0
    deviations: list[str] = field(default_factory=list)
    instances: int = 150
    target_name: str | None = None
    record: bool = False
    replay: bool = False
    cassette_dir: str = "cassettes"
    baseline: str | None = None
    timeout: float | None = None
    max_answer_bytes: int = 32 * 1024 * 1024
    #: a PEM bundle of CA certificates trusted for an https endpoint (``--ca-file``)
    ca_file: str | None = None
    #: keep every exchange of every result in the reports (``--full-evidence``)
    full_evidence: bool = False
    #: where the Markdown summary goes (``--markdown``), besides ``$GITHUB_STEP_SUMMARY`` under GitHub Actions
    markdown: str | None = None
    #: when the run must stop sending (``time.time()``): set once from ``timeout`` when the run starts
    deadline_at: float | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_options(cls, read: Callable[[options.Option], Any], command: str, env: Mapping[str, str]) -> Settings:
        """Settings from a command's options (``read`` gives each option's value), validated."""
        settings = cls(**options.values(read, options.for_command(command)), env=dict(env))
        settings.validate()
        return settings

    def portable(self) -> dict[str, Any]:
        """The settings as plain data for pytest-xdist workers: no secret, no environment."""
        data = asdict(self)
        data.pop("key_secret")
        data.pop("env")
        return data

    @classmethod
    def from_portable(cls, data: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known}, env=dict(env))
        settings.select_revision()
        if settings.key_id:
            settings.key_secret = env.get(SECRET_ENV)
        return settings

    def select_revision(self) -> None:
        """Judge every chosen vendor against ``document_revision`` in this process (before any catalogue is read).

        Raises ValueError, naming the known revisions, for one a chosen vendor's document does not have.
        """
        for vendor in self.vendors:
            catalog.select_revision(vendor, self.document_revision)

    def validate(self) -> None:
        """Raise ValueError, in one line, for settings that cannot make a run."""
        self.select_revision()
        if self.endpoint is not None:
            parts = urlsplit(self.endpoint)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"--endpoint {self.endpoint!r} is not an http:// or https:// URL with a host")
            try:
                _ = parts.port
            except ValueError:
                raise ValueError(f"--endpoint {self.endpoint!r} has an invalid port") from None
        for name, count in (("--instances", self.instances), ("--allow-inconclusive", self.allow_inconclusive),
                            ("--max-requests", self.max_requests)):
            if count is not None and count < 0:
                raise ValueError(f"{name} must not be negative, got {count}")
        if self.endpoint and len(self.vendors) != 1:
            raise ValueError("--endpoint needs a single --vendor (alibaba or tencent)")
        if self.endpoint and self.deviations:
            raise ValueError("--deviation applies to the embedded emulator, not to an --endpoint")
        if self.record and self.replay:
            raise ValueError("--record and --replay exclude each other")
        if self.replay and self.deviations:
            raise ValueError("--deviation shapes a recording; a replay answers what was recorded")
        if (self.key_id is None) != (self.key_secret is None):
            raise ValueError("--key-id and --key-secret go together")
        for name in self.deviations:
            if not any(d.name == name for v in self.vendors for d in deviation_catalogue.for_vendor(v)):
                raise ValueError(f"unknown deviation {name!r} for {', '.join(self.vendors)}; "
                                 f"see conformance emulator --list-deviations")
        for vendor in self.vendors:
            for d in deviation_catalogue.for_vendor(vendor):
                if d.name in self.deviations and d.revision and d.revision != catalog.revision_of(vendor):
                    raise ValueError(f"--deviation {d.name} breaks a rule of the {d.revision} revision of the "
                                     f"{vendor} document, which this run does not judge: add --document-revision "
                                     f"{d.revision}")
        unknown = sorted(set(self.categories) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown category {unknown[0]!r}; one of {', '.join(CATEGORIES)}")
        if self.requirements:
            check_requirement_ids(self.requirements, self.vendors)
        if self.baseline:
            try:
                entries = baseline.load(self.baseline)
                baseline.check_entries(self.baseline, entries, {
                    vendor: {r.id for r in catalog.load(vendor).requirements} for vendor in providers.names()})
            except baseline.BaselineError as exc:
                raise ValueError(str(exc)) from None
        if self.max_requests is not None and self.max_requests < 1:
            raise ValueError("--max-requests must be at least 1")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("--timeout must be a positive number of seconds")
        if self.ca_file is not None:
            check_ca_file(self.ca_file)
        if self.max_answer_bytes < 1024:
            raise ValueError("--max-answer-bytes must be at least 1024")
        if self.signing:
            for vendor in self.vendors:
                modes = adapter(vendor).signing_modes
                if self.signing not in modes:
                    raise ValueError(f"--signing {self.signing} is not a {vendor} signing mode ({', '.join(modes)})")

    def selects(self, requirement: catalog.Requirement) -> bool:
        """Whether ``--category`` and ``--requirement`` keep ``requirement`` (its vendor is chosen elsewhere)."""
        return ((not self.categories or requirement.category in self.categories)
                and (not self.requirements or requirement.id in self.requirements))

    def start_clock(self) -> None:
        """Fix the run's deadline from ``--timeout``, once, where the run starts (xdist workers inherit it)."""
        if self.timeout is not None and self.deadline_at is None:
            self.deadline_at = time.time() + self.timeout

    def requests_per_second(self) -> float | None:
        """The run's rate limit: ``--rate-limit``, else a conservative one for a live endpoint only; None: none.

        An endpoint on this machine (a loopback address: a mock, a test server) is nobody's account.
        """
        if self.rate_limit is not None:
            return self.rate_limit or None
        if not self.endpoint or self.replay:
            return None
        host = (urlsplit(self.endpoint).hostname or "").lower()
        local = host == "localhost" or host.startswith("127.") or host == "::1"
        return None if local else options.LIVE_RATE_LIMIT

    def credentials(self, vendor: str) -> Credentials:
        """The flags, then the vendor's variables; the emulator's test credentials only for the embedded emulator.

        A foreign endpoint with none given gets none (``known=False``, empty): nothing is signed with
        the emulator's test credentials, and the checks that need credentials are skipped.
        """
        if self.key_id and self.key_secret:
            return Credentials(self.key_id, self.key_secret)
        id_var, secret_var = adapter(vendor).capabilities.credential_env
        if self.env.get(id_var) and self.env.get(secret_var):
            return Credentials(self.env[id_var], self.env[secret_var])
        if self.endpoint is None:
            return Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, public=True)
        return Credentials("", "", known=False)


def check_ca_file(path: str) -> None:
    """Raise ValueError, in one line, for a ``--ca-file`` that is no readable PEM bundle of CA certificates."""
    if not Path(path).is_file():
        raise ValueError(f"--ca-file {path}: no such file")
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(f"--ca-file {path}: not a PEM bundle of CA certificates ({exc})") from None


def check_requirement_ids(ids: list[str], vendors: list[str]) -> None:
    """Raise ValueError, naming it, for an id that is no requirement of the chosen vendors' catalogues."""
    known = {vendor: {r.id for r in catalog.load(vendor).requirements} for vendor in providers.names()}
    for requirement in ids:
        if any(requirement in known[vendor] for vendor in vendors):
            continue
        owner = next((v for v, names in known.items() if requirement in names), None)
        if owner is not None:
            raise ValueError(f"--requirement {requirement} is a {owner} requirement; --vendor {' '.join(vendors)} "
                             f"does not check it")
        raise ValueError(f"unknown requirement {requirement!r} for {', '.join(vendors)}; "
                         f"see conformance requirements")
