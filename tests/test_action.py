"""The composite action's own script (action.yml, step `run`), executed as GitHub would:
exit-code output, ok-exit-codes, `fail: false`, output files, step summary, argument
splitting without shell evaluation."""

from __future__ import annotations

from pathlib import Path

from tests.actions_runner import Runner


def runner(tmp_path: Path) -> Runner:
    (tmp_path / "repo").mkdir()
    return Runner(workdir=tmp_path / "repo", tmp=tmp_path / "runner", github={"repository": "o/r"})


def test_success_writes_output_file_and_summary(tmp_path: Path) -> None:
    r = runner(tmp_path)
    code, out, _, outputs = r.run_action(
        {"command": "codeowners --stdout", "output": "out/co.txt", "summary": "true"}, {}
    )
    assert code == 0
    assert outputs == {"exit-code": "0", "output-file": "out/co.txt"}
    written = (r.workdir / "out" / "co.txt").read_text()
    assert written.startswith("# BEGIN flow-reconciler") and written in out
    assert r.summary.read_text() == written


def test_failure_fails_the_step_unless_told_otherwise(tmp_path: Path) -> None:
    r = runner(tmp_path)
    code, _, err, outputs = r.run_action({"command": "codeowners --no-such-option"}, {})
    assert code == 64 and outputs["exit-code"] == "64"
    assert "No such option" in err and "exited with 64" in err
    code, _, _, outputs = r.run_action(
        {"command": "codeowners --no-such-option", "fail": "false"}, {}
    )
    assert code == 0 and outputs["exit-code"] == "64"
    code, _, _, outputs = r.run_action(
        {"command": "codeowners --no-such-option", "ok-exit-codes": "0 64"}, {}
    )
    assert code == 0 and outputs["exit-code"] == "64"


def test_arguments_are_split_like_a_shell_but_never_evaluated(tmp_path: Path) -> None:
    r = runner(tmp_path)
    marker = tmp_path / "pwned"
    code, _, err, outputs = r.run_action(
        {"command": f"report pr --commit 'a b' --out \"$(touch {marker})\"", "fail": "false"}, {}
    )
    assert not marker.exists()
    assert code == 0 and outputs["exit-code"] == "0", err
    assert (r.workdir / f"$(touch {marker})").exists()  # the literal text was the file name


def test_format_is_appended_unless_auto(tmp_path: Path) -> None:
    r = runner(tmp_path)
    code, _, err, _ = r.run_action({"command": "codeowners --stdout", "format": "json"}, {})
    assert code == 64 and "--format" in err  # codeowners has no --format: it was passed
