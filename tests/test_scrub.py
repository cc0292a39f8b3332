"""The run's secret registry scrubs every written form, and leaves everything else alone."""

from __future__ import annotations

import io
import json
import threading
import time
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st
from secret_scan import forms, scan

from conformance.wire.scrub import REDACTED, ScrubbingStream, SecretRegistry

SIGNATURE = "q3x/Ab+cd=="  # base64: every character URL-encoding changes
KEY = "AKID0123456789"


def test_every_written_form_is_scrubbed() -> None:
    registry = SecretRegistry([SIGNATURE, KEY])
    for form in (SIGNATURE, quote(SIGNATURE, safe=""), quote_plus(SIGNATURE), json.dumps(SIGNATURE)[1:-1],
                 quote(json.dumps(SIGNATURE)[1:-1], safe="")):
        assert registry.scrub(f"name={form};") == f"name={REDACTED};", form


def test_scrubbed_text_passes_the_scanner(tmp_path) -> None:
    tricky = 'se"cr\\et/+= key'
    registry = SecretRegistry([tricky, SIGNATURE])
    written = json.dumps({"n": [tricky, quote_plus(tricky), f"x{SIGNATURE}y"]}) + quote(tricky, safe="")
    (tmp_path / "report.json").write_text(registry.scrub(written))
    assert scan([tmp_path], [], [tricky, SIGNATURE]) == []
    (tmp_path / "raw.json").write_text(written)
    assert scan([tmp_path], [], [tricky, SIGNATURE])  # the same text unscrubbed is found


def test_unrelated_text_and_short_values_are_left_alone() -> None:
    registry = SecretRegistry(["abc", ""])
    assert len(registry) == 0
    assert registry.scrub("abc def") == "abc def"
    assert SecretRegistry([KEY]).scrub("nothing secret") == "nothing secret"


def test_values_added_later_are_scrubbed() -> None:
    registry = SecretRegistry([KEY])
    assert registry.scrub(SIGNATURE) == SIGNATURE
    registry.add(SIGNATURE)
    assert registry.scrub(SIGNATURE) == REDACTED


def test_bytes_and_nested_data() -> None:
    registry = SecretRegistry([KEY])
    assert registry.scrub_bytes(b"\xff" + KEY.encode() + b"\xfe") == b"\xff" + REDACTED.encode() + b"\xfe"
    data = {"headers": {KEY: [KEY, 1]}, "body": {"string": KEY.encode()}}
    assert registry.scrub_data(data) == {"headers": {REDACTED: [REDACTED, 1]}, "body": {"string": REDACTED.encode()}}


def test_console_stream_scrubs_across_writes_within_a_line() -> None:
    registry = SecretRegistry([KEY])
    out = io.StringIO()
    stream = ScrubbingStream(out, registry)
    stream.write("key " + KEY[:5])
    stream.write(KEY[5:] + " done\nnext ")
    stream.flush()
    assert out.getvalue() == f"key {REDACTED} done\nnext "


