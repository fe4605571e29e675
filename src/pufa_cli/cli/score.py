"""pufa score: units scored against the plan's ``scoring:`` block (考核), and the manual scores."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    DbOption,
    PlanIdOption,
    QuarterOption,
    QuietOption,
    RowsFormat,
    RowsFormatOption,
    YearOption,
    check_when,
    plan_session,
    report_day,
)
from pufa_cli.i18n import _


class ScoreBy(str, Enum):
    unit = "unit"
    task = "task"


UNIT_HEADERS = ("rank", "unit", "score", "earned", "possible", "deductions", "bonus", "rank_change")
TASK_HEADERS = (
    "unit",
    "task",
    "points",
    "percent",
    "overdue",
    "late",
    "missed_checkpoint",
    "missing_evidence",
    "earned",
    "lost",
)


def score(
    ctx: typer.Context,
    quarter: QuarterOption = None,
    as_of: AsOfOption = None,
    by: Annotated[
        ScoreBy,
        typer.Option(
            "--by",
            help=_("unit: the ranking; task: where each unit lost its points."),
            case_sensitive=False,
        ),
    ] = ScoreBy.unit,
    fmt: RowsFormatOption = RowsFormat.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
) -> None:
    """Score and rank the units by the plan's scoring rules. Example: pufa score --quarter 2"""
    if ctx.invoked_subcommand is not None:
        return
    from pufa_cli.i18n import plan_text
    from pufa_cli.scoring.compute import compute_scores

    check_when(quarter, as_of)
    with plan_session(db, year, plan_id) as (conn, plan):
        day = report_day(quarter, as_of, plan.year)
        result = compute_scores(conn, plan, day)

    def text(value: str) -> str:
        return plan_text(value, plan.script)

    by_task = by is ScoreBy.task
    if fmt is RowsFormat.json:
        from pufa_cli.render import print_json
        from pufa_cli.scoring.compute import score_json

        print_json(score_json(result, text, by_task=by_task))
        return
    headers, rows = score_rows(result, by_task)
    if fmt is RowsFormat.csv:
        import sys

        from pufa_cli.render import csv_text

        sys.stdout.write(csv_text(headers, rows))
    elif fmt is RowsFormat.markdown:
        import sys

        from pufa_cli.render import markdown_table

        named = _named_rows(rows, headers, text)
        out = [f"## {_heading(result, text, by_task)}", ""]
        out.append(markdown_table([labels()[h] for h in headers], named))
        if by_task and result.manual:
            out += ["", markdown_table(*_manual_table(result, text))]
        sys.stdout.write("\n".join(out))
    else:
        from rich.console import Group

        from pufa_cli.render import Col, show, table

        flexible = {"unit"}
        cols = [
            Col(labels()[h], "left" if h == "unit" else "right", flexible=h in flexible)
            for h in headers
        ]
        named = _named_rows(rows, headers, text)
        if not (by_task and result.manual):
            # One table: streamed when long (a city's hundreds of units), as pufa tasks is.
            from pufa_cli.render.stream import print_table

            print_table(_heading(result, text, by_task), cols, named)
            return
        parts: list[Any] = [table(_heading(result, text, by_task), cols, named)]
        if by_task and result.manual:
            mh, mr = _manual_table(result, text)
            parts.append(table(None, [Col(h) for h in mh], mr))
        show(Group(*parts))


def labels() -> dict[str, str]:
    return {
        "rank": _("Rank"),
        "unit": _("Unit"),
        "score": _("Score"),
        "earned": _("Earned"),
        "possible": _("Possible"),
        "deductions": _("Deducted"),
        "bonus": _("Bonus"),
        "rank_change": "±",
        "task": _("No."),
        "points": _("Points"),
        "percent": "%",
        "overdue": _("Overdue"),
        "late": _("Late"),
        "missed_checkpoint": _("Checkpoints"),
        "missing_evidence": _("Evidence"),
        "lost": _("Lost"),
    }


