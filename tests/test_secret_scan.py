"""The secret scanner finds each written form of a secret, and only those."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, quote_plus

from secret_scan import forms, scan

SECRET = "AKID/x+y=z"  # characters that URL-encoding and JSON-escaping change


def test_forms_cover_url_and_json() -> None:
    values = set(forms(SECRET).values())
    assert {SECRET, quote(SECRET, safe=""), quote_plus(SECRET)} <= values
    assert json.dumps('a"b\\c')[1:-1] in forms('a"b\\c').values()


def test_clean_tree_has_no_findings(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"key": "<redacted>"}')
    assert scan([tmp_path], ["all fine"], [SECRET, ""]) == []


def test_finds_raw_in_nested_file_with_offset(tmp_path: Path) -> None:
    nested = tmp_path / "cassettes" / "tencent"
    nested.mkdir(parents=True)
    (nested / "c.yaml").write_bytes(b"xx" + SECRET.encode())
    assert scan([tmp_path], [], [SECRET]) == [f"{nested / 'c.yaml'}:2 raw of AKID…"]


def test_finds_url_encoded_forms(tmp_path: Path) -> None:
    (tmp_path / "r.html").write_text(f"?a={quote(SECRET, safe='')}")
    assert scan([tmp_path / "r.html"], [], [SECRET]) == [f"{tmp_path / 'r.html'}:3 url-encoded of AKID…"]
    spaced = "tok en/1"  # quote_plus differs from quote only where there is a space
    (tmp_path / "r.html").write_text(f"?b={quote_plus(spaced)}")
    assert scan([tmp_path], [], [spaced]) == [f"{tmp_path / 'r.html'}:3 url-encoded (form) of tok …"]


def test_finds_json_escaped(tmp_path: Path) -> None:
    secret = 'sig"na\\ture'
    (tmp_path / "c.json").write_text(json.dumps({"v": secret}))
    assert [f for f in scan([tmp_path], [], [secret]) if "json-escaped" in f]


def test_finds_in_console_text() -> None:
    assert scan([], ["hello", f"key {SECRET}"], [SECRET]) == ["<console 1>:4 raw of AKID…"]


def test_findings_do_not_repeat_the_secret(tmp_path: Path) -> None:
    (tmp_path / "f").write_text(SECRET)
    assert all(SECRET not in f for f in scan([tmp_path], [], [SECRET]))
