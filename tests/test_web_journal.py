"""The journal page: add an entry in a few taps, bad input kept with its message, delete,
and the trend once entries accumulate."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kneeguard.web.testing import csrf, make_client, parse, text


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_client(tmp_path) as c:
        yield c


def add(client, **fields):  # type: ignore[no-untyped-def]
    token = csrf(parse(client.get("/journal").text))
    return client.post("/journal", data={"csrf_token": token, **fields})


def test_add_entry_and_see_it_listed(client) -> None:  # type: ignore[no-untyped-def]
    response = add(client, pain_during="2", pain_after="3", locations=["below_kneecap_on_tendon"],
                   swelling="none", note="easy 8 km")
    assert response.status_code == 200
    assert "/journal?saved=1" in str(response.url)
    tree = parse(response.text)
    assert text(tree.css_first(".saved")) == "Saved."
    row = [text(td) for td in tree.css("#entries-section tbody tr")[0].css("td")]
    assert row[:5] == [date.today().strftime("%d %b %Y"), "-", "-", "2", "3"]
    assert row[6] == "below kneecap on tendon" and row[7] == "none" and row[8] == "easy 8 km"


def test_bad_entry_keeps_everything_typed(client) -> None:  # type: ignore[no-untyped-def]
    response = add(client, pain_during="2", pain_onset_km="far", note="kept note",
                   locations=["outside_of_knee"], swelling="mild")
    assert response.status_code == 422
    tree = parse(response.text)
    error = text(tree.css_first("#pain_onset_km-error"))
    assert error == "⚠ Onset distance must be a distance in km from 0 to 300, not 'far'."
    assert tree.css_first("#pain_onset_km").attributes["value"] == "far"
    assert tree.css_first("#pain_onset_km").attributes["aria-invalid"] == "true"
    assert text(tree.css_first("#note")) == "kept note"
    assert "checked" in tree.css_first("#pain_during-2").attributes
    assert "checked" in tree.css_first("#loc-outside_of_knee").attributes
    assert "checked" in tree.css_first("#swelling-mild").attributes
    assert tree.css("#entries-section tbody tr") == []


def test_empty_and_future_entries_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    empty = parse(add(client).text)
    assert "Nothing to record" in text(empty.css_first("#form-alert"))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = add(client, day=tomorrow, pain_during="1")
    assert future.status_code == 422
    tree = parse(future.text)
    assert "is in the future" in text(tree.css_first("#day-error"))
    assert tree.css_first("#day").attributes["value"] == tomorrow


def test_delete_entry(client) -> None:  # type: ignore[no-untyped-def]
    add(client, pain_during="1")
    tree = parse(client.get("/journal").text)
    form = tree.css_first("#entries-section form")
    response = client.post(form.attributes["action"], data={"csrf_token": csrf(tree)})
    assert response.status_code == 200
    assert parse(response.text).css("#entries-section tbody tr") == []
    again = client.post(form.attributes["action"], data={"csrf_token": csrf(tree)})
    assert again.status_code == 404


def test_trend_appears_with_entries(client) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    for days_ago, onset in ((20, 8.0), (13, 6.0), (6, 4.0), (1, 2.0)):
        add(client, day=(today - timedelta(days=days_ago)).isoformat(), pain_during="2",
            pain_onset_km=str(onset))
    tree = parse(client.get("/journal").text)
    assert "earlier and earlier" in text(tree.css_first("#onset-trend"))
    assert len(tree.css("figure.chart svg[role=img]")) == 2
    assert "Pain now begins earlier" in text(tree.css_first("[role=status].finding"))
