"""A per-run registry of secrets, scrubbed from everything the run writes (issue 14).

``redact.py`` removes credentials from the places they are *expected*: the request's
``AccessKeyId``, ``Signature`` and ``Authorization``. An endpoint that echoes its request
puts them anywhere else: instance names, error messages, response headers, HTML. Only
exact-string replacement catches those, and only if the strings are known, and the
signatures are known only once the run has computed them. So:

* the signing code registers every value it sends that lets a reader sign or identify:
  the key id, the secret, any security token, and each signature it computes
  (:meth:`SecretRegistry.add`);
* every writer (JSON, HTML, JUnit, cassettes and their metadata) and the console pass
  their text through :meth:`SecretRegistry.scrub`, which replaces each registered value
  in its raw, URL-encoded and JSON-escaped forms (and HTML-escaped, for reports).

The registry is per process: under pytest-xdist each worker signs its own requests and so
must scrub what it produces (results and cassettes) before they leave it; the controller
knows the credentials but not the workers' signatures.

No imports from the rest of ``conformance``, so it can be plugged in after the restructure.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import threading
from collections.abc import Iterable
from itertools import groupby
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

__all__ = ["MIN_LENGTH", "REDACTED", "RUN_SECRETS", "ScrubbingStream", "SecretRegistry", "written_forms"]

REDACTED = "<redacted>"
#: Texts this long are first looked through for their distinct candidate runs (:meth:`SecretRegistry._candidates`).
PREFILTER_FROM = 4096
#: Texts this long keep their candidate runs for the next scrub of the same text (the last four).
REMEMBER_FROM = 256 * 1024
#: Shorter values are not registered: replacing a 3-character "secret" everywhere would
#: shred every report, and no real key id, secret, token or signature is that short.
MIN_LENGTH = 6


def written_forms(secret: str) -> list[str]:
    """The forms in which ``secret`` can appear in what the run writes, longest first."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), json.dumps(secret)[1:-1],
             json.dumps(secret, ensure_ascii=False)[1:-1], html.escape(secret), html.escape(secret, quote=False),
             # JSON-escaped then URL-encoded, and the other way round: evidence nests them
             quote(json.dumps(secret)[1:-1], safe=""), json.dumps(quote(secret, safe=""))[1:-1],
             # URL-encoded twice: an echoed, encoded secret drawn as a filter value and sent in a query
             quote(quote(secret, safe=""), safe="")}
    return sorted((f for f in forms if f), key=len, reverse=True)


