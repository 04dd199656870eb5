"""The pages: thin views that validate the query, read through matrix.py / chart.py, render."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request
from markupsafe import Markup
from marshmallow import fields, validate
from werkzeug.wrappers import Request

from .. import resources
from ..core import comparison, reading, rules
from ..declarations.args import Args
from ..declarations.fields import CLOUD_KINDS, query_instant, query_slug
from ..http.caching import now
from ..http.context import request_args
from ..http.errors import APIError
from ..http.operations import HTML, Answer, Elsewhere
from ..resources.regions import GEOGRAPHY
from ..storage import moments, queries
from ..storage.db import get_db
from . import chart, fragments, matrix, words
from .pages import bp, page

AS_OF = "The catalog as it had it recorded then (its own history)."


class MatrixArgs(Args):
    """The matrix's query: the instant, the filters, the page."""

    at = query_instant("The instant (default: now).")
    as_of = query_instant(AS_OF)
    provider = query_slug("Only this maker's models.")
    family = query_slug("Only this family.")
    model = query_slug("Only this model.")
    kind = fields.String(validate=validate.OneOf(CLOUD_KINDS))
    q = fields.String(validate=validate.Length(min=1, max=200))
    geography = fields.String(validate=validate.Regexp(GEOGRAPHY))
    every = fields.Boolean(data_key="all")  # every model, not only those offered at `at`
    page = fields.Integer(strict=False, validate=validate.Range(min=1, max=100_000))


class ModelPageArgs(Args):
    at = query_instant("The instant (default: now).")
    as_of = query_instant(AS_OF)


class TimelineArgs(Args):
    provider = query_slug("Only this maker's models.")
    model = query_slug("Only this model.")
    cloud = query_slug("Only offerings on, and windows held by, this cloud.")
    scope = fields.String(validate=validate.OneOf(("exclusivity", "all")))
    start = query_instant("The chart's first day.")
    end = query_instant("The chart's last day.")


def _html(body: str) -> Response:
    return Response(body, mimetype="text/html")


@bp.get("/")
@page(MatrixArgs)
def matrix_page() -> Response:
    """The availability matrix at `at`: models down (by maker, family), clouds across (by kind)."""
    args = request_args()
    at = args["at"]
    conn = get_db()
    built = matrix.build(conn, at, args, args.get("page", 1))
    day = at[:10]
    provider, family = args.get("provider"), args.get("family")
    families = matrix.list_families(conn, provider)

    def menus() -> tuple[Markup, Markup, Markup]:
        providers = matrix.list_providers(conn)
        return (
            fragments.options(
                ((p["id"], f"{p['name']} ({p['models']})") for p in providers), provider
            ),
            fragments.options(((f, f) for f, _ in families or []), family),
            fragments.maker_links(providers, day, provider),
        )

    # The menus change only with the catalog: built once per version and choice, not per page.
    maker_options, family_options, maker_links = matrix.per_version(
        conn, ("menus", day, provider, family), menus
    )
    return _html(
        render_template(
            "matrix.html",
            m=built,
            args=args,
            day=day,
            families=families,
            maker_options=maker_options,
            family_options=family_options,
            kind_options=fragments.options(matrix.KIND_LABELS.items(), args.get("kind")),
            geography_options=fragments.options(
                ((geo, geo) for geo, _ in matrix.list_geographies(conn)), args.get("geography")
            ),
            maker_links=maker_links,
            thead=matrix.per_version(
                conn,
                ("thead", args.get("kind")),
                lambda: fragments.thead(built, matrix.KIND_LABELS),
            ),
            rows=fragments.rows,
            page_url=page_url,
        )
    )


def _moment_of(
    conn: sqlite3.Connection, model_id: str, at: str
) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """A model's page's facts, and the key of its page at `at`; a 404 if there is no model.
    The page shows the day asked and the day of the newest fact (the footer), and compares
    `at` with its facts' instants, nothing more: one page per moment."""
    facts = matrix.per_version(conn, ("model page", model_id), lambda: _facts(conn, model_id))
    if facts is None:
        raise APIError(404, f"There is no model {model_id!r}.", title="Not Found")
    return facts, (
        "model page",
        model_id,
        at[:10],
        now()[:10],
        moments.moment(facts["instants"], at),
    )


