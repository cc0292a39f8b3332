"""One run of the suite: its targets, and how a requirement is evaluated.

Shared by the pytest plugin, ``conformance run`` and ``conformance audit``.
Targets are created on first use, starting the embedded emulator when no
endpoint is given. With ``--record`` or ``--replay`` each requirement is
evaluated inside its own cassette.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from conformance import providers
from conformance.checks import Target, generated, validate
from conformance.checks.context import Walk
from conformance.checks.evaluate import evaluate
from conformance.checks.generated import ExampleLog
from conformance.emulator import deviations as deviation_catalogue
from conformance.reports import baseline, evidence
from conformance.results import Result
from conformance.run.settings import Settings
from conformance.spec import catalog
from conformance.spec.catalog import CATEGORIES, Requirement
from conformance.vendors import adapter
from conformance.vendors.transport import Client
from conformance.wire.scrub import RUN_SECRETS

if TYPE_CHECKING:  # imported where used: a run without cassettes needs no vcrpy, a replay no emulator
    from conformance.emulator.server import Emulator
    from conformance.run import recording

#: The name of the shared cassette of a target's discovery walk, beside the requirements' cassettes.
DISCOVERY_CASSETTE = "_discovery"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Progress:
    """Progress lines on the terminal for long walks, and what the run expects once discovery is done.

    Written through :attr:`SuiteSession.say` (the pytest plugin bypasses its output capture), at
    most one line every :attr:`EVERY` seconds, and only for a live endpoint or a walk of at least :attr:`LONG` pages.
    """

    EVERY = 2.0
    LONG = 20

    def __init__(self, session: SuiteSession, live: bool):
        self.session = session
        self.live = live
        self._last = 0.0

    def _say(self, line: str) -> None:
        self.session.say(line)

    def page(self, target: Target, note: str, pages: int, expected_pages: int | None) -> None:
        long = (expected_pages or 0) >= self.LONG
        if not (long or (self.live and note.startswith("discovery") and (expected_pages or 0) > 1)):
            return
        now = time.monotonic()
        if pages == 1 or now - self._last >= self.EVERY:
            self._last = now
            self._say(f"{target.vendor}: {note.split(':')[0]}: page {min(pages, expected_pages or pages)} "
                      f"of {expected_pages}")

    def discovered(self, target: Target, walk: Walk, requests: int) -> None:
        chosen = [r for r in self.session.selected_requirements() if r.vendor == target.vendor]
        expected = expected_requests(chosen, requests)
        self.session.estimates[target.vendor] = expected
        if not (self.live or len(walk.page_sizes) >= self.LONG):
            return
        self._say(f"{target.vendor}: discovery walked {len(set(walk.ids))} instance(s) in {requests} request(s); "
                  f"the run expects about {expected} requests in all")
        self._last = 0.0


#: Requests a requirement sends on average besides the discovery walk, by its check, measured on the
#: embedded emulator (both vendors, the default inventory and --examples). A check is the unit of cost:
#: one figure per category set dear checks (the generated rules, AND pairs) beside cheap ones and missed
#: a vendor's selection by a third.
PER_CHECK = {
    "auth_refused": 2.0, "default_first_page": 3.0, "default_page_size": 2.0, "document_only": 0.0,
    "dry_run_bad_credentials": 1.0, "dry_run_false": 2.0, "dry_run_invalid": 1.0, "dry_run_no_side_effect": 3.0,
    "dry_run_refused": 1.0, "dry_run_valid": 1.0, "echo_every_page": 3.0, "empty_ids": 1.5, "empty_listing": 1.0,
    "enum_values": 2.9, "error_provoked": 3.0, "error_schema": 1.5, "filter_and": 46.0, "filter_or_values": 24.0,
    "filter_single": 2.7, "filters_at_max": 1.0, "fuzz": 16.0, "ids_at_max": 2.0, "ids_lookup": 8.0,
    "max_page_size": 2.0, "model_agrees": 17.7, "name_pattern": 10.0, "observe_default_filter": 1.0,
    "observe_empty_lists": 0.0, "observe_field_types": 1.0, "observe_request": 1.0, "page_echo": 3.0,
    "page_past_end": 2.0, "pages_partition": 8.0, "refused_past_limit": 1.0, "region_scopes": 1.0,
    "request_ids_unique": 7.0, "response_schema": 4.0, "sdk_dry_run": 1.0, "sdk_errors": 3.6, "sdk_pages": 1.4,
    "tags_all_pairs": 8.0, "tags_at_max": 1.0, "time_format": 1.0, "total_count_consistent": 8.0,
    "total_count_filtered": 3.0, "undocumented_fields": 1.0, "values_at_max": 1.0, "windows_agree": 11.0,
    "wire_variant": 2.0,
}


def expected_requests(requirements: list[Requirement], discovery: int) -> int:
    """About how many requests a target's run sends: its discovery walk, then each requirement's average."""
    return round(discovery + sum(PER_CHECK.get(r.check, 5.0) for r in requirements))


class SuiteSession:
    """The targets of one run (one per vendor), created on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        #: keep every answer's body in the results, whatever the reports would keep (``conformance audit``)
        self.whole_evidence = False
        generated.set_examples(settings.examples)
        self._targets: dict[str, Target] = {}
        self._emulators: list[Emulator] = []
        self._recorders: dict[str, tuple[Any, recording.BusinessMatcher]] = {}
        self._baseline: list[baseline.Entry] | None = None
        #: vendor -> the requests its run is expected to send, known once its discovery walk is done
        self.estimates: dict[str, int] = {}
        #: Where progress lines go: stderr, unless the pytest plugin says otherwise (its capture hides stderr).
        self.say: Callable[[str], None] = _to_stderr

    def selected_requirements(self) -> list[Requirement]:
        chosen: list[Requirement] = []
        for vendor in self.settings.vendors:
            chosen += [r for r in validate(catalog.load(vendor).requirements) if self.settings.selects(r)]
        order = {c: n for n, c in enumerate(CATEGORIES)}
        return sorted(chosen, key=lambda r: (self.settings.vendors.index(r.vendor), order[r.category]))

    def region(self, vendor: str) -> str:
        return self.settings.region or adapter(vendor).default_region

    def target_name(self, vendor: str) -> str:
        if self.settings.target_name:
            return self.settings.target_name
        if self.settings.endpoint:
            return urlsplit(self.settings.endpoint).hostname or self.settings.endpoint
        return "emulator"

    def describe_targets(self) -> dict[str, dict[str, Any]]:
        out = {}
        for vendor in self.settings.vendors:
            names = {d.name for d in deviation_catalogue.for_vendor(vendor)}
            out[vendor] = {
                "name": self.target_name(vendor),
                "document_revision": catalog.revision_of(vendor),
                "endpoint": self._described_endpoint(vendor),
                "region": self.region(vendor),
                "signing": self.settings.signing or adapter(vendor).signing_modes[0],
                "deviations": [d for d in self.settings.deviations if d in names],
                "rate_limit": self.settings.requests_per_second(),
                "credentials": "given" if self.settings.credentials(vendor).known and self.settings.endpoint
                else ("emulator test credentials" if not self.settings.endpoint else "none given"),
            }
        return out

    def _described_endpoint(self, vendor: str) -> str:
        """What answered: a replay names its recording (whatever endpoint it was recorded from)."""
        if self.settings.replay:
            return f"replay of {self.discovery_cassette_path(vendor).parent}"
        return self.settings.endpoint or "embedded emulator"

    def target(self, vendor: str) -> Target:
        if vendor not in self._targets:
            credentials = self.settings.credentials(vendor)
            for value in (credentials.key_id, credentials.secret):
                RUN_SECRETS.add(value, pinned=True)
            endpoint = self.settings.endpoint
            if self.settings.replay:
                endpoint = endpoint or "http://replay.invalid"  # never contacted: vcrpy answers, or refuses
            elif endpoint is None:
                from conformance.emulator.server import Emulator, EmulatorConfig

                names = {d.name for d in deviation_catalogue.for_vendor(vendor)}
                emulator = Emulator(EmulatorConfig(
                    vendor, instances=self.settings.instances,
                    key_id=credentials.key_id, key_secret=credentials.secret,
                    deviations=tuple(d for d in self.settings.deviations if d in names),
                    document_revision=catalog.revision_of(vendor))).start()
                self._emulators.append(emulator)
                endpoint = emulator.url
            client = Client(adapter(vendor), endpoint, self.region(vendor), credentials,
                            signing=self.settings.signing, max_requests=self._budget(), rate_limit=self._rate(),
                            max_answer_bytes=self.settings.max_answer_bytes, run_deadline=self.settings.deadline_at,
                            ca_file=self.settings.ca_file)
            target = Target(adapter(vendor), client, self.target_name(vendor))
            target.observer = Progress(self, live=bool(self.settings.endpoint) and not self.settings.replay)
            self._targets[vendor] = target
        return self._targets[vendor]

    def _rate(self) -> float | None:
        """This process's share of the rate limit: pytest-xdist workers split it evenly."""
        rate = self.settings.requests_per_second()
        if rate is None:
            return None
        workers = int(self.settings.env.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
        return rate / max(1, workers)

    def _budget(self) -> int | None:
        """This process's share of ``--max-requests``: pytest-xdist workers split it evenly."""
        if self.settings.max_requests is None:
            return None
        workers = int(self.settings.env.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
        return max(1, self.settings.max_requests // max(1, workers))

    def evaluate(self, requirement: Requirement) -> Result:
        if self.settings.baseline and self._baseline is None:
            self._baseline = baseline.load(self.settings.baseline)
        if not (self.settings.record or self.settings.replay):
            result = evaluate(requirement, self.target(requirement.vendor), summarised=self._summarised(requirement))
        else:
            result = self._evaluate_with_cassette(requirement)
        if self._baseline is not None:
            baseline.apply(result, self._baseline)
        return result

    def _summarised(self, requirement: Requirement) -> frozenset[str]:
        """The outcomes whose evidence the reports will summarise (:func:`evidence.keeps_full`), for this requirement.

        A baselined requirement keeps its evidence whole whatever its outcome, as do all of them with
        ``--full-evidence`` or when :attr:`whole_evidence` is set (``conformance audit`` shows every answer).
        """
        if self.whole_evidence or self.settings.full_evidence:
            return frozenset()
        if any(e.vendor == requirement.vendor and e.requirement == requirement.id for e in self._baseline or ()):
            return frozenset()
        return evidence.SUMMARISED

    def cassette_path(self, requirement: Requirement) -> Path:
        from conformance.run import recording

        return recording.cassette_path(self.settings.cassette_dir, requirement.vendor, self.target_name(requirement.vendor),
                                       requirement.id, self._later_revision(requirement.vendor))

    def discovery_cassette_path(self, vendor: str) -> Path:
        from conformance.run import recording

        return recording.cassette_path(self.settings.cassette_dir, vendor, self.target_name(vendor), DISCOVERY_CASSETTE,
                                       self._later_revision(vendor))

    @staticmethod
    def _later_revision(vendor: str) -> str:
        """The revision judged, when it is not the seed ("" otherwise): its cassettes are kept apart."""
        revision = catalog.revision_of(vendor)
        return "" if revision == providers.get(vendor).seed_revision else revision

    def _recorder(self, vendor: str) -> tuple[Any, recording.BusinessMatcher]:
        from conformance.run import recording

        if vendor not in self._recorders:
            credentials = self.settings.credentials(vendor)
            matcher = recording.BusinessMatcher(adapter(vendor))
            self._recorders[vendor] = (recording.make_vcr("record" if self.settings.record else "replay",
                                                          (credentials.key_id, credentials.secret), matcher), matcher)
        return self._recorders[vendor]

    def _discover_with_cassette(self, vendor: str) -> str:
        """The target's discovery walk, inside its own shared cassette; a replay problem, or "".

        Recorded once per target (``_discovery.yaml``) and loaded first on replay, so that each
        requirement's cassette holds only its own requests and ``-k`` replays one alone.
        """
        target = self.target(vendor)
        if target.discovered:
            return ""
        path = self.discovery_cassette_path(vendor)
        if self.settings.record:
            path.unlink(missing_ok=True)
        elif not path.is_file():
            return f"replay: no discovery cassette for {vendor} at {path}"
        from conformance.run import recording

        recorder, matcher = self._recorder(vendor)
        try:
            with recorder.use_cassette(str(path)) as cassette:
                try:
                    target.listing()
                except recording.ReplayMiss:
                    raise
                except Exception:  # noqa: BLE001 - each check that needs the listing tries again, and says why not
                    pass
                if self.settings.record:
                    cassette.get_metadata("discovery", {"vendor": vendor, "target": self.target_name(vendor)})
        except recording.ReplayMiss as miss:
            return recording.describe_miss(miss, f"{vendor}:discovery", matcher)
        return ""

    def _evaluate_with_cassette(self, requirement: Requirement) -> Result:
        """One cassette per requirement, holding only its own requests; the discovery walk is shared."""
        vendor = requirement.vendor
        target = self.target(vendor)
        path = self.cassette_path(requirement)
        test = f"{vendor}:{requirement.id}"
        if self.settings.record:
            path.unlink(missing_ok=True)
        elif not path.is_file():
            return self._replay_miss(requirement, f"replay: no cassette for {test} at {path}")
        before, discovery_before = target.client.requests_sent, target.discovery_requests
        problem = self._discover_with_cassette(vendor)
        if problem:
            return self._replay_miss(requirement, problem)
        from conformance.run import recording

        recorder, matcher = self._recorder(vendor)
        try:
            with recorder.use_cassette(str(path)) as cassette:
                stored = None if self.settings.record else json.loads(cassette.get_metadata("examples", "[]"))
                target.examples = ExampleLog(stored)
                result = evaluate(requirement, target, passthrough=(recording.ReplayMiss,),
                                  summarised=self._summarised(requirement))
                if self.settings.record:
                    cassette.get_metadata("examples", RUN_SECRETS.scrub(json.dumps(target.examples.drawn, default=list)))
                    cassette.get_metadata("conformance", {
                        "vendor": vendor, "requirement": requirement.id, "category": requirement.category,
                        "outcome": result.outcome, "message": result.message, "target": self.target_name(vendor)})
        except recording.ReplayMiss as miss:
            return self._replay_miss(requirement, recording.describe_miss(miss, test, matcher))
        finally:
            target.examples = None
        # the shared walk, sent before this requirement's cassette, counts for the first requirement
        result.requests = target.client.requests_sent - before
        result.discovery_requests = target.discovery_requests - discovery_before
        return result

    @staticmethod
    def _replay_miss(requirement: Requirement, message: str) -> Result:
        return Result(vendor=requirement.vendor, requirement=requirement.id, category=requirement.category,
                      outcome="inconclusive", documented=requirement.documented, quote=requirement.citation,
                      source=requirement.package,
                      summary=requirement.summary, check=requirement.check, message=message, replay_miss=True)

    def run_all(self) -> list[Result]:
        """Every selected requirement, in order, without pytest: for library use and the project's tests."""
        try:
            return [self.evaluate(r) for r in self.selected_requirements()]
        finally:
            self.close()

    def close(self) -> None:
        for target in self._targets.values():
            target.client.close()
        RUN_SECRETS.clear()  # everything written by now has been scrubbed; the next session signs anew
        for emulator in self._emulators:
            emulator.stop()
        self._emulators.clear()
