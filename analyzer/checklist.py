"""The public-data checklist: a program profile scored with the article's weights."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from .notes import InputError
from .results import Checklist, ChecklistItem
from .rules import Rules
from .specifics import Metric, judge, metrics_from

PROFILE_KEYS = {
    "board_pass_rate", "soap_years", "pd_since", "pd_tenure_years", "pd_changes_5y", "img_share", "visa",
    "alumni", "website_updated", "as_of",
}


_RATES = ("board_pass_rate", "img_share")
_YEARS = ("pd_since", "as_of", "website_updated", "date")
MAX_LIST = 10_000


def _number(value: Any) -> float | None:
    """A finite number from a YAML number or a numeric string ("95%"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
        if len(value) > 40:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def check_profile(profile: dict[str, Any], source: str, line_of: Callable[[str], int | None] | None = None) -> None:
    """Refuse checklist values that cannot be true (a rate of -5 or NaN, year 3024, visa {sponsored: 5})."""
    last_year = date.today().year + 1

    def fail(key: str, reason: str) -> InputError:
        return InputError(source, f"'{key}': {reason}", line_of(key) if line_of else None)

    def year_ok(value: Any) -> bool:
        year = _year(value)
        return year is None or 1900 <= year <= last_year

    for key in _RATES:
        if profile.get(key) is not None:
            rate = _number(profile[key])
            if rate is None or not 0 <= rate <= 100:
                raise fail(key, f"{str(profile[key])[:40]!r} is not a rate from 0 to 100 (or a 0-1 fraction)")
    for key in _YEARS:
        value = profile.get(key)
        if value is None:
            continue
        if key == "pd_since" and _year(value) is None:
            raise fail(key, f"{str(value)[:40]!r} is not a year")
        if not isinstance(value, (str, int, date)) or isinstance(value, bool) or not year_ok(value):
            raise fail(key, f"{str(value)[:40]!r} is not a date or year from 1900 to {last_year}")
    for key, top in (("pd_tenure_years", 80), ("pd_changes_5y", 100)):
        if profile.get(key) is not None:
            number = _number(profile[key]) if not isinstance(profile[key], str) else None
            if number is None or not 0 <= number <= top:
                raise fail(key, f"{str(profile[key])[:40]!r} is not a number from 0 to {top}")
    soap = profile.get("soap_years")
    if soap is not None:
        if isinstance(soap, list):
            if len(soap) > MAX_LIST or not all(isinstance(y, int) and not isinstance(y, bool) and year_ok(y)
                                               for y in soap):
                raise fail("soap_years", f"must be a count or a list of years from 1900 to {last_year}")
        elif isinstance(soap, bool) or not isinstance(soap, (int, float)) or not 0 <= soap <= 100:
            raise fail("soap_years", f"{str(soap)[:40]!r} is not a count from 0 to 100 or a list of years")
    visa = profile.get("visa")
    if visa is not None:
        if not isinstance(visa, dict):
            raise fail("visa", "must be a mapping such as {sponsored: [J-1, H-1B], paperwork_on_time: true}")
        sponsored = visa.get("sponsored")
        if sponsored is not None and not (isinstance(sponsored, str) or (
                isinstance(sponsored, list) and len(sponsored) <= MAX_LIST
                and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in sponsored))):
            raise fail("visa", "'sponsored' must be a list of visa types such as [J-1, H-1B]")
        if visa.get("paperwork_on_time") not in (None, True, False):
            raise fail("visa", "'paperwork_on_time' must be true or false")
    alumni = profile.get("alumni")
    if alumni is not None and (not isinstance(alumni, list) or len(alumni) > MAX_LIST):
        raise fail("alumni", f"must be a list of graduates (at most {MAX_LIST})")


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number * 100 if 0 < number <= 1 else number


class _Scorer:
    """The checklist rules and the metric thresholds the items are judged by."""

    def __init__(self, rules: Rules):
        self.items = rules.checklist["items"]
        self.alumni_min_specific = rules.checklist["alumni_min_specific"]
        self.metrics = {m.key: m for m in metrics_from(rules.thresholds)[1]}
        self.caution_share = rules.scoring["checklist_caution_share"]

    def metric(self, key: str) -> Metric:
        """The thresholds of one metric."""
        return self.metrics[key]

    def item(self, key: str, answer: str, points_share: float, detail: str) -> ChecklistItem:
        """One scored item."""
        rule = self.items[key]
        weight = float(rule["weight"])
        return ChecklistItem(key, rule["label"], weight, answer, round(weight * points_share, 2), detail)

    def banded(self, key: str, metric: str, value: float, detail: str) -> ChecklistItem:
        """An item judged by a metric's bands: healthy is yes, caution earns part of the points, red is no."""
        band = judge(self.metric(metric), value)
        if band.status == "healthy":
            return self.item(key, "yes", 1, f"{detail}: {band.note}")
        if band.status == "caution":
            return self.item(key, "partly", self.caution_share, f"{detail}: {band.note}")
        return self.item(key, "no", 0, f"{detail}: {band.note}")


