"""The status document's rules that need no store: which follow-up clears a request, how a
state this tool does not know reads, what a batch's last POST says, replay counts."""

from __future__ import annotations

from reconciler.core.attention import mark_cleared, replay_outcome, request_needs_attention
from reconciler.core.status_report import LastDispatch, RequestStatus, request_look
from reconciler.core.statuses import StatusTable


def request(name: str, status: str, follows: str | None = None, at: str = "") -> RequestStatus:
    return RequestStatus(
        name=name,
        action="resubmit",
        status=status,
        path=None,
        commit=None,
        actor=None,
        created_at=at or name,
        started_at=None,
        finished_at=None,
        run_count=10,
        batch_count=1,
        batches={},
        runs={"failed": 10} if status != "completed" else {"delivered": 10},
        attempts=1,
        retries=0,
        last_error=None,
        from_request=follows,
    )


def cleared(requests: list[RequestStatus]) -> dict[str, str | None]:
    return {r.name: r.cleared_by for r in mark_cleared(requests)}


def test_a_completed_follow_up_clears_and_so_does_a_chain_of_them() -> None:
    assert cleared([request("a", "failed"), request("b", "completed", "a")]) == {
        "a": "b",
        "b": None,
    }
    chain = [
        request("a", "failed"),
        request("b", "completed_with_failures", "a"),
        request("c", "completed", "b"),
    ]
    assert cleared(chain) == {"a": "c", "b": "c", "c": None}
    # A follow-up that failed too clears nothing; neither does a loop of names.
    assert cleared([request("a", "failed"), request("b", "failed", "a")]) == {"a": None, "b": None}
    assert cleared([request("a", "failed", "b"), request("b", "failed", "a")]) == {
        "a": None,
        "b": None,
    }
    assert cleared([request("a", "refused", "a")]) == {"a": None}
    [a, _] = mark_cleared([request("a", "failed"), request("b", "completed", "a")])
    assert not request_needs_attention(a)


def test_every_state_has_a_look_and_unknown_ones_read_by_name() -> None:
    assert request_look("failed").tone == "error"
    assert request_look("waiting").tone == "notice"
    assert request_look("completed").tone == "ok"
    unknown = request_look("held_for_review")
    assert (unknown.label, unknown.tone) == ("held for review", "notice")
    assert request_needs_attention(request("x", "held_for_review"))
    assert not request_needs_attention(request("y", "completed"))


def test_a_batch_still_open_after_a_failed_attempt_is_retrying() -> None:
    def last(status: str, http: int | None, reason: str | None) -> LastDispatch:
        return LastDispatch("r", "F", 0, "https://x/", status, 2, http, reason, "t")

    assert last("delivered", 200, None).outcome == "delivered"
    assert last("failed", 401, "HTTP 401").post_failed
    assert last("in_flight", 503, "HTTP 503").outcome == "retrying"
    assert last("pending", None, "circuit breaker open").post_failed
    assert last("in_flight", None, None).outcome == "in flight"
    assert not last("in_flight", None, None).post_failed


def test_replay_counts_each_chain_by_its_latest_later_run() -> None:
    table = StatusTable.default()
    outcome = replay_outcome(
        {(True, 1): 4, (True, 2): 2, (True, 5): 1, (True, 0): 3, (False, None): 5},
        table,
        runs_without_chain=7,
    )
    assert (outcome.completed, outcome.failed_again, outcome.other, outcome.none_yet) == (
        4,
        3,
        3,
        5,
    )
    assert outcome.chains == 15 and outcome.runs_without_chain == 7
