"""Every chart of the web app with the extreme dates a query can carry (0001-01-01 and
9999-12-31): a chart or a refusal naming the field, never a 500 (the horizon a chart draws past
the page's date overflowed the calendar: OverflowError)."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.policy.compare import compare_period
from haven.policy.loader import load_pack
from haven.web.chart import after, timeline_svg
from haven.web.chart_compare import compare_svg
from tests.store.store_helpers import Api
from tests.store.test_web_pages import signed_in

EXTREMES = ("0001-01-01", "2015-10-01", "9999-12-30", "9999-12-31")
COMPARE = "/policy/compare/timeline.svg?left=nl&right=euaa&country=IR"


def _charts() -> list[str]:
    paths = []
    for day in EXTREMES:
        paths.append(f"/policy/RU/timeline.svg?as_of={day}")
        paths.append(f"/policy/IR/timeline.svg?as_of={day}&pack=euaa")
        paths.append(f"{COMPARE}&as_of={day}")
        for other in EXTREMES:
            if other >= day:
                paths.append(f"{COMPARE}&from={day}&to={other}")
    return paths


def test_every_chart_draws_extreme_dates(api: Api) -> None:
    b = signed_in(api, "researcher")
    for path in _charts():
        r = b.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.text.lstrip().startswith("<svg"), path
    # The pages that embed them answer too.
    for day in ("0001-01-01", "9999-12-31"):
        assert b.get(f"/policy?country=RU&as_of={day}").status_code == 200
        assert (
            b.get(f"/policy/compare?left=nl&right=euaa&country=IR&as_of={day}").status_code == 200
        )
    page = b.get("/policy/compare?left=nl&right=euaa&country=IR&from=2020-01-01&to=9999-12-31")
    assert page.status_code == 200


def test_a_period_ending_before_it_starts_is_refused_by_name(api: Api) -> None:
    b = signed_in(api, "researcher")
    r = b.get(f"{COMPARE}&from=9999-12-31&to=0001-01-01")
    assert 400 <= r.status_code < 500 and "<code>to</code>" in r.text, r.text


def test_after_stops_at_the_last_date() -> None:
    assert after(date(2015, 1, 1), 180) == date(2015, 6, 30)
    assert after(date(9999, 12, 30), 1) == date(9999, 12, 31)
    assert after(date(9999, 12, 31), 180) == date.max


_nl, _eu = load_pack("nl"), load_pack("euaa")
_days = st.one_of(
    st.sampled_from([date.min, date.max, date(9999, 12, 30), date(1, 1, 2)]), st.dates()
)


@pytest.mark.parametrize("country", ["RU", "IR"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(as_of=_days, today=_days)
def test_the_timeline_draws_any_date(country: str, as_of: date, today: date) -> None:
    svg = timeline_svg(_nl, country, today, lambda s: s, as_of)
    assert svg.lstrip().startswith("<svg")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=_days, b=_days)
def test_the_compare_chart_draws_any_period(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    rows = compare_period(_nl, _eu, "IR", start, end)
    svg = compare_svg(_nl, _eu, "IR", rows, start, end, lambda s: s)
    # A tick a year only where the years are few: a period of millennia stays small.
    assert svg.lstrip().startswith("<svg") and len(svg) < 200_000
