"""Hostile values in flow, request and config files, through the real CLI: each is a finding
with its file:line:col in every command that reads the tree, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.validate_helpers import FLOW, REQUEST, write_tree

F = "flows.d/Sales/orders.yaml"
R = "requests.d/r.yaml"
COMMANDS = (
    ("validate",),
    ("plan",),
    ("check",),
    ("requests", "preview"),
    ("codeowners", "--stdout"),
)


def _every_command_reports(root: Path, where: str, message: str) -> None:
    for command in COMMANDS:
        result = run_cli(*command, cwd=root)
        out = result.stdout + result.stderr
        assert result.returncode == 1, (command, out)
        assert "Traceback" not in out and "internal error" not in out, (command, out)
        assert where in out and message in out, (command, where, message, out)


@pytest.mark.parametrize(
    ("flow", "where", "message"),
    [
        (
            FLOW + "dispatch:\n  batchSize: " + "9" * 5000 + "\n",
            f"{F}:14:14",
            "a number with 5000 digits is out of range for every setting",
        ),
        (
            FLOW.replace("name: Orders", 'name: "Bad \\ud800 Flow"'),
            f"{F}:3:7",
            "text contains an unpaired surrogate (U+D800): it is not valid Unicode",
        ),
        (
            FLOW + "dispatch:\n  concurrency: 99999999999999999999999\n",
            f"{F}:14:16",
            "dispatch.concurrency: 99999999999999999999999 is greater than the maximum of 64",
        ),
    ],
    ids=["5000-digits", "lone-surrogate", "huge-integer"],
)
def test_hostile_flow_values_in_every_command(
    tmp_path: Path, flow: str, where: str, message: str
) -> None:
    write_tree(tmp_path, {F: flow, R: REQUEST})
    _every_command_reports(tmp_path, where, message)


@pytest.mark.parametrize(
    ("request_text", "where", "message"),
    [
        (
            REQUEST + "  status: [99999999999999999999999]\n",
            f"{R}:9:12",
            "select.status[0]: 99999999999999999999999 is greater than the maximum of 2147483647",
        ),
        (
            REQUEST + "  status: ['99999999999999999999999']\n",
            f"{R}:9:12",
            "statusId '99999999999999999999999' is out of range",
        ),
        (
            REQUEST + "limits:\n  maxRuns: 999999999999999999999999999\n",
            f"{R}:10:12",
            "limits.maxRuns: 999999999999999999999999999 is greater than the maximum of 2147483647",
        ),
    ],
    ids=["status-integer", "status-text", "max-runs"],
)
def test_out_of_range_request_integers(
    tmp_path: Path, request_text: str, where: str, message: str
) -> None:
    write_tree(tmp_path, {F: FLOW, R: request_text})
    for command in (("validate",), ("requests", "preview")):
        result = run_cli(*command, cwd=tmp_path)
        out = result.stdout + result.stderr
        assert result.returncode == 1 and where in out and message in out, (command, out)
        assert "Traceback" not in out and "internal error" not in out
    dispatch = run_cli(
        "--store", f"sqlite:///{tmp_path}/s.db", "requests", "dispatch", cwd=tmp_path
    )
    assert dispatch.returncode == 1 and where in dispatch.stderr, dispatch.stderr
    assert "Traceback" not in dispatch.stderr


def test_out_of_range_status_code_in_the_config(tmp_path: Path) -> None:
    config = "apiVersion: reconciler/v1\nkind: Config\nstatuses: {99999999999999999999: Failed}\n"
    write_tree(tmp_path, {F: FLOW, R: REQUEST, "reconciler.yaml": config})
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "reconciler.yaml:3:12: error[schema]: statuses: key '99999999999999999999' does not "
        "match the pattern ^-?[0-9]{1,9}$"
    ) in result.stdout
    for command in (("requests", "preview"), ("plan",)):
        other = run_cli(*command, cwd=tmp_path)
        assert other.returncode == 1 and "reconciler.yaml:3:12" in other.stderr, other.stderr
        assert "Traceback" not in other.stderr


NUMERIC_HOSTS = {
    "2130706433": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "127.1": "127.0.0.1",
    "0": "0.0.0.0",
    "127.000.000.001": "127.0.0.1",
    "0xa9fea9fe": "169.254.169.254",
}


def test_numeric_ipv4_spellings_are_private_addresses(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for index, host in enumerate(NUMERIC_HOSTS):
        text = FLOW.replace("name: Orders", f"name: Flow {index}")
        files[f"flows.d/f{index}.yaml"] = text.replace("integration.example.com", host)
    write_tree(tmp_path, files)
    result = run_cli("validate", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    import json

    findings = json.loads(result.stdout)["findings"]
    for index, (host, address) in enumerate(NUMERIC_HOSTS.items()):
        mine = [f for f in findings if f["path"] == f"flows.d/f{index}.yaml"]
        assert {(f["line"], f["col"], f["rule"]) for f in mine} == {
            (7, 8, "url-private-address"),
            (12, 8, "url-private-address"),
        }, (host, mine)
        assert mine[0]["message"].startswith(f"URL host {host} stands for {address}, which is ")
        assert f'network.allow: ["{address}"]' in mine[0]["hint"]
    allowed = "apiVersion: reconciler/v1\nkind: Config\nnetwork: {allow: [127.0.0.0/8]}\n"
    write_tree(tmp_path, {"reconciler.yaml": allowed})
    result = run_cli("validate", "--format", "json", cwd=tmp_path)
    left = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert left == {"flows.d/f4.yaml", "flows.d/f6.yaml"}  # 0.0.0.0 and the metadata address


def test_utf32_file_through_the_cli(tmp_path: Path) -> None:
    write_tree(tmp_path, {F: FLOW.encode("utf-32")})
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{F}:1:1: error[encoding]: file is UTF-32 encoded" in result.stdout


@pytest.mark.parametrize(
    ("bundle", "message"),
    [
        ("/dev/zero", "is not a regular file (it must be a PEM file of CA certificates)"),
        ("certs", "is not a regular file (it must be a PEM file of CA certificates)"),
        ("flows.d/Sales/orders.yaml", "is not a PEM bundle (no -----BEGIN CERTIFICATE----- line)"),
    ],
)
def test_a_ca_bundle_that_is_not_a_pem_file(tmp_path: Path, bundle: str, message: str) -> None:
    config = f"apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  caBundle: {bundle}\n"
    write_tree(tmp_path, {F: FLOW, "reconciler.yaml": config})
    (tmp_path / "certs").mkdir()
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        f"reconciler.yaml:4:13: error[config-ca-bundle]: network.caBundle: {bundle} {message}"
    ) in result.stdout


def test_validate_in_a_repository_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    result = run_cli("--repo", str(missing), "validate", cwd=tmp_path)
    assert result.returncode == 64, result.stdout + result.stderr
    assert f"--repo {missing}: no such directory" in result.stderr
    assert "All valid" not in result.stdout
