"""The timeline and the calendars (parsed with a real iCalendar parser)."""

from __future__ import annotations

import icalendar
from flask.testing import FlaskClient

from catalog.core import ical


def test_mistral_large_window_opens_and_closes(client: FlaskClient) -> None:
    events = client.get("/v1/timeline?from=2024-02-01&to=2024-05-01&limit=500").json["items"]
    by_id = {e["id"]: e for e in events}
    opens = by_id["window-starts:azure-mistral-large-2402"]
    closes = by_id["window-ends:azure-mistral-large-2402"]
    assert opens["at"] == "2024-02-26T00:00:00Z" and closes["at"] == "2024-04-03T00:00:00Z"
    assert closes["certainty"] == "inferred" and closes["source"].startswith("https://")
    assert (
        by_id["offering-available:aws:mistral-large-2402:serverless"]["at"]
        == "2024-04-03T00:00:00Z"  # the day the window ends: half-open intervals meet
    )
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert all("2024-02-01" <= e["at"] < "2024-05-01" for e in events)


def test_filters(client: FlaskClient) -> None:
    gpt = client.get("/v1/timeline?model=gpt-4o&limit=500").json["items"]
    assert "window-starts:azure-openai-api" in {
        e["id"] for e in gpt
    }  # provider-wide window covers it
    assert {e["model"] for e in gpt if e["offering"]} == {"gpt-4o"}
    oss = client.get("/v1/timeline?model=gpt-oss-120b&limit=500").json["items"]
    assert not any(e["window"] for e in oss)  # open weights: the window does not cover it
    aws = client.get("/v1/timeline?cloud=aws&limit=500").json["items"]
    assert aws and {e["cloud"] for e in aws} == {"aws"}
    meta = client.get("/v1/timeline?provider=meta&limit=500").json["items"]
    assert meta and {e["provider"] for e in meta} == {"meta"}


def test_ics_parses_and_is_stable(client: FlaskClient) -> None:
    url = "/v1/timeline?from=2024-02-01&to=2024-05-01&format=ics"
    first = client.get(url)
    assert first.mimetype == "text/calendar"
    text = first.get_data(as_text=True)
    assert text == client.get(url).get_data(as_text=True)  # UIDs and DTSTAMPs stable across calls
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    json_events = client.get("/v1/timeline?from=2024-02-01&to=2024-05-01&limit=500").json["items"]
    assert len(events) == len(json_events)
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)
    closing = by_uid["window-ends:azure-mistral-large-2402@catalog"]
    assert str(closing["DTSTART"].dt) == "2024-04-03"  # an all-day event
    assert str(closing["DTEND"].dt) == "2024-04-04"
    assert "ends" in str(closing["SUMMARY"]) and "inferred" in str(closing["DESCRIPTION"])
    assert closing["DTSTAMP"].dt.tzinfo is not None


def test_windows_calendar(client: FlaskClient) -> None:
    response = client.get("/v1/exclusivity-windows", headers={"Accept": "text/calendar"})
    events = icalendar.Calendar.from_ical(response.get_data(as_text=True)).walk("VEVENT")
    assert {str(e["UID"]) for e in events} == {
        "window-starts:azure-mistral-large-2402@catalog",
        "window-ends:azure-mistral-large-2402@catalog",
        "window-starts:azure-openai-api@catalog",
        "window-ends:azure-openai-api@catalog",
        "window-starts:azure-openai-first-ship@catalog",  # open: no end event
    }


def test_escaping_and_folding() -> None:
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ical.fold("SUMMARY:" + "é" * 80)
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "SUMMARY:" + "é" * 80
    event = {
        "id": "x:1",
        "at": "2024-01-01T10:30:00Z",
        "event": "window-starts",
        "certainty": "exact",
        "source": "https://example.org/a,b",
        "summary": "A; B, C",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    parsed = icalendar.Calendar.from_ical(ical.calendar([event], "T")).walk("VEVENT")[0]
    assert str(parsed["SUMMARY"]) == "A; B, C"
    assert parsed["DTSTART"].dt.isoformat() == "2024-01-01T10:30:00+00:00"
