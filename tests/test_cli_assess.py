"""``kneeguard assess`` and ``kneeguard history`` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ANSWERS = {"schema": "kneeguard.answers/1", "age": 22, "sex": "male",
           "pain_locations": ["below_kneecap_on_tendon"],
           "pain_timing": ["jumping", "squatting", "after_run"], "pain_during_run": 2,
           "pain_after_run": 3, "weeks_since_onset": 4, "onset": "gradual", "swelling": "none"}


def write(tmp_path: Path, document: Any) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_json_output_is_exactly_the_result_document(run_cli: Any, tmp_path: Path,
                                                    sqlite_url: str) -> None:
    result = run_cli("assess", "--answers", write(tmp_path, ANSWERS), "--format", "json",
                     "--db", sqlite_url)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "kneeguard.result/1"
    assert document["conditions"][0]["id"] == "patellar_tendinopathy"
    assert document["triage"]["level"] == "self_care"
    assert result.stderr == ""


def test_answers_from_stdin_and_db_before_the_command(run_cli: Any, sqlite_url: str) -> None:
    result = run_cli("--db", sqlite_url, "assess", "--answers", "-", "--format", "json",
                     input=json.dumps(ANSWERS))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["running"]["advice"] == "reduce"


def test_text_output_leads_with_triage_and_ends_with_the_notice(run_cli: Any, tmp_path: Path,
                                                               sqlite_url: str) -> None:
    result = run_cli("assess", "--answers", write(tmp_path, ANSWERS), "--db", sqlite_url)
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].strip().startswith("SELF-CARE")
    assert "Patellar tendinopathy" in result.stdout
    assert "What to do" in result.stdout and "Avoid" in result.stdout
    assert "decision aid, not a diagnosis" in " ".join(result.stdout.split())


def test_bad_answers_give_one_line_and_exit_code_2(run_cli: Any, tmp_path: Path,
                                                   sqlite_url: str) -> None:
    result = run_cli("assess", "--answers", write(tmp_path, {**ANSWERS, "pain_now": 12}),
                     "--format", "json", "--db", sqlite_url)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: pain_now: must be a whole number from 0 to 10 (got 12)\n"


def test_invalid_json_and_missing_file(run_cli: Any, tmp_path: Path, sqlite_url: str) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": ')
    result = run_cli("assess", "--answers", str(broken), "--db", sqlite_url)
    assert result.exit_code == 2
    assert "is not valid JSON" in result.stderr and "line 1" in result.stderr
    missing = run_cli("assess", "--answers", str(tmp_path / "nope.json"), "--db", sqlite_url)
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


def test_bad_answers_store_nothing(run_cli: Any, tmp_path: Path, sqlite_url: str) -> None:
    run_cli("assess", "--answers", write(tmp_path, {"schema": "x"}), "--db", sqlite_url)
    listed = run_cli("history", "--format", "json", "--db", sqlite_url)
    assert json.loads(listed.stdout) == []


def test_history_lists_newest_first_and_shows_one(run_cli: Any, tmp_path: Path,
                                                  sqlite_url: str) -> None:
    run_cli("assess", "--answers", write(tmp_path, ANSWERS), "--db", sqlite_url)
    swollen = {**ANSWERS, "swelling": "mild", "swelling_site": "whole_joint"}
    run_cli("assess", "--answers", write(tmp_path, swollen), "--db", sqlite_url)
    listed = json.loads(run_cli("history", "--format", "json", "--db", sqlite_url).stdout)
    assert [item["id"] for item in listed] == [2, 1]
    assert [item["running"] for item in listed] == ["stop", "reduce"]
    assert listed[0]["knowledge_base_version"] == "1.1.0"
    shown = json.loads(run_cli("history", "show", "1", "--format", "json",
                               "--db", sqlite_url).stdout)
    assert shown["answers"] == ANSWERS
    assert shown["result"]["triage"]["level"] == "self_care"
    text = run_cli("history", "--db", sqlite_url)
    assert "jumper's knee" in text.stdout


def test_history_show_unknown_id(run_cli: Any, sqlite_url: str) -> None:
    result = run_cli("history", "show", "42", "--db", sqlite_url)
    assert result.exit_code == 6
    assert result.stderr == "Error: there is no assessment with id 42\n"


def test_empty_history_says_what_to_do(run_cli: Any, sqlite_url: str) -> None:
    result = run_cli("history", "--db", sqlite_url)
    assert result.exit_code == 0
    assert "kneeguard assess" in result.stdout


def test_wizard_asks_skips_goes_back_and_assesses(run_cli: Any, sqlite_url: str) -> None:
    lines = [
        "30",            # age
        "1",             # sex: female
        "b",             # at "which knee": back to sex
        "",              # keep female
        "",              # side: skip
        "1 9",           # locations: kneecap + whole knee
        "7 xyz",         # timing: invalid token -> asked again
        "5 9",           # stairs down + sitting
        "", "", "2", "2",  # pain now/before skipped, during 2, after 2
        "d",             # done: the rest stays unknown
    ]
    result = run_cli("assess", "--format", "json", "--no-prefill", "--db", sqlite_url,
                     input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout[result.stdout.index("{\n"):])
    assert document["conditions"][0]["id"] == "patellofemoral_pain"
    shown = json.loads(run_cli("history", "show", "1", "--format", "json",
                               "--db", sqlite_url).stdout)
    assert shown["answers"] == {
        "schema": "kneeguard.answers/1", "age": 30, "sex": "female",
        "pain_locations": ["around_or_behind_kneecap", "whole_knee"],
        "pain_timing": ["sitting_long_knees_bent", "stairs_down"],
        "pain_during_run": 2, "pain_after_run": 2}
    assert "Not understood" in result.stdout


def test_help_starts_fast_without_heavy_imports(tmp_path: Path) -> None:
    code = ("import sys; from kneeguard.cli import main; sys.argv=['kneeguard','--help'];\n"
            "try:\n main()\nexcept SystemExit: pass\n"
            "heavy=[m for m in ('sqlalchemy','pydantic','fastapi','altair','weasyprint',"
            "'fitdecode','yaml','rich') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "assess" in out.stdout


def test_wizard_prefills_the_training_story_from_imported_runs(run_cli: Any,
                                                                sqlite_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from kneeguard.storage import connect
    from kneeguard.storage.activities import ActivityRow

    db = connect(sqlite_url)
    now = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    with db.session() as session:
        for day in range(35, 0, -1):  # 5 weeks, a run every day: 30 km/week, then 42 km
            km = 6.0 if day <= 7 else 30.0 / 7
            session.add(ActivityRow(
                sport="running", start_utc=now - timedelta(days=day), utc_offset_s=0,
                distance_m=km * 1000, timer_s=km * 330, elapsed_s=km * 330,
                incomplete=False, imported_at=now))
    db.dispose()
    result = run_cli("assess", "--format", "json", "--db", sqlite_url, input="d\n")
    assert result.exit_code == 0, result.stderr
    assert "[40" in result.stdout or "Answers from your imported training history" in result.stdout
    shown = json.loads(run_cli("history", "show", "1", "--format", "json",
                               "--db", sqlite_url).stdout)
    assert 35 <= shown["answers"]["weekly_km_change_pct"] <= 45
