"""A dispatched request stays what was dispatched: only `suspend` and `cancel` may change,
and the keys added for replay controls leave the hashes of older requests and flows alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import trustme

from reconciler.core.plan import flow_spec
from reconciler.load.tree import load_tree, request_hash
from reconciler.models import Flow, Request
from tests.conftest import run_cli
from tests.dispatch_support import (
    API_KEY,
    Receiver,
    dispatch_in_process,
    record_text,
    seed_store_at,
)
from tests.dispatch_support import write_tree as write_dispatch_tree

REQUEST = "2026-11-28-sap-outage"
# The keys a request had before replay controls: what its dispatched hash was taken of.
FIRST_RELEASE_KEYS = {
    "apiVersion",
    "kind",
    "name",
    "reason",
    "action",
    "flows",
    "select",
    "limits",
    "batchSize",
}


def test_a_request_without_replay_controls_keeps_the_hash_it_was_dispatched_with(
    tmp_path: Path,
) -> None:
    request = Request.model_validate(
        {
            "apiVersion": "reconciler/v1",
            "kind": "ResubmitRequest",
            "name": "r",
            "reason": "x",
            "action": "resubmit",
            "flows": ["A"],
            "select": {"status": ["Error"]},
        }
    )
    old_text = json.dumps(
        # the first release's limits held maxRuns alone
        request.model_dump(
            mode="json", include=FIRST_RELEASE_KEYS, exclude={"limits": {"allowEmpty"}}
        ),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert request_hash(request) == "sha256:" + hashlib.sha256(old_text.encode()).hexdigest()
    flipped = request.model_copy(update={"suspend": True, "cancel": True})
    assert request_hash(flipped) == request_hash(request)
    limited = Request.model_validate(
        {
            **request.model_dump(mode="json", include=FIRST_RELEASE_KEYS),
            "rateLimit": {"requests": 5, "per": "second"},
        }
    )
    assert request_hash(limited) != request_hash(request)
    accepting = request.model_copy(
        update={"limits": request.limits.model_copy(update={"allowEmpty": True})}
    )
    assert request_hash(accepting) != request_hash(request)


def test_a_flow_without_a_rate_limit_is_stored_as_before() -> None:
    flow = Flow.model_validate(
        {
            "apiVersion": "reconciler/v1",
            "kind": "Flow",
            "name": "A",
            "mappings": [{"workflowName": "w"}],
        }
    )
    assert "rateLimit" not in json.loads(flow_spec(flow))["dispatch"]
    limited = Flow.model_validate(
        {
            **flow.model_dump(mode="json", exclude_none=True),
            "dispatch": {"rateLimit": {"requests": 10, "per": "second"}},
        }
    )
    assert json.loads(flow_spec(limited))["dispatch"]["rateLimit"] == {
        "requests": 10,
        "per": "second",
    }


def test_only_suspend_and_cancel_may_change_after_dispatch(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERS_API_KEY", API_KEY)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_dispatch_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(3)])
        [outcome] = dispatch_in_process(tmp_path, store_url)
        assert outcome.status == "completed"
    path = tmp_path / "requests.d" / f"{REQUEST}.yaml"
    original = path.read_text()
    path.write_text(original + "suspend: true\ncancel: true\n")
    allowed = run_cli("--repo", str(tmp_path), "--store", store_url, "validate", str(path))
    assert allowed.returncode == 0, allowed.stdout
    path.write_text(original.replace("reason: SAP was down", "reason: SAP was really down"))
    refused = run_cli("--repo", str(tmp_path), "--store", store_url, "validate", str(path))
    assert refused.returncode == 1
    assert f"request '{REQUEST}' was dispatched on" in refused.stdout
    assert "add a new request" in refused.stdout
    assert load_tree(tmp_path).requests  # still a structurally valid request
