"""Every option of a run, declared once.

One table feeds ``conformance run`` and ``conformance audit`` (argparse), the
pytest plugin (``--conformance-*``) and :class:`~conformance.run.settings.Settings`.
A row names the setting it fills, how the flag reads, its help, which
commands take it and whether pytest does. Secrets are never pytest options:
they travel in memory or in the environment.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from conformance import providers
from conformance.spec.catalog import CATEGORIES


def whole_number(text: str) -> int:
    """An argparse type: an integer >= 0, with a one-line message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def rate(text: str) -> float:
    """An argparse type: requests per second, a number >= 0 (0: no limit)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of requests per second, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def _vendor_choices() -> list[str]:
    return [*providers.names(), "all"]


def _vendors(value: str) -> list[str]:
    return list(providers.names()) if value in (None, "all") else [value]


#: The default ``--rate-limit`` of a live endpoint: conservative, somebody's account pays for the rest.
LIVE_RATE_LIMIT = 10.0


@dataclass(frozen=True)
class Option:
    #: the :class:`Settings` field it fills
    field: str
    #: the flag of the commands (``--max-requests``); the pytest flag is ``--conformance-`` + the rest
    flag: str
    help: str
    type: Callable[[str], Any] | None = None
    default: Any = None
    #: ``append`` or ``store_true``
    action: str | None = None
    choices: Callable[[], list[str]] | None = None
    metavar: str | None = None
    #: the commands that take it
    commands: frozenset[str] = frozenset({"run", "audit"})
    #: commands in which it must be given
    required_in: frozenset[str] = frozenset()
    #: exposed to pytest as ``--conformance-...`` (never for secrets)
    pytest: bool = True
    #: the pytest flag when it is not ``--conformance-`` + the flag's name
    pytest_flag: str | None = None
    #: the option's value into the setting's (``all`` into both vendors)
    convert: Callable[[Any], Any] | None = None
    #: mutually exclusive group name, if any
    group: str | None = None
    #: False for options of the command only (where reports go), which are no setting of the run
    setting: bool = True

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def conformance_flag(self) -> str:
        return self.pytest_flag or "--conformance-" + self.flag.lstrip("-")

    @property
    def conformance_dest(self) -> str:
        return self.conformance_flag.lstrip("-").replace("-", "_")

    def kwargs(self, command: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"help": self.help, "dest": self.dest}
        if self.action:
            out["action"] = self.action
        if self.type is not None:
            out["type"] = self.type
        if self.action == "append":
            out["default"] = []
        elif self.action != "store_true":
            out["default"] = self.default
        if self.choices is not None:
            out["choices"] = self.choices()
        if self.metavar:
            out["metavar"] = self.metavar
        if command is not None and command in self.required_in:
            out["required"] = True
            out.pop("default", None)
        return out


OPTIONS: tuple[Option, ...] = (
    Option("vendors", "--vendor", "which API: alibaba, tencent or all (default all)", default="all",
           choices=_vendor_choices, convert=_vendors, required_in=frozenset({"audit"})),
    Option("endpoint", "--endpoint", "URL of the endpoint to check (needs one --vendor; default: the embedded "
           "emulator, started in-process)", metavar="URL"),
    Option("region", "--region", "region to list (default cn-hangzhou / ap-guangzhou)", metavar="REGION"),
    Option("key_id", "--key-id", "AccessKey id / SecretId (default: the vendor's usual variables, "
           "ALIBABA_CLOUD_ACCESS_KEY_ID / TENCENTCLOUD_SECRET_ID; the embedded emulator's test credentials only for "
           "the embedded emulator)", metavar="ID"),
    Option("key_secret", "--key-secret", "its secret (prefer the vendor's variable: a command line is visible to "
           "other users)", pytest=False, metavar="SECRET"),
    Option("signing", "--signing", "rpc or acs3 (Alibaba); tc3 or hmac256 (Tencent); default rpc / tc3",
           metavar="MODE"),
    Option("document_revision", "--document-revision", "the revision (a date) of the vendor's document to judge "
           "against (default: the seed revision, 2020-12-14 for alibaba; conformance spec diff shows what changed)",
           metavar="DATE"),
    Option("categories", "--category", "check only this category (repeatable; default all)", action="append",
           choices=lambda: list(CATEGORIES), commands=frozenset({"run"})),
    Option("requirements", "--requirement", "check only this requirement, by id (repeatable; default all; "
           "conformance requirements lists them)", action="append", metavar="ID", commands=frozenset({"run"})),
    Option("report_dir", "--report-dir", "where the reports go (default reports/)", default="reports", metavar="DIR",
           pytest=False, setting=False),
    Option("html", "--html", "HTML report (default REPORT_DIR/conformance.html, REPORT_DIR/audit-VENDOR.html for an "
           "audit)", metavar="FILE", pytest=False, setting=False),
    Option("junit_xml", "--junit-xml", "JUnit XML (default REPORT_DIR/junit.xml)", metavar="FILE", pytest=False,
           setting=False, commands=frozenset({"run"})),
    Option("json_report", "--json-report", "JSON results (default REPORT_DIR/conformance.json, "
           "REPORT_DIR/audit-VENDOR.json for an audit)", metavar="FILE", pytest_flag="--conformance-json"),
    Option("max_requests", "--max-requests", "send at most N requests; what is left is inconclusive (and the run "
           "exits 3 unless --allow-inconclusive covers it)", type=whole_number, metavar="N"),
    Option("examples", "--examples", "draws of every generated check, on top of its explicit cases (default 8, or "
           "$CONFORMANCE_EXAMPLES): each costs requests against the endpoint", type=whole_number, metavar="N"),
    Option("allow_inconclusive", "--allow-inconclusive", "exit 0 even when up to N documented requirements are "
           "inconclusive or skipped (an explicit opt-out for flaky live endpoints; default 0)", type=whole_number,
           default=0, metavar="N", commands=frozenset({"run"})),
    Option("timeout", "--timeout", "stop sending after SECONDS in all; what is left is inconclusive (default: none)",
           type=float, metavar="SECONDS"),
    Option("max_answer_bytes", "--max-answer-bytes", "read answers up to N bytes (decoded); a larger one is not read "
           "and its requirement is inconclusive (default 32 MiB)", type=int, default=32 * 1024 * 1024, metavar="N"),
    Option("rate_limit", "--rate-limit", "send at most R requests per second (0: no limit; default "
           f"{LIVE_RATE_LIMIT:g} for an --endpoint, none for the embedded emulator, a loopback endpoint and a replay)", type=rate,
           metavar="R"),
    Option("deviations", "--deviation", "run the embedded emulator with a named deviation (repeatable; see "
           "conformance emulator --list-deviations)", action="append", metavar="NAME"),
    Option("instances", "--instances", "instances of the embedded emulator (default 150)", type=whole_number,
           default=150,
           metavar="N"),
    Option("target_name", "--target-name", "name of the target in reports and cassette folders (default: the "
           "endpoint's host, or 'emulator')", commands=frozenset({"run"})),
    Option("record", "--record", "record every interaction: one cassette per requirement under "
           "CASSETTE_DIR/VENDOR/TARGET/", action="store_true", commands=frozenset({"run"}), group="cassettes"),
    Option("replay", "--replay", "run from the cassettes, with no network at all", action="store_true",
           commands=frozenset({"run"}), group="cassettes"),
    Option("cassette_dir", "--cassette-dir", "where cassettes live (default cassettes/)", default="cassettes",
           commands=frozenset({"run"}), metavar="DIR"),
    Option("ca_file", "--ca-file", "trust the CA certificates of this PEM bundle for an https:// --endpoint (an "
           "internal CA, a test emulator's); the system's are trusted otherwise", metavar="FILE"),
    Option("full_evidence", "--full-evidence", "keep every request and answer of every requirement in the HTML and "
           "JSON reports (default: in full for failed and undecided ones, a summary for the others)",
           action="store_true", commands=frozenset({"run"})),
    Option("markdown", "--markdown", "also write a Markdown summary of the verdict and the failures to FILE (under "
           "GitHub Actions it is appended to $GITHUB_STEP_SUMMARY as well)", metavar="FILE",
           commands=frozenset({"run"})),
    Option("targets", "--target", "a target of a parity run (repeatable, one --vendor): NAME=URL, NAME=replay:DIR "
           "(a recording, CASSETTE_DIR/VENDOR/TARGET) or NAME=emulator[:DEVIATION,...]; an endpoint's credentials "
           "from CONFORMANCE_<NAME>_KEY_ID/_KEY_SECRET, else the vendor's variables", action="append",
           metavar="NAME=SPEC", commands=frozenset({"run"}), pytest=False, setting=False),
    Option("reference", "--reference", "the parity run's reference target: every cell that differs from it is "
           "highlighted, and listed first", metavar="NAME", commands=frozenset({"run"}), pytest=False, setting=False),
    Option("fail_on_difference", "--fail-on-difference", "exit 1 when a target differs from --reference on any "
           "requirement, observed ones included (unless --baseline accepts the difference)", action="store_true",
           commands=frozenset({"run"}), pytest=False, setting=False),
    Option("baseline", "--baseline", "YAML of known deviations: reported, not failing the run, until they expire",
           metavar="FILE", commands=frozenset({"run"})),
)


def for_command(command: str) -> list[Option]:
    return [o for o in OPTIONS if command in o.commands]


def add_to_parser(parser: argparse.ArgumentParser, command: str) -> None:
    """The command's options, as argparse arguments."""
    groups: dict[str, Any] = {}
    for option in for_command(command):
        target: Any = parser
        if option.group:
            if option.group not in groups:  # one group per name (setdefault would leave an empty one behind)
                groups[option.group] = parser.add_mutually_exclusive_group()
            target = groups[option.group]
        target.add_argument(option.flag, **option.kwargs(command))


def add_to_pytest(group: Any) -> None:
    """The options pytest takes, as ``--conformance-*`` (the ``conformance run`` command's set)."""
    for option in for_command("run"):
        if option.pytest:
            kwargs = option.kwargs(None)
            kwargs["dest"] = option.conformance_dest
            group.addoption(option.conformance_flag, **kwargs)


def values(read: Callable[[Option], Any], options: Iterable[Option]) -> dict[str, Any]:
    """Settings fields from option values, ``read(option)`` giving each option's raw value."""
    out = {}
    for option in options:
        if not option.setting:
            continue
        value = read(option)
        out[option.field] = option.convert(value) if option.convert else value
    return out
