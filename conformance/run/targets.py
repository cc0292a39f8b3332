"""The targets of a parity run (``--target NAME=SPEC``), each turned into the settings of a single-target run.

A parity run evaluates each target exactly as ``conformance run`` would alone: the same settings but
for what makes the target (endpoint, replay folder, deviations, name, credentials). Keeping that here,
in one function, is what makes "the same verdicts alone or in a parity run" true by construction.

A spec is ``NAME=http(s)://HOST[:PORT]`` (a live endpoint or a mock), ``NAME=replay:DIR`` (a recording:
``DIR`` is ``CASSETTE_DIR/VENDOR/TARGET``, or a ``CASSETTE_DIR`` holding ``VENDOR/NAME``) or
``NAME=emulator`` / ``NAME=emulator:DEVIATION,DEVIATION`` (the embedded emulator). An endpoint's
credentials come from ``CONFORMANCE_<NAME>_KEY_ID`` and ``CONFORMANCE_<NAME>_KEY_SECRET`` (the name
upper-cased, every other character than a letter or digit made ``_``), else from the run's flags or the
vendor's usual variables: never from the command line of a target.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conformance.run.settings import Settings

#: A target's name: it names a folder (reports, cassettes), so nothing a path would read otherwise.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
EMULATOR, REPLAY = "emulator", "replay:"


@dataclass(frozen=True)
class TargetSpec:
    """One ``--target``: its name and what it is."""

    name: str
    #: ``endpoint``, ``emulator`` or ``replay``
    kind: str
    endpoint: str | None = None
    deviations: tuple[str, ...] = ()
    #: the recording's folder, for ``replay``
    folder: str | None = None

    def text(self) -> str:
        """The SPEC of ``--target NAME=SPEC``, as given."""
        if self.kind == "endpoint":
            return str(self.endpoint)
        if self.kind == "replay":
            return f"{REPLAY}{self.folder}"
        return EMULATOR + (f":{','.join(self.deviations)}" if self.deviations else "")

    def describe(self) -> str:
        if self.kind == "endpoint":
            return str(self.endpoint)
        if self.kind == "replay":
            return f"replay of {self.folder}"
        return "embedded emulator" + (f" with {', '.join(self.deviations)}" if self.deviations else "")


def parse_target(text: str) -> TargetSpec:
    """One ``--target NAME=SPEC``; ValueError, in one line, saying what is wrong and what is expected."""
    expected = "expected NAME=URL, NAME=replay:DIR or NAME=emulator[:DEVIATION,...]"
    name, sep, spec = text.partition("=")
    if not sep or not spec:
        raise ValueError(f"--target {text!r}: {expected}")
    if not NAME.fullmatch(name):
        raise ValueError(f"--target {text!r}: the name {name!r} must be letters, digits, '.', '_' or '-' "
                         f"(it names a folder); {expected}")
    if spec.startswith(REPLAY):
        folder = spec[len(REPLAY):]
        if not folder:
            raise ValueError(f"--target {text!r}: replay: needs a folder of cassettes")
        return TargetSpec(name, "replay", folder=folder)
    if spec == EMULATOR or spec.startswith(EMULATOR + ":"):
        deviations = tuple(d for d in spec[len(EMULATOR) + 1:].split(",") if d)
        return TargetSpec(name, "emulator", deviations=deviations)
    if spec.startswith(("http://", "https://")):
        return TargetSpec(name, "endpoint", endpoint=spec)
    raise ValueError(f"--target {text!r}: {expected}")


def parse_targets(texts: list[str], reference: str | None, fail_on_difference: bool) -> list[TargetSpec]:
    """Every ``--target``, with ``--reference`` and ``--fail-on-difference`` checked against them."""
    specs = [parse_target(t) for t in texts]
    seen: set[str] = set()
    for spec in specs:
        if spec.name.lower() in seen:
            raise ValueError(f"--target {spec.name}: two targets have that name; each needs its own")
        seen.add(spec.name.lower())
    names = [s.name for s in specs]
    if reference is not None and reference not in names:
        raise ValueError(f"--reference {reference} names no target; the targets are {', '.join(names) or 'none'}")
    if fail_on_difference and (reference is None or len(specs) < 2):
        raise ValueError("--fail-on-difference needs --reference NAME and at least two --target")
    return specs


def credential_variables(name: str) -> tuple[str, str]:
    """The environment variables holding a target's key id and secret."""
    stem = re.sub(r"[^A-Z0-9]", "_", name.upper())
    return f"CONFORMANCE_{stem}_KEY_ID", f"CONFORMANCE_{stem}_KEY_SECRET"


def replay_folder(spec: TargetSpec, vendor: str) -> tuple[str, str]:
    """``(cassette_dir, target_name)`` of a replay target: where ``conformance run --replay`` finds its cassettes."""
    folder = Path(str(spec.folder))
    if (folder / vendor / spec.name).is_dir():
        return str(folder), spec.name
    if folder.parent.name == vendor and folder.is_dir():
        return str(folder.parent.parent), folder.name
    raise ValueError(f"--target {spec.name}=replay:{spec.folder}: no recording there; expected a folder "
                     f"CASSETTE_DIR/{vendor}/TARGET of cassettes, or a CASSETTE_DIR holding {vendor}/{spec.name}")


def settings_for(base: Settings, spec: TargetSpec, env: Mapping[str, str]) -> Settings:
    """The settings of ``spec`` run alone: ``base`` with the target's endpoint, replay, deviations, name, credentials."""
    vendor = base.vendors[0]
    changes: dict[str, object] = {"target_name": spec.name, "endpoint": None, "replay": False,
                                  "deviations": list(spec.deviations), "markdown": None, "baseline": base.baseline}
    if spec.kind == "endpoint":
        changes["endpoint"] = spec.endpoint
    elif spec.kind == "replay":
        changes["cassette_dir"], changes["target_name"] = replay_folder(spec, vendor)
        changes["replay"], changes["record"] = True, False
    id_var, secret_var = credential_variables(spec.name)
    if env.get(id_var) or env.get(secret_var):
        if not (env.get(id_var) and env.get(secret_var)):
            raise ValueError(f"--target {spec.name}: {id_var} and {secret_var} go together")
        changes["key_id"], changes["key_secret"] = env[id_var], env[secret_var]
    # under GitHub Actions the parity run writes the one step summary; a target's run writes none
    target_env = {k: v for k, v in base.env.items() if k != "GITHUB_STEP_SUMMARY"}
    settings = dataclasses.replace(base, env=target_env, **changes)  # type: ignore[arg-type]
    settings.validate()
    return settings


def check_base(base: Settings) -> None:
    """Raise ValueError for the run-wide flags a parity run cannot take beside ``--target``."""
    if len(base.vendors) != 1:
        raise ValueError("--target needs a single --vendor (alibaba or tencent): a parity run compares targets "
                         "of one API")
    for flag, given in (("--endpoint", base.endpoint), ("--replay", base.replay), ("--deviation", base.deviations),
                        ("--target-name", base.target_name)):
        if given:
            raise ValueError(f"{flag} and --target exclude each other: give each target as --target NAME=URL, "
                             f"NAME=replay:DIR or NAME=emulator[:DEVIATION,...]")