def _kept_page(
    conn: sqlite3.Connection, path: dict[str, str], args: dict[str, Any], asked: Request
) -> Answer:
    """The model's page where it is kept for its moment (the fast path sends it without
    Flask, and the page for another `at` where that is kept); else Elsewhere: the view makes
    it, with Flask's templates."""

    def again(conn: sqlite3.Connection, at: str, text: str) -> Answer | None:
        kept = moments.kept(conn, _moment_of(conn, path["model_id"], at)[1])
        return None if kept is None else Answer(kept.encode(), [], HTML)

    found = again(conn, args["at"], "")
    if found is None:
        raise Elsewhere("html")
    return replace(found, again=again)


@bp.get("/models/<model_id>")
@page(ModelPageArgs, answer=_kept_page)
def model_page(model_id: str) -> Response:
    """One model: its offerings and regions, windows, prices in force and every source."""
    at = request_args()["at"]
    conn = get_db()
    facts, key = _moment_of(conn, model_id, at)
    return _html(moments.per_moment(conn, key, lambda: _model_page(conn, facts, at)))


def _facts(conn: sqlite3.Connection, model_id: str) -> dict[str, Any] | None:
    """What a model's page shows but the day's states and prices: the same for every day, so
    read once per catalog version (each offering's row made already), with the instants its
    states and prices change at."""
    model = queries.get_record(conn, resources.get("models"), model_id)
    if model is None:
        return None
    regions = reading.regions_by_key(conn)
    offerings = matrix.list_offerings_of(conn, [model_id])
    windows = list(
        queries.list_records(
            conn, resources.get("exclusivity-windows"), {"model": model_id}, sort="starts_at"
        )
    )
    prices = queries.list_records(conn, resources.get("prices"), {"model": model_id})
    return {
        "model": model,
        "provider": queries.get_record(conn, resources.get("providers"), model["provider"]),
        "windows": windows,
        "offerings": offerings,
        "rows": {o["id"]: fragments.offering_row(o, regions) for o in offerings},
        "instants": moments.instants_in([model, *offerings, *windows, *prices]),
    }


def _model_page(conn: sqlite3.Connection, facts: dict[str, Any], at: str) -> str:
    model, offerings, windows = facts["model"], facts["offerings"], facts["windows"]
    clouds = reading.kept_by_id(conn, "clouds")
    by_cloud: dict[str, list[dict[str, Any]]] = {}
    for offering in offerings:
        by_cloud.setdefault(offering["cloud"], []).append(offering)
    states = {
        found.cloud: found.state
        for found in rules.states(model, clouds.values(), windows, offerings, at)
    }
    return render_template(
        "model.html",
        model=model,
        provider=facts["provider"],
        clouds=clouds,
        windows=windows,
        spans={s["id"]: s for s in rules.in_force(windows, model, offerings, clouds)},
        by_cloud=by_cloud,
        rows=facts["rows"],
        states=states,
        at=at,
        day=at[:10],
        prices=comparison.comparison(conn, model, at),
        sources=words.sources(offerings, windows),
        is_available=rules.is_available,
        is_active=rules.is_active,
    )


def page_url(number: int, **changed: str) -> str:
    """This page's URL with another page number (and any argument changed)."""
    query = {k: v for k, v in request.args.items() if k != "page" and v.strip()}
    return "/?" + urlencode({**query, **changed, "page": number})


@bp.get("/timeline")
@page(TimelineArgs)
def timeline_page() -> Response:
    """Exclusivity windows and offering dates as a time chart (SVG drawn here)."""
    args = request_args()
    now = args.pop("at")  # the chart's "today": it takes no `at`, so always now
    conn = get_db()
    drawn = chart.build(conn, args, now)
    providers = matrix.list_providers(conn)
    clouds = list(queries.list_records(conn, resources.get("clouds"), {}, sort="name"))
    return _html(
        render_template(
            "timeline.html",
            chart=drawn,
            args=args,
            providers=providers,
            clouds=clouds,
        )
    )
