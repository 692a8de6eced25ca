"""Every notification template renders with its sample data, autoescaped HTML, times in the
reader's zone, and the preview a person can open."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifications.preview import write_previews
from notifications.render import render, template_names
from notifications.samples import SAMPLE_TZ, SAMPLES, sample_context


def test_templates_come_in_text_and_html_pairs() -> None:
    folder = Path(__file__).parents[2] / "notifications" / "templates"
    for name in template_names():
        assert (folder / f"{name}.txt").exists(), f"{name}.txt is missing"
        assert (folder / f"{name}.html").exists(), f"{name}.html is missing"


@pytest.mark.parametrize("name", template_names())
def test_every_template_renders_with_its_sample_data(name: str) -> None:
    assert name in SAMPLES, f"add sample data for {name!r} to notifications/samples.py"
    rendered = render(name, sample_context(name), SAMPLE_TZ)
    assert rendered.subject and "\n" not in rendered.subject
    assert "{{" not in rendered.text and "{{" not in rendered.html
    assert rendered.html.lstrip().lower().startswith("<!doctype html>")
    assert sample_context(name)["recipient_name"] in rendered.text


def test_samples_name_only_existing_templates() -> None:
    assert set(SAMPLES) <= set(template_names())


def test_job_posts_are_shown_by_title_not_id() -> None:
    for name in ("application_received", "shortlisted", "interview_booked"):
        rendered = render(name, sample_context(name), "UTC")
        assert "Customer support lead" in rendered.text + rendered.html
        assert "jp_sample0001" not in rendered.subject + rendered.text.split("http")[0]


def test_html_is_escaped_and_text_is_not() -> None:
    context = {
        **sample_context("application_received"),
        "contractor_name": "<script>alert(1)</script>",
    }
    rendered = render("application_received", context, "UTC")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "<script>alert(1)</script>" in rendered.text


def test_header_injection_through_a_subject_value_is_folded_into_one_line() -> None:
    context = {**sample_context("thread_message"), "sender_name": "Eve\r\nBcc: all@example.com"}
    rendered = render("thread_message", context, "UTC")
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


def test_times_are_shown_in_the_recipients_time_zone() -> None:
    start = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    context = {**sample_context("interview_booked"), "start": start.isoformat()}
    paris = render("interview_booked", context, "Europe/Paris")
    new_york = render("interview_booked", context, "America/New_York")
    tokyo = render("interview_booked", context, "Asia/Tokyo")
    assert paris.subject == "Interview booked: Tue 24 Nov 2026, 14:30 CET"
    assert new_york.subject == "Interview booked: Tue 24 Nov 2026, 08:30 EST"
    assert tokyo.subject == "Interview booked: Tue 24 Nov 2026, 22:30 JST"
    assert "14:30 CET" in paris.html


def test_money_and_day_filters() -> None:
    from notifications.render import environment

    env = environment()
    assert env.from_string("{{ 120000 | money }}").render() == "$1,200.00"
    assert env.from_string("{{ 8000 | money('EUR') }}").render() == "€80.00"
    assert env.from_string("{{ 5 | money('CHF') }}").render() == "0.05 CHF"
    assert env.from_string("{{ '2026-11-30' | day }}").render() == "Mon 30 Nov 2026"


def test_preview_writes_every_template_and_an_index(tmp_path: Path) -> None:
    written = write_previews(tmp_path)
    index = (tmp_path / "index.html").read_text()
    assert written[0] == tmp_path / "index.html"
    for name in template_names():
        assert (tmp_path / f"{name}.html").exists()
        assert (tmp_path / f"{name}.txt.html").exists()
        assert f"href='{name}.html'" in index