def _heading(result: Any, text: Any, by_task: bool) -> str:
    head = _("{title} ({year}) — scores as of {day}").format(
        title=text(result.plan.title), year=result.plan.year, day=result.as_of.isoformat()
    )
    if by_task:
        head += " · " + _("by task")
    if result.previous:
        head += " · " + _("± since notice {number}").format(number=result.previous)
    return head


def score_rows(result: Any, by_task: bool) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) of csv and markdown: machine column names, numbers as in JSON."""
    from pufa_cli.scoring.compute import number, unit_json

    if not by_task:
        headers = list(UNIT_HEADERS)
        return headers, [[unit_json(u)[h] for h in headers] for u in result.units]
    headers = list(TASK_HEADERS)
    rows = []
    for s in result.shares:
        rows.append(
            [
                s.unit,
                s.ref,
                number(s.points),
                s.percent,
                *(number(s.deductions.get(k, 0.0)) for k in TASK_HEADERS[4:8]),
                number(s.earned),
                number(s.lost),
            ]
        )
    return headers, rows


def _named_rows(rows: list[list[Any]], headers: list[str], text: Any) -> list[list[Any]]:
    i = headers.index("unit")
    out = []
    for r in rows:
        cells = list(r)
        cells[i] = text(cells[i])
        if "rank_change" in headers:
            j = headers.index("rank_change")
            change = cells[j]
            cells[j] = "" if change is None else (f"+{change}" if change > 0 else str(change))
        out.append(cells)
    return out


def _manual_table(result: Any, text: Any) -> tuple[list[str], list[list[Any]]]:
    from pufa_cli.scoring.compute import number

    headers = [_("Unit"), _("Item"), _("Points"), _("Self"), _("Reviewer")]
    rows = [
        [
            text(m.unit),
            text(m.label),
            number(m.points),
            "" if m.self_score is None else number(m.self_score),
            "" if m.review is None else number(m.review),
        ]
        for m in result.manual
    ]
    return headers, rows


def score_set(
    unit: Annotated[str, typer.Option("--unit", "-u", help=_("The unit scored."))],
    item: Annotated[str, typer.Option("--item", help=_("The item's key in the plan's scoring."))],
    self_score: Annotated[float, typer.Option("--self", help=_("The unit's own score."))],
    review: Annotated[
        float | None,
        typer.Option(
            "--review", help=_("The reviewer's score (the one that counts)."), show_default=False
        ),
    ] = None,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Record a manual indicator's score, self and reviewer."""
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.scoring.manual import set_manual

    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        set_manual(conn, plan, unit, item, self_score, review, by=clock.user(), now=clock.now())
    notice(_("score recorded: {unit} {item}").format(unit=unit, item=item))


def score_bonus(
    unit: Annotated[str, typer.Option("--unit", "-u", help=_("The unit that earns it."))],
    points: Annotated[float, typer.Option("--points", help=_("Bonus points (negative corrects)."))],
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (required)."), show_default=False)
    ] = None,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Record bonus points (加分) for a unit, with the reason."""
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.scoring.manual import add_bonus

    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        add_bonus(conn, plan, unit, points, reason or "", by=clock.user(), now=clock.now())
    notice(_("bonus recorded: {unit} {points}").format(unit=unit, points=points))


def register(app: typer.Typer) -> None:
    score_app = typer.Typer(
        help=_(
            "Score and rank the units by the plan's scoring rules (考核). "
            "Example: pufa score --quarter 2 -f json"
        ),
        invoke_without_command=True,
    )
    score_app.callback()(score)
    score_app.command(
        "set",
        help=_(
            "Record a manual indicator's score, self and reviewer. "
            "Example: pufa score set --unit 區司法局 --item org --self 9 --review 8"
        ),
    )(score_set)
    score_app.command(
        "bonus",
        help=_(
            "Record bonus points for a unit, with the reason. "
            "Example: pufa score bonus --unit 區司法局 --points 2 --reason 省級表彰"
        ),
    )(score_bonus)
    app.add_typer(score_app, name="score")