def alumni_item(s: _Scorer, profile: dict[str, Any]) -> ChecklistItem:
    """Yes when graduates are listed with where and when they went."""
    alumni = profile.get("alumni")
    if alumni is None:
        return s.item("alumni_outcomes", "unknown", 0, "no alumni listed in the profile")
    entries = alumni if isinstance(alumni, list) else []
    specific = [a for a in entries if isinstance(a, dict) and (a.get("place") or a.get("year"))]
    needed = s.alumni_min_specific
    if len(specific) >= needed:
        return s.item("alumni_outcomes", "yes", 1, f"{len(specific)} graduates listed with place or year")
    return s.item("alumni_outcomes", "no", 0, f"{len(specific)} graduates listed with place or year; {needed} wanted")


def board_item(s: _Scorer, profile: dict[str, Any]) -> ChecklistItem:
    """Judged by the board pass-rate thresholds."""
    rate = _percent(profile.get("board_pass_rate"))
    if rate is None:
        return s.item("board_pass_rates", "unknown", 0, "no board pass rate in the profile")
    return s.banded("board_pass_rates", "board_pass_rate", rate, f"{rate:g}%")


def soap_item(s: _Scorer, profile: dict[str, Any]) -> ChecklistItem:
    """Yes when the program did not need SOAP two or more years running."""
    years = profile.get("soap_years")
    if years is None:
        return s.item("soap_history", "unknown", 0, "no SOAP history in the profile")
    count = len(years) if isinstance(years, list) else years
    if isinstance(count, bool) or not isinstance(count, (int, float)):
        return s.item("soap_history", "unknown", 0, f"soap_years {years!r} is not a number or list of years")
    band = judge(s.metric("soap_years"), float(count))
    return s.item("soap_history", "no" if band.status == "red" else "yes", 0 if band.status == "red" else 1,
                  f"{count:g} SOAP year(s): {band.note}")


def leadership_item(s: _Scorer, profile: dict[str, Any], reference_year: int) -> ChecklistItem:
    """Yes for a program director in post five years or more, no for churn."""
    tenure = profile.get("pd_tenure_years")
    since = profile.get("pd_since")
    if tenure is None and isinstance(since, int) and not isinstance(since, bool):
        tenure = max(0, reference_year - since)
    changes = profile.get("pd_changes_5y")
    if isinstance(changes, int) and not isinstance(changes, bool) and changes >= 2:
        return s.item("leadership_stability", "no", 0, f"{changes} program directors in five years")
    if not isinstance(tenure, (int, float)) or isinstance(tenure, bool):
        return s.item("leadership_stability", "unknown", 0, "no program director tenure in the profile")
    return s.banded("leadership_stability", "pd_tenure", float(tenure), f"PD in post {tenure:g} years")


def visa_item(s: _Scorer, profile: dict[str, Any]) -> ChecklistItem:
    """Yes for stated sponsorship with paperwork on time; no for late paperwork."""
    visa = profile.get("visa")
    if not isinstance(visa, dict):
        return s.item("visa_handling", "unknown", 0, "no visa handling in the profile")
    sponsored = visa.get("sponsored") or []
    on_time = visa.get("paperwork_on_time")
    if on_time is False:
        return s.item("visa_handling", "no", 0, "visa paperwork reported late")
    if isinstance(sponsored, str):
        sponsored = [sponsored]
    if sponsored and on_time is True:
        return s.item("visa_handling", "yes", 1, f"sponsors {', '.join(map(str, sponsored))}; paperwork on time")
    return s.item("visa_handling", "unknown", 0, "sponsorship or paperwork timing not stated")


def score_profile(profile: dict[str, Any] | None, source: str, reference_year: int | None, rules: Rules
                  ) -> Checklist | None:
    """Each item yes, partly, no or unknown; the score is points over the weight of the items that are known."""
    if not profile:
        return None
    if not isinstance(profile, dict):
        raise InputError(source, "the program profile must be a mapping of fields")
    check_profile(profile, source)
    year = reference_year or _year(profile.get("as_of")) or date.today().year
    s = _Scorer(rules)
    items = [alumni_item(s, profile), board_item(s, profile), soap_item(s, profile),
             leadership_item(s, profile, year), visa_item(s, profile)]
    known = sum(i.weight for i in items if i.answer != "unknown")
    score = round(100 * sum(i.points for i in items) / known, 1) if known else None
    return Checklist(items, score, known)


def _year(value: Any) -> int | None:
    if isinstance(value, date):
        return value.year
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value[:4].isdigit():
        return int(value[:4])
    return None


def reference_year(meta: dict[str, Any]) -> int | None:
    """The year the note speaks from: its front-matter date, else None (today)."""
    return _year(meta.get("date")) or _year(meta.get("as_of"))


def profile_from(meta: dict[str, Any]) -> dict[str, Any]:
    """The checklist fields found in a note's front matter."""
    return {k: v for k, v in meta.items() if k in PROFILE_KEYS}
