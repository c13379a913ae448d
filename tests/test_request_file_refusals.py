"""What dispatch could only fail on, or refuse, because of the request file alone is a
validate finding with its position first; preview and dispatch then refuse the file with
the same finding and send nothing: a flow named twice (it used to end dispatch in an
internal error: the same runs frozen twice under one request) and a request following up
itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store_at, write_tree

NAME = "2026-11-28-sap-outage"
CASES = {
    "flow named twice": (
        "flows: [Order Processing]",
        "flows: [Order Processing, Order Processing]",
        "requests.d/2026-11-28-sap-outage.yaml:6:27: error[duplicate-flow-reference]: "
        "flow 'Order Processing' is named twice in flows (entries 1 and 2)",
    ),
    "follows itself": (
        "select:\n",
        f"select:\n  fromRequest: {{name: {NAME}}}\n",
        "requests.d/2026-11-28-sap-outage.yaml:8:23: error[from-request-self]: "
        f"fromRequest names this request itself ('{NAME}')",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_preview_and_dispatch_refuse_the_file_with_its_position(
    case: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    before, after, finding = CASES[case]
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(15)])
        request = tmp_path / "requests.d" / f"{NAME}.yaml"
        text = request.read_text()
        assert before in text
        request.write_text(text.replace(before, after))

        def cli(*args: str) -> tuple[int, str]:
            done = run_cli(
                "--store",
                store_url,
                "--repo",
                str(tmp_path),
                *args,
                env={"ORDERS_API_KEY": API_KEY},
            )
            assert "internal error" not in done.stdout + done.stderr
            return done.returncode, done.stdout + done.stderr

        code, out = cli("validate")
        assert code == 1 and finding in out, out
        code, out = cli("requests", "preview")
        position, _, message = finding.partition(" error[")
        assert code == 1 and f"{position} error: {message.split(']: ', 1)[1]}" in out, out
        code, out = cli("requests", "dispatch")
        assert code == 1, out
        assert receiver.hits == []
    code, out = cli("requests", "status")
    assert code == 0 and NAME not in out  # nothing frozen: the file can still be fixed
