"""The analyst's area: aggregates only, never an individual record.

Every figure comes from rongye.services.indicators (SQL aggregates) and is published through
rongye.services.suppression (small cells and whatever would reveal them hidden), in the page, in
the chart's text and in the exports alike.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from rongye import charts, labels
from rongye.access import EVERYONE, allow
from rongye.extensions import db
from rongye.forms.outcomes import (
    DIMENSION_LABELS,
    CompareForm,
    GroupFilterForm,
    OutcomeFilterForm,
)
from rongye.forms.profile import CATEGORY_LABELS, GENDER_LABELS
from rongye.models import Organisation, SeekerProfile
from rongye.services import indicators as ind
from rongye.services.dashboards import platform_summary
from rongye.services.exports import escape_cell, to_csv
from rongye.services.suppression import DEFAULT_THRESHOLD, Column, Published, Table, publish

bp = Blueprint("analyst", __name__, url_prefix="/analyst")

AGE_BAND_LABELS = {
    "under_25": _l("Under 25"),
    "25_34": _l("25 to 34"),
    "35_44": _l("35 to 44"),
    "45_54": _l("45 to 54"),
    "55_plus": _l("55 and over"),
}
REASON_LABELS: dict[str, Any] = {}
SECTIONS = (
    ("analyst.dashboard", _l("Retention")),
    ("analyst.outcomes", _l("Income and well-being")),
    ("analyst.benefits", _l("Benefits and exits")),
    ("analyst.groups", _l("Groups")),
    ("analyst.compare", _l("Compare two cohorts")),
    ("analyst.method", _l("How we count")),
)


def threshold() -> int:
    return int(current_app.config.get("OUTCOME_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def today() -> dt.date:
    return dt.date.today()


def group_label(dimension: str, value: str) -> str:
    """Return the display name of a group."""
    if value == ind.UNKNOWN:
        return _("Not recorded")
    names: dict[str, Any] = {
        "disability_category": CATEGORY_LABELS,
        "gender": GENDER_LABELS,
        "work_type": labels.WORK_TYPES,
        "age_band": AGE_BAND_LABELS,
    }.get(dimension, {})
    if dimension == "disability_grade":
        return _("Grade %(grade)s", grade=value)
    return str(names.get(value, value))


def day_label(day: int) -> str:
    return _("Day %(day)s", day=day)


# -- filters ---------------------------------------------------------------------------------


def filter_choices(session: Session) -> tuple[list[tuple[int, str]], list[str]]:
    agencies = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == "agency")
        .order_by(Organisation.name)
    ).all()
    regions = session.scalars(
        select(SeekerProfile.region)
        .where(SeekerProfile.region.is_not(None))
        .distinct()
        .order_by(SeekerProfile.region)
    ).all()
    return [(a, n) for a, n in agencies], [r for r in regions if r]


def read_filters(form_class: type[OutcomeFilterForm]) -> tuple[Any, ind.Filters | None]:
    """Return the filter form (from the query string) and the filters, None when invalid."""
    form = form_class(request.args)
    form.set_choices(*filter_choices(db.session))
    if request.args and not form.validate():
        return form, None
    return form, ind.Filters(
        today=today(),
        start_from=form.start_from.data,
        start_to=form.start_to.data,
        agency_id=int(form.agency.data) if form.agency.data else None,
        region=form.region.data or None,
        work_type=form.work_type.data or None,
        disability_category=form.disability_category.data or None,
        gender=form.gender.data or None,
    )


# -- tables ----------------------------------------------------------------------------------

PERCENT, INT = "percent", "int"


def retention_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    result = ind.retention(session, f, (*ind.RETENTION_DAYS, *ind.CURVE_DAYS))
    rows = [
        {"day": day_label(day), "at_risk": result.points[day][1], "retained": result.points[day][0]}
        for day in ind.RETENTION_DAYS
    ]
    table = Table(
        "retention",
        _l("Still in the job, by days since the start"),
        [
            Column("day", _l("Days since the start"), "label"),
            Column("at_risk", _l("Placements still observed")),
            Column("retained", _l("Share still in the job"), "derived", PERCENT,
                   depends=("at_risk",), at_least=("at_risk",)),
        ],
        rows,
        caption=_l("Kaplan-Meier estimate; placements too recent to know are censored."),
    )
    table.extra["curve"] = result
    return table


def headline_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    h = ind.headline(session, f)
    return Table(
        "placements",
        _l("Placements counted"),
        [
            Column("what", _l("Cohort"), "label"),
            Column("placements", _l("Placements"), additive=False),
            Column("running", _l("Still running")),
            Column("ended", _l("Ended")),
            Column("people", _l("People")),
        ],
        [{"what": _l("Selected cohort"), "placements": h.placements, "running": h.running,
          "ended": h.ended, "people": h.people}],
        row_parts=("running", "ended"),
        row_total="placements",
    )


def completion_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    rows = [{"day": day_label(d), "due": due, "done": done, "rate": done / due if due else None}
            for d, due, done in ind.completion(session, f)]
    return Table(
        "completion",
        _l("Follow-ups done"),
        [
            Column("day", _l("Follow-up"), "label"),
            Column("due", _l("Due so far"), additive=True),
            Column("done", _l("Done"), additive=True),
            Column("rate", _l("Share done"), "derived", PERCENT, depends=("due", "done")),
        ],
        rows,
        total=_sum_total(rows, ("due", "done"), "rate", "done", "due", label_key="day"),
        n_key="due",
    )


def _sum_total(rows: list[dict[str, Any]], keys: tuple[str, ...], rate: str | None = None,
               numerator: str = "", denominator: str = "", *, label_key: str) -> dict[str, Any]:
    total: dict[str, Any] = {label_key: _l("Total")}
    for key in keys:
        total[key] = sum(row[key] or 0 for row in rows)
    if rate:
        total[rate] = total[numerator] / total[denominator] if total[denominator] else None
    return total


def earnings_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    return Table(
        "earnings",
        _l("Monthly earnings of people in work (yuan)"),
        [
            Column("day", _l("Follow-up"), "label"),
            Column("people", _l("People in work who answered")),
            Column("median", _l("Median"), "derived", "money", depends=("people",)),
            Column("mean", _l("Mean"), "derived", "money", depends=("people",)),
        ],
        [{"day": day_label(r.day), "people": r.people, "median": r.median, "mean": r.mean}
         for r in ind.earnings(session, f, c)],
        n_key="people",
    )


def volatility_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    v = ind.earnings_volatility(session, f)
    return Table(
        "volatility",
        _l("Earnings volatility"),
        [
            Column("what", _l("Measure"), "label"),
            Column("pairs", _l("Pairs of follow-ups")),
            Column("mean_change", _l("Mean change from one follow-up to the next"), "derived",
                   PERCENT, depends=("pairs",)),
            Column("drops", _l("Falls of more than 20%")),
            Column("drop_share", _l("Share of falls"), "derived", PERCENT,
                   depends=("pairs", "drops")),
        ],
        [{"what": _l("Earnings"), "pairs": v.pairs, "mean_change": v.mean_change,
          "drops": v.drops, "drop_share": v.drops / v.pairs if v.pairs else None}],
        n_key="pairs",
    )


def months_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    m = ind.months_employed(session, f)
    return Table(
        "months_employed",
        _l("Months in work in the first year"),
        [
            Column("what", _l("Measure"), "label"),
            Column("placements", _l("Placements started at least a year ago")),
            Column("months", _l("Mean months in work"), "derived", "number",
                   depends=("placements",)),
        ],
        [{"what": _l("First year after the start"), "placements": m.placements,
          "months": m.mean_months}],
        n_key="placements",
    )


def net_income_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    rows = [
        {"day": day_label(r.day), "people": r.people, "change": r.mean_change,
         "better": r.better_off, "worse": r.worse_off,
         "better_share": r.better_off / r.people if r.people else None}
        for r in ind.net_income(session, f, c)
    ]
    return Table(
        "net_income",
        _l("Net monthly income against before the job (yuan)"),
        [
            Column("day", _l("Follow-up"), "label"),
            Column("people", _l("People who answered")),
            Column("change", _l("Mean change"), "derived", "money", depends=("people",)),
            Column("better", _l("Better off")),
            Column("worse", _l("Worse off")),
            Column("better_share", _l("Share better off"), "derived", PERCENT,
                   depends=("people", "better")),
        ],
        rows,
        n_key="people",
    )


def change_table(key: str, title: Any, rows: list[ind.ChangeRow], *, mean_label: Any,
                 low_label: Any, fmt: str) -> Table:
    return Table(
        key,
        title,
        [
            Column("day", _l("Follow-up"), "label"),
            Column("people", _l("People who answered")),
            Column("mean", mean_label, "derived", fmt, depends=("people",)),
            Column("change", _l("Mean change since the first follow-up"), "derived", fmt,
                   depends=("people",)),
            Column("improved", _l("Better")),
            Column("worsened", _l("Worse")),
            Column("low", low_label),
        ],
        [{"day": day_label(r.day), "people": r.people, "mean": r.mean, "change": r.mean_change,
          "improved": r.improved, "worsened": r.worsened, "low": r.low} for r in rows],
        n_key="people",
    )


def wellbeing_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    return change_table(
        "wellbeing", _l("Well-being (WHO-5, 0 to 100)"), ind.wellbeing(session, f, c),
        mean_label=_l("Mean score"), low_label=_l("Poor well-being (under 52)"), fmt="number",
    )


def participation_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    return change_table(
        "participation",
        _l("Social activities (0 never to 4 several times a week)"),
        ind.participation(session, f, c),
        mean_label=_l("Mean level"), low_label=_l("Never in the past month"), fmt="number",
    )


def community_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    return Table(
        "community",
        _l("Took part in a community or group event in the past month"),
        [
            Column("day", _l("Follow-up"), "label"),
            Column("people", _l("People who answered")),
            Column("yes", _l("Took part")),
            Column("share", _l("Share who took part"), "derived", PERCENT,
                   depends=("people", "yes")),
        ],
        [{"day": day_label(d), "people": n, "yes": y, "share": y / n if n else None}
         for d, n, y in ind.community_events(session, f, c)],
        n_key="people",
    )


def benefits_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    b = ind.benefits(session, f)
    return Table(
        "benefits",
        _l("Minimum living allowance (低保) continuity"),
        [
            Column("what", _l("Measure"), "label"),
            Column("placements", _l("Placements of people with the allowance")),
            Column("losses", _l("Allowance lost")),
            Column("loss_share", _l("Share who lost it"), "derived", PERCENT,
                   depends=("placements", "losses")),
            Column("gaps", _l("Lost it, then the job ended")),
            Column("gap_days", _l("Mean days without income"), "derived", "number",
                   depends=("gaps",), at_least=("gaps",)),
            Column("long_gaps", _l("More than 180 days")),
            Column("waiting", _l("Still without income today")),
        ],
        [{"what": _l("Counted placements"), "placements": b.with_allowance, "losses": b.losses,
          "loss_share": b.losses / b.with_allowance if b.with_allowance else None,
          "gaps": b.gaps, "gap_days": b.mean_gap_days, "long_gaps": b.long_gaps,
          "waiting": b.still_waiting}],
        n_key="placements",
    )


def exits_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    counts = ind.exits_by_cause(session, f)
    order = [*labels.EXIT_CAUSES, ind.UNKNOWN]
    rows = [
        {"cause": labels.EXIT_CAUSES.get(cause, _l("Not recorded")), "exits": counts.get(cause, 0)}
        for cause in order
    ]
    return Table(
        "exits",
        _l("Why jobs ended"),
        [Column("cause", _l("Cause"), "label"), Column("exits", _l("Jobs ended"), additive=True)],
        rows,
        total={"cause": _l("Total"), "exits": sum(counts.values())},
    )


def reemployment_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    r = ind.reemployment_after_automation(session, f)
    return Table(
        "reemployment",
        _l("New job within 90 days after a job was automated"),
        [
            Column("what", _l("Measure"), "label"),
            Column("exits", _l("Jobs ended by automation or AI")),
            Column("reemployed", _l("New job within 90 days")),
            Column("share", _l("Share"), "derived", PERCENT, depends=("exits", "reemployed")),
        ],
        [{"what": _l("Automation exits at least 90 days ago"), "exits": r.exits,
          "reemployed": r.reemployed, "share": r.reemployed / r.exits if r.exits else None}],
        n_key="exits",
    )


def overrides_table(c: ind.Cohort) -> Table:
    session, f = c.session, c.filters
    o = ind.overrides(session, f)
    return Table(
        "overrides",
        _l("Proposals overridden by social workers"),
        [
            Column("what", _l("Measure"), "label"),
            Column("reviewed", _l("Proposals decided by a social worker")),
            Column("overridden", _l("Overridden")),
            Column("share", _l("Share overridden"), "derived", PERCENT,
                   depends=("reviewed", "overridden")),
        ],
        [{"what": _l("Match proposals"), "reviewed": o.reviewed, "overridden": o.overridden,
          "share": o.overridden / o.reviewed if o.reviewed else None}],
        n_key="reviewed",
    )


def groups_table(session: Session, f: ind.Filters, dimension: str) -> Table:
    rows_in = ind.groups(session, f, dimension)
    rows: list[dict[str, Any]] = []
    for r in rows_in:
        rows.append({
            "group": group_label(dimension, r.group),
            "seekers": r.seekers,
            "placed": r.placed,
            "selection": (r.placed / r.seekers) if r.seekers else None,
            "placements": r.placements,
            "at_risk": r.at_risk_180,
            "retained": r.retained_180,
        })
    has_selection = dimension != "work_type"
    columns = [Column("group", DIMENSION_LABELS[dimension], "label")]
    if has_selection:
        columns += [
            Column("seekers", _l("Job-seekers"), additive=True),
            Column("placed", _l("Placed in the period"), additive=True),
            Column("selection", _l("Selection rate"), "derived", PERCENT,
                   depends=("seekers", "placed"), at_least=("seekers",)),
            Column("selection_ratio", _l("Against the best group"), "derived", "ratio",
                   depends=("seekers", "placed"), at_least=("seekers",)),
            Column("selection_flag", _l("Below 0.8?"), "derived", "flag",
                   depends=("seekers", "placed"), at_least=("seekers",)),
        ]
    columns += [
        Column("placements", _l("Placements"), additive=True),
        Column("at_risk", _l("Still observed at 180 days")),
        Column("retained", _l("Retention at 180 days"), "derived", PERCENT,
               depends=("placements", "at_risk"), at_least=("placements", "at_risk")),
        Column("retention_ratio", _l("Against the best group"), "derived", "ratio",
               depends=("placements", "at_risk"), at_least=("placements", "at_risk")),
        Column("retention_flag", _l("Below 0.8?"), "derived", "flag",
               depends=("placements", "at_risk"), at_least=("placements", "at_risk")),
    ]
    total = {"group": _l("Total"), "placements": sum(r["placements"] for r in rows)}
    if has_selection:
        total["seekers"] = sum(r["seekers"] or 0 for r in rows)
        total["placed"] = sum(r["placed"] or 0 for r in rows)
    table = Table("groups", _l("Selection and retention by group"), columns, rows, total=total)
    # Ratios against the best group whose figure is published (never against a hidden one).
    draft = publish(table, threshold())
    keys = [c.key for c in columns]
    for rate, ratio, flag in (("selection", "selection_ratio", "selection_flag"),
                              ("retained", "retention_ratio", "retention_flag")):
        if rate not in keys:
            continue
        column = keys.index(rate)
        shown = [cells[column][0] for cells in draft.rows if cells[column][0] is not None]
        best = max(shown, default=None)
        for row in rows:
            value = row[rate]
            row[ratio] = value / best if value is not None and best else None
            row[flag] = None if row[ratio] is None else row[ratio] < ind.FLAG_RATIO
    return table


TableBuilder = Callable[[ind.Cohort], Table]
PAGES: dict[str, tuple[TableBuilder, ...]] = {
    "dashboard": (headline_table, retention_table, completion_table),
    "outcomes": (months_table, earnings_table, volatility_table, net_income_table,
                 wellbeing_table, participation_table, community_table),
    "benefits": (benefits_table, exits_table, reemployment_table, overrides_table),
}
BUILDERS: dict[str, TableBuilder] = {
    "placements": headline_table, "retention": retention_table, "completion": completion_table,
    "months_employed": months_table, "earnings": earnings_table, "volatility": volatility_table,
    "net_income": net_income_table, "wellbeing": wellbeing_table,
    "participation": participation_table, "community": community_table,
    "benefits": benefits_table, "exits": exits_table, "reemployment": reemployment_table,
    "overrides": overrides_table,
}


# -- text summaries and charts ---------------------------------------------------------------


def cell(table: Published, row: int, key: str) -> Any:
    """Return a published value (None when hidden or unknown)."""
    index = [c.key for c in table.columns].index(key)
    return table.rows[row][index][0] if row < len(table.rows) else None


def pct(value: float | None) -> str:
    return _("hidden") if value is None else f"{value:.0%}"


def summarise(table: Published) -> str:
    """Return a sentence saying what a published table shows (hidden figures stay hidden)."""
    if table.key == "retention":
        parts = [_("%(day)s days: %(share)s", day=d, share=pct(cell(table, i, "retained")))
                 for i, d in enumerate(ind.RETENTION_DAYS)]
        return _("Share still in the job after") + " " + "; ".join(parts) + "."
    if table.key == "exits" and table.total is not None:
        shown = [(row[0][0], row[1][0]) for row in table.rows if row[1][0]]
        if not shown:
            return _("No published figure: too few jobs have ended.")
        cause, count = max(shown, key=lambda item: item[1])
        return _("The most common published cause of a job ending: %(cause)s (%(count)s).",
                 cause=cause, count=count)
    if not table.rows:
        return _("No data for this selection yet.")
    if table.any_hidden:
        return _("Some figures are hidden because they concern fewer than %(n)s people.",
                 n=table.threshold)
    return ""


def retention_chart(series: list[tuple[str, ind.Retention]]) -> Markup:
    """Return the survival-curve chart of one or two cohorts (hidden where few are at risk)."""
    k = threshold()
    lines = [
        charts.Series(label, [(d, s if n >= k else None)
                              for d, (s, n) in sorted(result.points.items())
                              if d in ind.CURVE_DAYS])
        for label, result in series
    ]
    described = "; ".join(
        f"{label}: " + ", ".join(
            _("%(day)s days %(share)s", day=d, share=pct(result.points[d][0]
                                                          if result.points[d][1] >= k else None))
            for d in ind.RETENTION_DAYS)
        for label, result in series
    )
    return charts.line_chart(
        _("Share still in the job, by days since the start"),
        described,
        lines,
        x_label=_("Days since the start"),
        y_label=_("Share still in the job"),
        x_max=730,
        x_ticks=(0, 90, 180, 365, 545, 730),
    )


def exits_chart(table: Published) -> Markup:
    bars = [(str(row[0][0]), row[1][0], _("hidden") if row[1][1] else str(row[1][0]))
            for row in table.rows]
    return charts.bar_chart(_("Why jobs ended"), summarise(table), bars)


def ratio_chart(table: Published, ratio_key: str, title: str) -> Markup:
    index = [c.key for c in table.columns].index(ratio_key)
    bars = []
    for row in table.rows:
        value, hidden = row[index]
        text = _("hidden") if hidden else ("—" if value is None else f"{value:.2f}")
        bars.append((str(row[0][0]), value, text))
    flagged = [b[0] for b in bars if b[1] is not None and b[1] < ind.FLAG_RATIO]
    description = (
        _("Groups below 0.8 of the best group: %(groups)s.", groups="、".join(flagged))
        if flagged else _("No published group is below 0.8 of the best group.")
    )
    return charts.bar_chart(title, description, bars, x_max=1.0,
                            reference=(ind.FLAG_RATIO, "0.8"))


# -- views -----------------------------------------------------------------------------------


def render_page(page: str, template: str, form: Any, filters: ind.Filters | None,
                **context: Any) -> ResponseReturnValue:
    tables: list[Published] = []
    if filters is not None:
        cohort = ind.Cohort(db.session, filters)  # the tables of a page share its passes
        for builder in PAGES.get(page, ()):
            table = builder(cohort)
            published = publish(table, threshold())
            published.summary = summarise(published)
            if "curve" in table.extra:
                context["curve"] = retention_chart([(_("Selected cohort"), table.extra["curve"])])
            tables.append(published)
    if page == "benefits" and tables:
        context["exits_chart"] = exits_chart(next(t for t in tables if t.key == "exits"))
    return render_template(
        template,
        form=form,
        tables=tables,
        filters=filters,
        sections=SECTIONS,
        query=request.args.to_dict(),
        threshold=threshold(),
        **context,
    ), 200 if filters is not None else 400


@bp.get("/")
@allow("analyst")
def dashboard() -> ResponseReturnValue:
    form, filters = read_filters(OutcomeFilterForm)
    summary = platform_summary(db.session)
    return render_page("dashboard", "analyst/dashboard.html", form, filters,
                       title=_l("Outcomes: retention"), summary=summary)


@bp.get("/outcomes")
@allow("analyst")
def outcomes() -> ResponseReturnValue:
    form, filters = read_filters(OutcomeFilterForm)
    return render_page("outcomes", "analyst/section.html", form, filters,
                       title=_l("Outcomes: income and well-being"))


@bp.get("/benefits")
@allow("analyst")
def benefits() -> ResponseReturnValue:
    form, filters = read_filters(OutcomeFilterForm)
    return render_page("benefits", "analyst/section.html", form, filters,
                       title=_l("Outcomes: benefits and exits"))


@bp.get("/groups")
@allow("analyst")
def groups() -> ResponseReturnValue:
    form, filters = read_filters(GroupFilterForm)
    context: dict[str, Any] = {}
    if filters is not None:
        dimension = form.breakdown.data or "disability_category"
        published = publish(groups_table(db.session, filters, dimension), threshold())
        published.summary = summarise(published)
        context["group_table"] = published
        keys = [c.key for c in published.columns]
        context["group_charts"] = [
            ratio_chart(published, key, title)
            for key, title in (("selection_ratio", _("Selection rate against the best group")),
                               ("retention_ratio", _("180-day retention against the best group")))
            if key in keys
        ]
    return render_page("groups", "analyst/groups.html", form, filters,
                       title=_l("Outcomes: groups"), **context)


@bp.get("/compare")
@allow("analyst")
def compare() -> ResponseReturnValue:
    form, filters = read_filters(CompareForm)
    context: dict[str, Any] = {"comparison": None}
    if filters is not None and (form.compare_from.data or form.compare_to.data):
        second = filters.with_period(form.compare_from.data, form.compare_to.data)
        first_label, second_label = _("First cohort"), _("Second cohort")
        days = (*ind.RETENTION_DAYS, *ind.CURVE_DAYS)
        one, two = (ind.retention(db.session, filters, days),
                    ind.retention(db.session, second, days))
        rows = []
        for day in ind.RETENTION_DAYS:
            (s1, n1), (s2, n2) = one.points[day], two.points[day]
            rows.append({"day": day_label(day), "n1": n1, "s1": s1, "n2": n2, "s2": s2,
                         "diff": s2 - s1})
        table = Table(
            "compare",
            _l("Still in the job: first and second cohort"),
            [
                Column("day", _l("Days since the start"), "label"),
                Column("n1", _l("First cohort: still observed")),
                Column("s1", _l("First cohort: share still in the job"), "derived", PERCENT,
                       depends=("n1",), at_least=("n1",)),
                Column("n2", _l("Second cohort: still observed")),
                Column("s2", _l("Second cohort: share still in the job"), "derived", PERCENT,
                       depends=("n2",), at_least=("n2",)),
                Column("diff", _l("Difference (second minus first)"), "derived", "points",
                       depends=("n1", "n2"), at_least=("n1", "n2")),
            ],
            rows,
        )
        published = publish(table, threshold())
        published.summary = summarise(published)
        context["comparison"] = published
        context["counts"] = [(first_label, one.placements), (second_label, two.placements)]
        context["curve"] = retention_chart([(first_label, one), (second_label, two)])
    return render_page("compare", "analyst/compare.html", form, filters,
                       title=_l("Compare two cohorts"), **context)


@bp.get("/export/<table>.<fmt>")
@allow("analyst")
def export(table: str, fmt: str) -> ResponseReturnValue:
    if fmt not in ("csv", "xlsx") or (table not in BUILDERS and table != "groups"):
        abort(404)
    form_class = GroupFilterForm if table == "groups" else OutcomeFilterForm
    form, filters = read_filters(form_class)
    if filters is None:
        abort(400)
    if table == "groups":
        raw = groups_table(db.session, filters, form.breakdown.data or "disability_category")
    else:
        raw = BUILDERS[table](ind.Cohort(db.session, filters))
    published = publish(raw, threshold())
    ind.record_export(db.session, current_user, table, fmt, request.args.to_dict())
    header = [str(c.label) for c in published.columns]
    body = [[export_value(c, v, h) for c, (v, h) in zip(published.columns, row, strict=True)]
            for row in [*published.rows, *([published.total] if published.total else [])]]
    note = _("Hidden: fewer than %(n)s people, or a figure from which such a number could be "
             "worked out.", n=published.threshold)
    filename = f"rongye-{table}-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        text = to_csv(header, [*body, [], [note]])
        response = Response(text, mimetype="text/csv")
    else:
        response = Response(to_xlsx(str(published.title), header, body, note),
                            mimetype="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_value(column: Column, value: Any, hidden: bool) -> Any:
    """Return a cell for a spreadsheet: numbers stay numbers, hidden ones say so."""
    if hidden:
        return _("hidden")
    if value is None:
        return ""
    if column.fmt == "flag":
        return _("Yes") if value else _("No")
    if column.kind == "label":
        return str(value)
    if isinstance(value, float):
        return round(value, 4)
    return value


def to_xlsx(title: str, header: list[str], rows: list[list[Any]], note: str) -> bytes:
    """Return an XLSX workbook of one table; text cells are escaped against formulas."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.append([escape_cell(title)])
    sheet.append([escape_cell(h) for h in header])
    for row in rows:
        sheet.append([escape_cell(v) if isinstance(v, str) else v for v in row])
    sheet.append([])
    sheet.append([escape_cell(note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@bp.get("/how-we-count")
@allow(EVERYONE)
def method() -> ResponseReturnValue:
    return render_template(
        "analyst/method.html",
        threshold=threshold(),
        sections=SECTIONS if current_user.is_authenticated and current_user.role == "analyst"
        else (),
        query={},
    )


def export_url(table: str, fmt: str, query: dict[str, str]) -> str:
    return url_for("analyst.export", table=table, fmt=fmt, **query)


@bp.app_template_global()
def outcome_cell(column: Column, value: Any, hidden: bool) -> str:
    """Format a published cell for the page."""
    if hidden:
        return _("hidden")
    if value is None:
        return "—"
    fmt = column.fmt
    if column.kind == "label":
        return str(value)
    if fmt == PERCENT:
        return f"{value:.0%}"
    if fmt == "points":
        return _("%(points)s points", points=f"{value * 100:+.0f}")
    if fmt == "ratio":
        return f"{value:.2f}"
    if fmt == "flag":
        return _("Yes, below 0.8") if value else _("No")
    if fmt == "money":
        return f"{value:,.0f}"
    if fmt == "number":
        return f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


bp.add_app_template_global(export_url, "outcome_export_url")
