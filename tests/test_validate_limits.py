"""Hostile input: each rejected quickly, with a clear message and a position."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.conftest import run_cli
from tests.validate_helpers import FLOW, found, validate, write_tree

F = "flows.d/A/flow.yaml"


def _one(tmp_path: Path, content: str | bytes) -> tuple[tuple[str, int, int, str, str], float]:
    start = time.perf_counter()
    result = found(validate(tmp_path, {F: content}))
    elapsed = time.perf_counter() - start
    assert len(result) == 1, result
    return result[0], elapsed


def test_alias_bomb(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    finding, elapsed = _one(tmp_path, "\n".join(lines) + "\n")
    assert finding == (
        F,
        6,
        10,
        "yaml-aliases",
        "aliases expand to more than 100000 nodes (an alias bomb?)",
    )
    assert elapsed < 2


def test_too_many_aliases(tmp_path: Path) -> None:
    text = "base: &b x\nitems:\n" + "".join("  - *b\n" for _ in range(101))
    finding, _ = _one(tmp_path, text)
    assert finding == (F, 103, 5, "yaml-aliases", "more than 100 aliases")


def test_a_few_aliases_and_merge_keys_are_fine(tmp_path: Path) -> None:
    text = FLOW.replace(
        "resume:\n  url: https://integration.example.com/orders/resume\n",
        "resume:\n  <<: &endpoint {url: https://integration.example.com/orders/resume}\n",
    )
    assert found(validate(tmp_path, {F: text})) == []


def test_nesting_100_deep_block_style(tmp_path: Path) -> None:
    text = "".join("  " * depth + f"k{depth}:\n" for depth in range(100)) + "  " * 100 + "x\n"
    finding, elapsed = _one(tmp_path, text)
    assert finding == (F, 65, 129, "yaml-depth", "nesting is deeper than 64 levels")
    assert elapsed < 2


def test_nesting_a_megabyte_of_brackets(tmp_path: Path) -> None:
    finding, elapsed = _one(tmp_path, "[" * (1024 * 1024 - 1))
    assert finding == (F, 1, 65, "yaml-depth", "nesting is deeper than 64 levels")
    assert elapsed < 2


def test_five_mebibyte_file(tmp_path: Path) -> None:
    text = FLOW + "description: " + "x" * (5 * 1024 * 1024) + "\n"
    finding, elapsed = _one(tmp_path, text)
    assert finding == (
        F,
        1,
        1,
        "file-too-large",
        "file is larger than 1 MiB, the limit for one file",
    )
    assert elapsed < 2


def test_five_mebibyte_file_through_the_cli(tmp_path: Path) -> None:
    write_tree(tmp_path, {F: FLOW + "#" + "x" * (5 * 1024 * 1024) + "\n"})
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"{F}:1:1: error[file-too-large]: file is larger than 1 MiB, the limit for one file"
    )
    assert "Traceback" not in result.stderr


def test_binary_junk(tmp_path: Path) -> None:
    junk = os.urandom(4096)
    junk = junk[:100] + b"\x00" + junk[100:]
    finding, _ = _one(tmp_path, junk)
    assert finding[3] in ("binary-file", "encoding")
    nul_first = b"ab\ncd\x00" + junk
    finding, _ = _one(tmp_path, nul_first)
    assert finding == (
        F,
        2,
        3,
        "binary-file",
        "file contains NUL bytes: this looks like a binary file, not YAML",
    )


def test_control_characters(tmp_path: Path) -> None:
    finding, _ = _one(tmp_path, "apiVersion: reconciler/v1\nkind: \x07Flow\n")
    assert finding == (
        F,
        2,
        7,
        "yaml-syntax",
        "unacceptable character #x0007: control characters are not allowed",
    )


def test_empty_file(tmp_path: Path) -> None:
    assert _one(tmp_path, "")[0] == (F, 1, 1, "empty-file", "file is empty")
    assert _one(tmp_path, "\n\n  \n")[0] == (F, 1, 1, "empty-file", "file is empty")


def test_non_utf8_file(tmp_path: Path) -> None:
    finding, _ = _one(
        tmp_path, FLOW.replace("name: Orders", "name: Bestellungen f\xfcr").encode("cp1252")
    )
    assert finding == (F, 3, 21, "encoding", "file is not valid UTF-8 (byte 0xfc at offset 57)")


def test_utf16_file(tmp_path: Path) -> None:
    finding, _ = _one(tmp_path, FLOW.encode("utf-16"))
    assert finding == (F, 1, 1, "encoding", "file is UTF-16 encoded")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    assert found(validate(tmp_path, {F: b"\xef\xbb\xbf" + FLOW.encode()})) == []


def test_python_object_tags_are_never_constructed(tmp_path: Path) -> None:
    text = FLOW + "description: !!python/object/apply:os.system ['touch pwned']\n"
    assert found(validate(tmp_path, {F: text})) == [
        (F, 13, 14, "schema", "description must be text, not a list"),
        (
            F,
            13,
            14,
            "yaml-tag",
            "tag '!!python/object/apply:os.system' is not allowed: only plain data is loaded",
        ),
    ]
    assert not (tmp_path / "pwned").exists()


def test_unreadable_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {F: FLOW})
    (tmp_path / F).chmod(0)
    try:
        if os.access(tmp_path / F, os.R_OK):  # root reads anything: use a directory instead
            (tmp_path / F).chmod(0o644)
            (tmp_path / F).unlink()
            (tmp_path / F).mkdir()
            (tmp_path / F / "x").write_text("")
            assert found(validate(tmp_path, {})) == []  # a directory named *.yaml is skipped
            return
        assert found(validate(tmp_path, {}))[0][3] == "unreadable"
    finally:
        if (tmp_path / F).is_file():
            (tmp_path / F).chmod(0o644)


def test_a_megabyte_of_block_sequence_nesting(tmp_path: Path) -> None:
    finding, elapsed = _one(tmp_path, "- " * (512 * 1024 - 1))
    assert finding == (F, 1, 129, "yaml-depth", "nesting is deeper than 64 levels")
    assert elapsed < 2


def test_utf32_is_named_as_such(tmp_path: Path) -> None:
    for encoding in ("utf-32", "utf-32-le", "utf-32-be"):
        finding, _ = _one(tmp_path, FLOW.encode(encoding))
        assert finding == (F, 1, 1, "encoding", "file is UTF-32 encoded"), encoding


def test_utf16_without_a_byte_order_mark(tmp_path: Path) -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        finding, _ = _one(tmp_path, FLOW.encode(encoding))
        assert finding == (F, 1, 1, "encoding", "file is UTF-16 encoded"), encoding


def test_a_lone_surrogate_is_reported_where_it_is(tmp_path: Path) -> None:
    text = FLOW.replace("name: Orders", 'name: "Bad \\ud800 Flow"')
    finding, _ = _one(tmp_path, text)
    assert finding == (
        F,
        3,
        7,
        "encoding",
        "text contains an unpaired surrogate (U+D800): it is not valid Unicode",
    )
    finding, _ = _one(tmp_path, FLOW + '"x-\\udfff": 1\n')
    assert finding[:4] == (F, 13, 1, "encoding")
    # A pair written as two escapes, as JSON writes it, is one character.
    text = FLOW.replace("name: Orders", 'name: "Orders \\ud83d\\ude00"')
    assert found(validate(tmp_path, {F: text})) == []


def test_a_number_too_long_to_read_is_one_finding(tmp_path: Path) -> None:
    text = FLOW + "dispatch:\n  batchSize: " + "9" * 5000 + "\n"
    finding, _ = _one(tmp_path, text)
    assert finding == (
        F,
        14,
        14,
        "schema",
        "a number with 5000 digits is out of range for every setting",
    )


def test_duplicate_anchors_are_refused(tmp_path: Path) -> None:
    finding, _ = _one(tmp_path, FLOW + "x: &a 1\ny: &a 2\n")
    assert finding == (
        F,
        14,
        4,
        "yaml-syntax",
        "invalid YAML: found duplicate anchor; first occurrence at line 13, "
        "second occurrence at line 14",
    )


def test_yaml_12_scalars_and_merge_order() -> None:
    from reconciler.load.yamlsafe import load_text

    text = (
        "a: on\nb: yes\nc: 0o17\nd: 017\ne: 0x1f\nf: .inf\ng: ~\nh: !!str 12\n"
        "i: 2026-11-27T22:00:00Z\nj: '2026-11-27T22:00:00Z'\nk: {after: 2026-11-27T22:00:00Z}\n"
        "m:\n  <<: [{x: 1, y: 1}, {x: 2, z: 2}]\n  y: 3\n"
    )
    loaded = load_text(text.encode())
    assert loaded.problems == []
    assert loaded.data == {
        "a": "on",
        "b": "yes",
        "c": 15,
        "d": 17,
        "e": 31,
        "f": float("inf"),
        "g": None,
        "h": "12",
        "i": "2026-11-27T22:00:00Z",
        "j": "2026-11-27T22:00:00Z",
        "k": {"after": "2026-11-27T22:00:00Z"},
        "m": {"x": 1, "y": 3, "z": 2},  # explicit keys win, then earlier merged mappings
    }
    assert loaded.value_pos(("k", "after")) == (11, 12)
    assert loaded.key_pos(("m", "y")) == (14, 3)
