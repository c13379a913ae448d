"""`fromRequest: {outcome: failed-again}`: after a replay, the runs whose chains failed
again are what the next request sends -- no more (not the chains that completed or have
no later run yet, not the runs delivered the first time), no less. Through the real CLI on
both stores: `runs list --from-request NAME:failed-again`, `requests preview`, and a
follow-up request's dispatch to a real HTTPS receiver."""

from __future__ import annotations

import json
from pathlib import Path

import trustme

from tests.dispatch_support import Receiver
from tests.status_scenario import FAILED_AGAIN, ORDERS, REPLAY, build, reimport_replay, script

FOLLOW_UP = "2026-12-02-orders-again"
# reimport_replay gives each failed-again chain one later run, la-orders-02000 onwards.
EXPECTED = {f"la-orders-{2000 + i:05d}" for i in range(len(FAILED_AGAIN))}


def test_a_follow_up_request_dispatches_exactly_the_runs_that_failed_again(
    tmp_path: Path, store_url: str
) -> None:
    ca = trustme.CA()
    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        scenario = build(tmp_path / "repo", store_url, ca, receiver)
        listed = scenario.cli(
            "runs", "list", "--from-request", f"{REPLAY}:failed-again", "--format", "json"
        )
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)["runs"] == []  # nothing ran again yet
        reimport_replay(scenario)

        listed = scenario.cli(
            "runs", "list", "--from-request", f"{REPLAY}:failed-again", "--format", "json"
        )
        assert listed.returncode == 0, listed.stderr
        runs = json.loads(listed.stdout)["runs"]
        assert {r["id"] for r in runs} == EXPECTED
        assert {r["chainId"] for r in runs} == set(FAILED_AGAIN)
        assert {r["status"] for r in runs} == {"ResubmitFailed"}

        scenario.add_request(
            FOLLOW_UP, ORDERS, f"  fromRequest: {{name: {REPLAY}, outcome: failed-again}}\n"
        )
        preview = scenario.cli("requests", "preview", "--format", "json")
        [doc] = [r for r in json.loads(preview.stdout)["requests"] if r["name"] == FOLLOW_UP]
        assert doc["send"] == len(EXPECTED), doc

        def listed_for_attention() -> list[str]:
            done = scenario.cli("status", "--format", "json")
            assert done.returncode == 0, done.stderr
            return [a["subject"] for a in json.loads(done.stdout)["attention"]]

        assert REPLAY in listed_for_attention()  # its chains failed again
        before = len(receiver.hits)
        sent = scenario.cli("requests", "dispatch", "--only", FOLLOW_UP)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert f"  {len(EXPECTED)}/{len(EXPECTED)} runs delivered in 1 batch" in sent.stdout
        posted = [json.loads(hit.body) for hit in receiver.hits[before:] if hit.key]
        # The follow-up completed what the replay left: it clears.
        assert REPLAY not in listed_for_attention()
    assert sorted(run["id"] for body in posted for run in body) == sorted(EXPECTED)


def test_an_unknown_outcome_names_every_one_there_is(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    done = run_cli(
        "--store",
        f"sqlite:///{tmp_path / 's.db'}",
        "runs",
        "list",
        "--from-request",
        "x:failed-twice",
    )
    assert done.returncode == 64  # a usage error
    assert "outcome 'failed-twice': use failed, delivered, any or failed-again" in done.stderr