def test_many_signatures_from_threads() -> None:
    """One signature registered per request, evidence scrubbed after each: must not recompile everything each time."""
    started = time.perf_counter()
    registry = SecretRegistry()
    signatures = [f"sig{n:06d}/+=" for n in range(500)]

    def add(part: list[str]) -> None:
        for s in part:
            registry.add(s)
            registry.scrub(s)

    threads = [threading.Thread(target=add, args=(signatures[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert registry.scrub(" ".join(signatures)) == " ".join([REDACTED] * 500)
    assert time.perf_counter() - started < 5.0  # recompiling on every addition took ~28 s


def test_clear_forgets_signatures_and_keeps_credentials():
    """A process that runs session after session must not scrub against every signature it ever made."""
    registry = SecretRegistry()
    registry.add("AKIDcredential", pinned=True)
    registry.add("signature-one-abcdef")
    assert registry.scrub("AKIDcredential signature-one-abcdef") == f"{REDACTED} {REDACTED}"
    registry.clear()
    assert len(registry) == 1
    assert registry.scrub("AKIDcredential signature-one-abcdef") == f"{REDACTED} signature-one-abcdef"
    registry.add("signature-two-abcdef")
    assert registry.scrub("signature-two-abcdef") == REDACTED


def test_trie_pattern_is_the_same_expression_as_a_character_trie():
    """The radix-built pattern is exactly the per-character trie's: longest match first, prefixes optional."""
    import random
    import re

    from conformance.wire.scrub import _trie_pattern

    def per_character(words):
        trie: dict = {}
        for word in words:
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            node[""] = {}

        def build(node):
            branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
            if not branches:
                return ""
            body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
            if "" not in node:
                return body
            return (body if len(branches) > 1 else "(?:" + body + ")") + "?"

        return build(trie) or "(?!)"

    draw = random.Random(7)
    for _ in range(2000):
        words = ["".join(draw.choice("ab%+=") for _ in range(draw.randint(1, 6))) for _ in range(draw.randint(1, 8))]
        assert _trie_pattern(words) == per_character(words), words
    assert re.sub(_trie_pattern(["abc", "abcdef", "ab"]), "#", "xabcdefy abcz abz") == "x#y #z #z"


def test_signatures_of_the_published_test_credentials_are_not_registered():
    """Anyone can compute them; every other signature is registered, whoever gave the credentials."""
    from conformance.vendors.base import Credentials
    from conformance.wire.scrub import RUN_SECRETS

    RUN_SECRETS.clear()
    Credentials("test-key", "test-secret", public=True).register_signature("public-signature-abcdef")
    Credentials("AKIDreal", "real-secret").register_signature("private-signature-abcdef")
    try:
        assert "public-signature-abcdef" not in RUN_SECRETS
        assert "private-signature-abcdef" in RUN_SECRETS
    finally:
        RUN_SECRETS.clear()


def test_embedded_emulator_runs_sign_with_public_credentials_and_others_do_not():
    from conformance.run.settings import Settings

    assert Settings(vendors=["alibaba"]).credentials("alibaba").public
    given = Settings(vendors=["alibaba"], endpoint="http://127.0.0.1:1", key_id="AKIDx", key_secret="s" * 10)
    assert not given.credentials("alibaba").public
    env = Settings(vendors=["tencent"], env={"TENCENTCLOUD_SECRET_ID": "AKIDy", "TENCENTCLOUD_SECRET_KEY": "k" * 10})
    assert not env.credentials("tencent").public


@settings(max_examples=60, deadline=None, derandomize=True)
@given(secrets=st.lists(st.text(st.characters(min_codepoint=9, max_codepoint=0x2FF), min_size=6, max_size=14),
                        min_size=1, max_size=4),
       pieces=st.lists(st.tuples(st.text("<>/ aZ9+=%\n\"", max_size=60), st.integers(0, 9), st.integers(0, 3)),
                       min_size=1, max_size=12))
def test_a_long_text_is_scrubbed_as_without_the_prefilter(secrets: list[str], pieces: list[tuple[str, int, int]]) -> None:
    """Long texts are first cut to their distinct candidate runs; what is replaced must not change for it."""
    from conformance.wire.scrub import PREFILTER_FROM, written_forms

    registry = SecretRegistry(secrets)
    forms = [form for secret in registry._order for form in written_forms(secret)]  # noqa: SLF001
    text = "".join(filler + forms[which % len(forms)] * repeat for filler, which, repeat in pieces)
    text = (text + "<Instance>" * (PREFILTER_FROM // 10))[:max(len(text), PREFILTER_FROM)]
    patterns, runs = registry._compiled()  # noqa: SLF001
    expected = text
    for pattern in patterns:
        expected = pattern.sub(REDACTED, expected)
    assert registry.scrub(text) == expected
    assert runs is None or not any(form in registry.scrub(text) for form in forms if len(form) >= 6)


def test_a_long_repetitive_answer_is_scrubbed_in_milliseconds() -> None:
    """A hostile 2 MB answer of one tag 200,000 times: the distinct runs are few, whatever the signatures."""
    registry = SecretRegistry([KEY, *(f"signature{n:04d}/abc+def==" for n in range(400))])
    deep = "<Instance>" * 100_000 + "</Instance>" * 100_000
    registry.scrub(deep)
    started = time.perf_counter()
    assert registry.scrub(deep + KEY) == deep + REDACTED
    assert time.perf_counter() - started < 0.5


def test_an_echoed_secret_drawn_as_a_filter_value_stays_out_of_every_label() -> None:
    """Found by the echo test: a listing whose names echo an URL-encoded signature; a check draws one as a filter
    value, so the query carries it encoded twice, and the request's label (its business parameters, decoded
    once) showed the encoded signature in the HTML."""
    from urllib.parse import quote

    from conformance.reports import evidence, html
    from conformance.vendors.transport import Exchange
    from conformance.wire.scrub import RUN_SECRETS

    signature = "+nzx+hxzDIcqJ02GtnoyVIlHiam0oqmSVb9uXySLoPU="
    RUN_SECRETS.add(signature)
    value = quote(quote(signature, safe=""), safe="")
    url = f"http://127.0.0.1:9/?Action=DescribeInstances&Filters.0.Name=instance-name&Filters.0.Values.0={value}"
    exchange = Exchange("GET", url, {}, b"", "", 200, {}, b"{}", 1.0).to_dict()
    written = json.dumps(exchange) + html._exchange(1, exchange, "tencent")  # noqa: SLF001
    written += json.dumps(evidence.compact([exchange], "tencent"))
    written += html.business("tencent", {"method": "GET", "url": url, "headers": {}})
    leaked = [name for name, form in forms(signature).items() if form in written]
    assert leaked == [] and "instance-name" in written