class SecretRegistry:
    """Values that must never be written, and the one function that removes them from text.

    Thread-safe: checks may sign from several threads. The matching regex is rebuilt
    lazily after additions, so registering a signature per request stays cheap.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._order: list[str] = []  # registration order: generations cover its consecutive slices
        # Values in compiled generations, each a (count, pattern), plus the ones not compiled yet.
        # Registering one signature per request must not recompile everything each time:
        # generations are merged like a log-structured tree, so compiling costs O(n log n).
        self._generations: list[tuple[int, re.Pattern[str]]] = []
        self._uncompiled: list[str] = []
        #: values kept by :meth:`clear` (credentials: every run of the process knows them)
        self._pinned: set[str] = set()
        #: every character of every written form, and the shortest form: see :meth:`_candidates`
        self._alphabet: set[str] = set()
        self._shortest = 0
        self._runs: tuple[re.Pattern[str], str] | None = None
        #: the candidates of the last few large texts: a run writes the same answer to its evidence and its cassette
        self._recent: dict[bytes, str] = {}
        for value in values:
            self.add(value)

    def add(self, value: str | bytes | None, pinned: bool = False) -> None:
        """Register ``value`` (a key id, secret, token or computed signature); short or empty values are ignored.

        ``pinned`` values (credentials) survive :meth:`clear`; signatures do not.
        """
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not value or len(value) < MIN_LENGTH:
            return
        with self._lock:
            if pinned:
                self._pinned.add(value)
            if value not in self._values:
                self._values.add(value)
                self._order.append(value)
                self._uncompiled.append(value)
                self._learn(value)

    def clear(self) -> None:
        """Forget every value but the pinned ones: a finished session's signatures, in a process that runs many.

        Without it a long-lived process (a test suite, a library user running session after
        session) would scrub every string against every signature it ever computed.
        """
        with self._lock:
            kept = [v for v in self._order if v in self._pinned]
            self._values, self._order = set(kept), list(kept)
            self._generations, self._uncompiled = [], list(kept)
            self._alphabet, self._shortest, self._runs = set(), 0, None
            for value in kept:
                self._learn(value)

    def _learn(self, value: str) -> None:
        """Widen the alphabet of written forms by ``value``'s (under the lock); the runs' pattern is rebuilt lazily."""
        forms = written_forms(value)
        before = len(self._alphabet)
        for form in forms:
            self._alphabet.update(form)
        shortest = min(len(form) for form in forms)
        if len(self._alphabet) != before or not self._shortest or shortest < self._shortest:
            self._shortest = min(shortest, self._shortest or shortest)
            self._runs = None
            self._recent = {}

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    @staticmethod
    def _compile(values: list[str]) -> re.Pattern[str]:
        forms = {form for value in values for form in written_forms(value)}
        return re.compile(_trie_pattern(forms))

    def _compiled(self) -> tuple[list[re.Pattern[str]], tuple[re.Pattern[str], str] | None]:
        with self._lock:
            if self._uncompiled:
                count, self._uncompiled = len(self._uncompiled), []
                # the newest generations no larger than what is being compiled are merged into it
                while self._generations and self._generations[-1][0] <= count:
                    count += self._generations.pop()[0]
                self._generations.append((count, self._compile(self._order[-count:])))
            if self._runs is None and self._alphabet:
                separator = next((c for c in ("\n", "\x00", " ", "<", "\x01") if c not in self._alphabet), None)
                if separator is not None:
                    chars = "".join(re.escape(c) for c in sorted(self._alphabet))
                    self._runs = (re.compile(f"[{chars}]{{{self._shortest},}}"), separator)
            return [pattern for _count, pattern in self._generations], self._runs

    def scrub(self, text: str) -> str:
        """``text`` with every registered value, in every written form, replaced by ``<redacted>``."""
        if len(text) < MIN_LENGTH:  # shorter than any registered value: most of a result's strings
            return text
        patterns, runs = self._compiled()
        if runs is not None and len(text) >= PREFILTER_FROM:
            # remembered by digest, not by the text: four answers of up to --max-answer-bytes are not kept
            key = hashlib.blake2b(text.encode("utf-8", "surrogatepass")).digest() if len(text) >= REMEMBER_FROM else b""
            candidates = self._recent.get(key) if key else None
            if candidates is None:
                candidates = self._candidates(text, *runs)
                if key:
                    with self._lock:
                        if self._runs is runs:  # the alphabet did not change meanwhile
                            while len(self._recent) >= 4:
                                del self._recent[next(iter(self._recent))]
                            self._recent[key] = candidates
            patterns = [pattern for pattern in patterns if pattern.search(candidates)]
        for pattern in patterns:
            text = pattern.sub(REDACTED, text)
        return text

    @staticmethod
    def _candidates(text: str, runs: re.Pattern[str], separator: str) -> str:
        """Each distinct run of ``text`` that could hold a written form, once, apart from the others.

        A form is made of the alphabet's characters only, so it lies inside one maximal run of them
        at least as long as the shortest form: a pattern finds a form in ``text`` exactly when it
        finds one here. An answer repeats its field names and values (a 2 MB hostile one repeats one
        tag 200,000 times), so the distinct runs are a small text, and most answers hold no secret.
        """
        return separator.join(set(runs.findall(text)))

    def scrub_bytes(self, data: bytes) -> bytes:
        """The same for bytes (cassette bodies): decoded as UTF-8 with surrogates kept, so nothing else changes."""
        if not self._values or not data:
            return data
        return self.scrub(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def scrub_data(self, value: Any) -> Any:
        """Every string inside a JSON-like value (dict keys included): results, cassette dicts, metadata."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, bytes):
            return self.scrub_bytes(value)
        if isinstance(value, dict):
            return {self.scrub_data(k): self.scrub_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.scrub_data(v) for v in value)
        return value


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching any of ``words``, longest first, written as a trie.

    A plain alternation makes ``re`` try every word at every position of the text; answers
    of several megabytes scrubbed against a run's hundreds of signatures took seconds each.
    The trie tries one branch per character, several times faster on the same text. It is
    built from the sorted words a branch at a time (a radix tree): signatures are random, so
    below their first characters each is a single chain, written out whole.
    """
    ordered = sorted({word for word in words if word})
    if not ordered:
        return "(?!)"

    def build(group: list[str], depth: int) -> str:
        """The pattern for what follows ``depth`` in ``group``: sorted words sharing their first ``depth``."""
        optional, branches = False, []
        for char, members in groupby(group, key=lambda word: word[depth:depth + 1]):
            chunk = list(members)
            if not char:  # a word ends here: what follows is optional
                optional = True
            elif len(chunk) == 1:
                branches.append(re.escape(chunk[0][depth:]))
            else:
                common = len(os.path.commonprefix(chunk))
                branches.append(re.escape(chunk[0][depth:common]) + build(chunk, common))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if not optional:
            return body
        return (body if len(branches) > 1 else "(?:" + body + ")") + "?"

    common = len(os.path.commonprefix(ordered))
    return re.escape(ordered[0][:common]) + build(ordered, common)


#: The run's registry: fed by the signing code, read by every writer and by the console.
RUN_SECRETS = SecretRegistry()


class ScrubbingStream(io.TextIOBase):
    """A text stream that scrubs before writing: ``sys.stdout = ScrubbingStream(sys.stdout)``.

    Written line by line: a secret split across two ``write`` calls within a line is still
    caught, since nothing is passed on before the line ends (or :meth:`flush`).
    """

    def __init__(self, stream: TextIO, registry: SecretRegistry | None = None) -> None:
        super().__init__()
        self._stream = stream
        self._registry = registry if registry is not None else RUN_SECRETS
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self._stream.write(self._registry.scrub(complete + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._registry.scrub(self._pending))
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")
