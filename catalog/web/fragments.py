"""The pages' repeated markup, built in Python: the matrix repeats a cell up to 1,500 times and a
menu option dozens, a model's page a row per offering, and string joins cost a fraction of a
template loop (a page must answer as fast as the API's JSON for the same rows). The templates
keep the pages' structure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from ..core.instants import said
from .matrix import Matrix
from .words import cell_href, cell_tip


def options(choices: Iterable[tuple[str, str]], selected: str | None) -> Markup:
    """<option>s: (value, label) pairs, the selected one marked."""
    return Markup(
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


def rows(matrix: Matrix, model_list: list[dict[str, Any]], day: str) -> Markup:
    """One maker's model rows: a header cell, then a cell per cloud with its state and link."""
    clouds = matrix.clouds
    names = {c["id"]: c for c in matrix.all_clouds}
    starts = matrix.kind_starts
    group = [(c["id"], escape(c["id"]), c["name"], c["id"] in starts) for c in clouds]
    out: list[str] = []
    previous: Mapping[str, Any] | None = None
    for model in model_list:
        model_id = escape(model["id"])
        fam = previous is not None and previous["family"] != model["family"]
        family = f" <small>{escape(model['family'])}</small>" if model["family"] else ""
        out.append(
            f'<tr data-row="{model_id}"{" class=fam" if fam else ""}><th scope="row">'
            f'<a href="/models/{model_id}?at={day}">{escape(model["name"])}</a>{family}</th>'
        )
        for cloud_id, cloud_attr, cloud_name, start in group:
            cell = matrix.cells[(model["id"], cloud_id)]
            other = " data-other" if cell.others and not cell.offerings else ""
            edge = ' class="g"' if start else ""
            link = cell_href(cell, day)
            inner = ""
            if link:
                tip = escape(cell_tip(cell, cloud_name, names))
                inner = f'<a href="{escape(link)}" aria-label="{tip}"></a>'

            out.append(
                f'<td data-model="{model_id}" data-cloud="{cloud_attr}" '
                f'data-state="{cell.state}"{other}{edge}>{inner}</td>'
            )
        out.append("</tr>")
        previous = model
    return Markup("\n".join(out))


def maker_links(providers: Iterable[Mapping[str, Any]], day: str, selected: str | None) -> Markup:
    """The list of makers, each a link to the matrix of its models."""
    return Markup(
        "".join(
            f'<li><a href="/?at={day}&amp;provider={escape(p["id"])}"'
            f"{' aria-current=true' if p['id'] == selected else ''}>{escape(p['name'])}</a> "
            f"<small>{p['models']}</small></li>"
            for p in providers
        )
    )


def thead(matrix: Matrix, labels: Mapping[str, str]) -> Markup:
    """The column heads: the kinds over their clouds, a group edge before each new kind."""
    starts = matrix.kind_starts
    kinds = "".join(
        f'<th scope="colgroup" colspan="{n}" class="kind">{escape(labels[kind])}</th>'
        for kind, n in matrix.kinds
    )
    # The whole name, rotated and wrapped onto two lines where long: its text is the header's
    # accessible name, and the title shows it on hover too.
    clouds = "".join(
        f'<th scope="col" class="cloud{" g" if c["id"] in starts else ""}" '
        f'title="{escape(c["name"])}"><span>{escape(c["name"])}</span></th>'
        for c in matrix.clouds
    )
    # Column widths from <col>s (CSS sizes them): a fixed layout as wide as its columns, with
    # no inline style (the pages' Content-Security-Policy allows none).
    cols = f'<colgroup><col class="names"><col class="cell" span="{len(matrix.clouds)}"></colgroup>'
    return Markup(
        f'{cols}\n<thead>\n<tr><td class="corner" rowspan="2"></td>{kinds}</tr>\n'
        f"<tr>{clouds}</tr>\n</thead>"
    )


def when(record: Mapping[str, Any], name: str) -> Markup:
    """A record's dated fact in words (instants.said), linked to its source; a dash if none."""
    value = record[name]
    if not value:
        return Markup('<span class="muted">–</span>')
    source, certainty = record[name + "_source"], record[name + "_certainty"]
    return Markup(
        f'<a href="{escape(source)}" rel="noreferrer" class="src">'
        f"{escape(said(value, certainty))}</a>"
    )


def offering_row(offering: Mapping[str, Any], regions: Mapping[tuple[str, str], Any]) -> Markup:
    """An offering's row on its model's page up to its last cell (its state on the day asked,
    which the template adds): the same for every day, so made once per catalog version."""
    o, oid = offering, escape(offering["id"])
    origin = f" <small>({escape(o['origin'])})</small>" if o["origin"] != "curated" else ""
    version = f" v{escape(o['cloud_model_version'])}" if o["cloud_model_version"] else ""
    return Markup(
        f'<tr id="offering-{oid}" data-offering="{oid}">\n'
        f'<th scope="row" title="{oid}">{escape(o["id"].split(":", 2)[2])}{origin}</th>\n'
        f"<td><code>{escape(o['cloud_model_id'])}</code>{version}</td>\n"
        f"<td>{escape(o['stage'])}</td>\n"
        f"<td>{_regions(o, regions)}</td>\n"
        f"<td>{when(o, 'available_from')}</td>\n"
        f"<td>{when(o, 'deprecated_from')}</td>\n"
        f"<td>{when(o, 'retired_from')}</td>\n"
    )


def _regions(offering: Mapping[str, Any], regions: Mapping[tuple[str, str], Any]) -> str:
    listed = offering["regions"]
    if not listed:
        return (
            '<span class="muted" title="The catalog does not know which regions serve it">'
            "not known</span>"
        )
    items = []
    for region_id in listed:
        region = regions.get((offering["cloud"], region_id))
        title = escape(region["name"] if region else region_id)
        geography = f" <small>{escape(region['geography'])}</small>" if region else ""
        items.append(f'<li title="{title}">{escape(region_id)}{geography}</li>')
    joined = f'<ul class="regions">{"".join(items)}</ul>'
    if len(listed) > 6:  # a long list folds under its count
        return f"<details><summary>{len(listed)} regions</summary>{joined}</details>"
    return joined
