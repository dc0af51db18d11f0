"""Rendering the gathered report data as one self-contained HTML page.

Every piece of text that comes from data (answers, labels, question wording, wave names,
file names, model card fields) goes through `html.escape`; the page has no script and no
reference to anything outside itself, so it reads the same offline, in a mail attachment
and on paper.
"""

from __future__ import annotations

import math
import re
from html import escape
from importlib import resources
from string import Template

from .build import CONFIDENCE, ReportData, estimates_by_question
from .svg import shares_chart, wave_colours

MINUS = "\u2212"
SIGNIFICANT = ' class="sig"'


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _signed(value: float) -> str:
    text = f"{value:+.1f}"
    return text.replace("-", MINUS)


def _pct(value: float) -> str:
    return f"{value:.1f}"


def _p(value: float) -> str:
    return "&lt;0.001" if value < 0.001 else f"{value:.3f}"


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _share(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f}%"


def _score(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def _anchor(key: str | None, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (key or "").lower()).strip("-")
    return f"q{index + 1}-{slug}" if slug else f"q{index + 1}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kcc-text")
    except PackageNotFoundError:
        return "unknown"


def render(data: ReportData) -> str:
    css = resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")
    template = Template(resources.files(__package__).joinpath("template.html").read_text(encoding="utf-8"))
    colours = dict(zip(data.waves, wave_colours(len(data.waves))))
    parts = [_header(data), _method(data), _toc(data)]
    for index, section in enumerate(data.sections):
        parts.append(_question(data, section, index, colours))
    if data.model is not None:
        parts.append(_model(data))
    if data.audit is not None:
        parts.append(_audit(data))
    parts.append(_codebook(data))
    parts.append(_footer(data))
    book = data.codebook
    return template.substitute(
        generator=_e(f"kcc-text {_version()}"), css=css,
        title=_e(f"Themes in open answers – codebook {book.name} {book.version}"),
        body="\n".join(p for p in parts if p),
    )


def _coded_by(data: ReportData) -> str:
    if data.models:
        return f"codebook patterns and classifier {', '.join(data.models)}"
    return "codebook patterns (rules)"


def _header(data: ReportData) -> str:
    book = data.codebook
    n_q = len(data.sections)
    waves = _e(", ".join(data.waves)) if data.waves else "–"
    span = f"{_e(data.waves[0])} to {_e(data.waves[-1])}" if len(data.waves) >= 2 else waves
    lede = (f"{data.n_answers:,} answers to {n_q} open question{'s' if n_q != 1 else ''}, "
            f"{'waves ' + span if len(data.waves) >= 2 else 'one wave (' + waves + ')'}, coded into the "
            f"themes of codebook <strong>{_e(book.name)} {_e(book.version)}</strong>: which themes respondents "
            f"mention, how often, and how that changed.")
    facts = [
        ("Answers", f"{data.n_answers:,}"),
        ("Waves", waves),
        ("Codebook", f"{_e(book.name)} {_e(book.version)}<br><span class=\"small mono\">hash {_e(book.hash)}</span>"),
        ("Coded with", _e(_coded_by(data))),
    ]
    if data.n_review is not None:
        share = f" ({100 * data.n_review / data.n_answers:.0f}%)" if data.n_answers else ""
        facts.append(("Flagged for review", f"{data.n_review:,}{share}"))
    if data.n_human:
        facts.append(("Coded by a person", f"{data.n_human:,}"))
    items = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    return (f'<header>\n<p class="kicker">kcc-text theme report</p>\n'
            f"<h1>Themes in open answers</h1>\n<p class=\"lede\">{lede}</p>\n"
            f'<dl class="facts">{items}</dl>\n</header>')


def _method(data: ReportData) -> str:
    book = data.codebook
    items = []
    coding = (f"Each answer was coded by the tool with codebook {_e(book.ref)} (hash <span class=\"mono\">"
              f"{_e(book.hash)}</span>) using {_e(_coded_by(data))}. An answer can have several themes or none.")
    if data.n_review is not None:
        coding += (f" {data.n_review:,} of {data.n_answers:,} answers are flagged for review because the tool "
                   f"was not sure of them; they are counted here with the codes the tool gave them.")
    if data.n_human:
        coding += f" {data.n_human:,} answers carry a person's codes instead of the machine's."
    items.append(coding)
    items.append("A theme's <strong>share</strong> is the percentage of all answers to the question in that wave "
                 "that have the theme; answers without any theme count in the base. Each share is shown with "
                 f"its {CONFIDENCE * 100:g}% Wilson score interval (statsmodels "
                 "<code>proportion_confint(method=\"wilson\")</code>).")
    if data.shift is not None and data.shift.kind == "groups":
        method = data.shift.method
        correction = ("p-values not adjusted" if method["correction"] == "none" else
                      f"p-values adjusted with the {_e(method['correction_name'])} method over each question's themes")
        waves = ", ".join(_e(g) for g in data.shift.groups)
        items.append(f"The <strong>shift</strong> is reported over all {len(data.shift.groups)} waves ({waves}): "
                     f"each wave's share with its {method['confidence'] * 100:g}% {_e(method['share_interval_name'])}"
                     f" and per theme one test of equal shares across the waves ({_e(method['test_name'])}), "
                     f"{correction}. No pair of waves is singled out; the full method is under each table.")
    elif data.shift is not None:
        a, b = data.shift.groups
        method = data.shift.method
        correction = ("p-values not adjusted" if method["correction"] == "none" else
                      f"p-values adjusted with the {_e(method['correction_name'])} method over each question's themes")
        items.append(f"The <strong>shift</strong> compares {_e(a)} (a) with {_e(b)} (b): the change b − a in "
                     f"percentage points with its {method['confidence'] * 100:g}% {_e(method['interval_name'])}, "
                     f"{_e(method['test_name'])} per theme, {correction}. The full method is under each shift "
                     "table.")
    else:
        items.append("The data hold one wave only, so there is no shift between waves to report.")
    corrected = _corrected_questions(data)
    if corrected:
        items.append("<strong>Corrected by the audit:</strong> a person coded a random sample of the answers. "
                     "For " + ("every question" if len(corrected) == len(data.sections) else
                               f"{len(corrected)} of {len(data.sections)} questions")
                     + " the shares and shifts are also given corrected for the tool's coding errors "
                     "(prediction-powered inference, PPI++), with their 95% intervals, in a table "
                     "<em>Corrected by the audit</em> under the tool's own shift table. Where the two differ, "
                     "the corrected numbers are the ones to report.")
    sure = ["<strong>How sure:</strong> the intervals and tests of the tool's own numbers cover sampling "
            "variation only. They do not cover coding errors: a theme the tool misses or adds moves a share "
            "without widening its interval."]
    if corrected:
        sure.append("The audit-corrected intervals do cover the coding errors the audit measured, provided the "
                    "audited answers are a simple random sample of each wave.")
    measured = []
    if data.model is not None and data.model.get("micro_f1") is not None:
        measured.append(f"the classifier scored a cross-validated micro-F1 of {_score(data.model['micro_f1'])} "
                        f"on {data.model.get('n_answers') or '?'} human-coded answers (see Model)")
    agreement = (data.audit or {}).get("agreement")
    if agreement:
        measured.append(f"on {agreement['n']:,} audited answers the coded theme set equalled a person's in "
                        f"{_share(agreement['exact_set'])} (95% interval {_share(agreement['exact_set_low'])}–"
                        f"{_share(agreement['exact_set_high'])}; see Audit)")
    if measured:
        sure.append("Measured accuracy: " + "; ".join(measured) + ".")
    else:
        sure.append("The accuracy of these codes was not measured for this report (no model card and no audit "
                    "were given): read the shares as the tool's coding, with an error of unknown size.")
    items.append(" ".join(sure))
    body = "".join(f"<li>{item}</li>" for item in items)
    warnings = ""
    if data.warnings:
        warnings = ('<div class="callout"><strong>Warnings</strong><ul>'
                    + "".join(f"<li>{_e(w)}</li>" for w in data.warnings) + "</ul></div>")
    return (f'<section class="method" id="method">\n<h2>How these numbers were made, and how sure they are</h2>\n'
            f"<ul>{body}</ul>\n</section>\n{warnings}")


def _toc(data: ReportData) -> str:
    links = [f'<li><a href="#{_anchor(s.key, i)}">{_e(s.wording or s.key or "All answers")}</a></li>'
             for i, s in enumerate(data.sections)]
    if data.model is not None:
        links.append('<li><a href="#model">Model</a></li>')
    if data.audit is not None:
        links.append('<li><a href="#audit">Audit</a></li>')
    links.append('<li><a href="#codebook">Codebook</a></li>')
    return f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>{"".join(links)}</ol></nav>'


def _question(data: ReportData, section, index: int, colours: dict[str, str]) -> str:
    anchor = _anchor(section.key, index)
    heading = _e(section.wording or section.key or "All answers")
    key = f'<span class="qkey">{_e(section.key)}</span>' if section.key and section.wording else ""
    sizes = ", ".join(f"{_e(w)}: {n:,}" for w, n in section.waves)
    none = ", ".join(f"{_e(w)}: {k:,}" for w, k in section.no_theme)
    meta = [f"Answers {sizes}.", f"Without any theme {none}."]
    if section.review:
        meta.append("Flagged for review " + ", ".join(f"{_e(w)}: {k:,}" for w, k in section.review) + ".")
    out = [f'<section class="question" id="{anchor}">', f"<h2>{key}{heading}</h2>",
           f'<p class="small">{" ".join(meta)}</p>']
    figure_no = index + 1
    if section.shares:
        out.append(f'<figure class="chart"><figcaption><strong>Figure {figure_no}.</strong> Share of answers '
                   f"with each theme, by wave; lines show the {CONFIDENCE * 100:g}% interval.</figcaption>")
        for layout in ("wide", "narrow"):
            out.append(shares_chart(section, colours, chart_id=f"chart-{anchor}-{layout}", layout=layout))
        out.append("</figure>")
    else:
        out.append('<p class="note">No answer to this question has a theme of the codebook.</p>')
    if section.unused:
        out.append(f'<p class="note">Themes no answer got: {_e(", ".join(section.unused))}.</p>')
    out.append(_shift_table(data, section, figure_no))
    if data.audit and data.audit.get("estimates"):
        rows = estimates_by_question(data.audit["estimates"]).get(section.key or None)
        if rows:
            out.append(_estimates_table(data, rows, figure_no))
    reason = ((data.audit or {}).get("not_corrected") or {}).get(section.key)
    if reason:
        out.append(f'<h3>Corrected by the audit</h3><p class="note">Not corrected by the audit: {_e(reason)}. '
                   "The numbers above are the tool's codes alone.</p>")
    out.append(_examples(data, section))
    out.append("</section>")
    return "\n".join(p for p in out if p)


def _corrected_questions(data: ReportData) -> list:
    """The questions the report shows audit-corrected estimates for."""
    if not data.audit or not data.audit.get("estimates"):
        return []
    return list(estimates_by_question(data.audit["estimates"]))


def _shift_table(data: ReportData, section, number: int) -> str:
    if data.shift is None:
        return ""
    if data.shift.kind == "groups":
        return _groups_table(data, section, number)
    a, b = data.shift.groups
    parts = [f"<h3>Shift from {_e(a)} to {_e(b)}</h3>"]
    if section.shift is None:
        parts.append('<p class="note">' + _e("; ".join(section.shift_warnings)) + "</p>")
        return "\n".join(parts)
    n = data.shift.n[section.key]
    level = f"{data.shift.method['confidence'] * 100:g}%"
    rows = []
    for row in section.shift.to_dict("records"):
        p_adj = float(row["p_adjusted"])
        diff = float(row["diff_pp"])
        direction = "up" if diff > 0 else "down" if diff < 0 else "flat"
        arrow = "▲" if diff > 0 else "▼" if diff < 0 else "="
        stars = _stars(p_adj)
        rows.append(
            f'<tr{SIGNIFICANT if stars else ""}><td class="theme">{_e(row["label"])}</td>'
            f'<td class="num">{_pct(row["pct_a"])}</td><td class="num">{_pct(row["pct_b"])}</td>'
            f'<td class="num {direction}">{arrow} {_signed(diff)}</td>'
            f'<td class="num{"" if stars else " ns"}">{_signed(row["ci_low"])} to {_signed(row["ci_high"])}</td>'
            f'<td class="num{"" if stars else " ns"}">{_p(p_adj)} {stars}</td></tr>')
    correction = data.shift.method["correction_name"]
    caption = (f"<strong>Table {number}.</strong> Share of answers with each theme in {_e(a)} (a, n = {n[a]:,}) "
               f"and {_e(b)} (b, n = {n[b]:,}), in percent; change b − a in percentage points with its "
               f"{level} interval; p adjusted ({_e(correction)}). Largest changes first.")
    parts.append(
        f'<p class="caption">{caption}</p><div class="table-wrap"><table class="shift">'
        f'<thead><tr><th>Theme</th><th class="num">% {_e(a)}</th><th class="num">% {_e(b)}</th>'
        f'<th class="num">Change (pp)</th><th class="num">{level} interval</th><th class="num">p adj.</th></tr>'
        f'</thead><tbody>{"".join(rows)}</tbody></table></div>')
    parts.append(f'<p class="note">{_e(data.shift.method["text"])} Rows in bold: adjusted p &lt; 0.05 '
                 f"(* &lt; 0.05, ** &lt; 0.01, *** &lt; 0.001). Software: "
                 f'<code>{_e(data.shift.method["software"])}</code>.</p>')
    if section.shift_warnings:
        parts.append('<div class="callout"><ul>' + "".join(f"<li>{_e(w)}</li>" for w in section.shift_warnings)
                     + "</ul></div>")
    return "\n".join(parts)


def _interval(low, high) -> str:
    return f'<br><span class="small">{_pct(float(low))}–{_pct(float(high))}</span>'


def _by_theme(rows) -> list[list[dict]]:
    """Rows of a groups report (one per theme and wave), grouped by theme in their order."""
    themes: dict[str, list[dict]] = {}
    for row in rows:
        themes.setdefault(row["theme"], []).append(row)
    return list(themes.values())


def _groups_table(data: ReportData, section, number: int) -> str:
    """Three or more waves: every wave's share with its interval, and per theme one test across the waves."""
    groups = data.shift.groups
    parts = [f"<h3>Shift across {len(groups)} waves</h3>"]
    if section.shift is None:
        parts.append('<p class="note">' + _e("; ".join(section.shift_warnings)) + "</p>")
        return "\n".join(parts)
    n = data.shift.n[section.key]
    method = data.shift.method
    level = f"{method['confidence'] * 100:g}%"
    body = []
    for rows in _by_theme(section.shift.to_dict("records")):
        p_adj = float(rows[0]["p_adjusted"])
        stars = _stars(p_adj)
        cells = "".join(f'<td class="num">{_pct(r["pct"])}{_interval(r["pct_low"], r["pct_high"])}</td>'
                        for r in rows)
        body.append(f'<tr{SIGNIFICANT if stars else ""}><td class="theme">{_e(rows[0]["label"])}</td>{cells}'
                    f'<td class="num{"" if stars else " ns"}">{_p(p_adj)} {stars}</td></tr>')
    head = "".join(f'<th class="num">% {_e(g)}<br><span class="small">n = {n[g]:,}</span></th>' for g in groups)
    caption = (f"<strong>Table {number}.</strong> Share of answers with each theme in each wave, in percent, with "
               f"its {level} interval under it; p of one test per theme that the share is equal in all "
               f"{len(groups)} waves, adjusted ({_e(method['correction_name'])}). Themes that differ most between "
               "waves first.")
    parts.append(f'<p class="caption">{caption}</p><div class="table-wrap"><table class="shift">'
                 f'<thead><tr><th>Theme</th>{head}<th class="num">p adj.</th></tr></thead>'
                 f'<tbody>{"".join(body)}</tbody></table></div>')
    parts.append(f'<p class="note">{_e(method["text"])} Rows in bold: adjusted p &lt; 0.05 '
                 f"(* &lt; 0.05, ** &lt; 0.01, *** &lt; 0.001). Software: <code>{_e(method['software'])}</code>.</p>")
    if section.shift_warnings:
        parts.append('<div class="callout"><ul>' + "".join(f"<li>{_e(w)}</li>" for w in section.shift_warnings)
                     + "</ul></div>")
    return "\n".join(parts)


def _examples(data: ReportData, section) -> str:
    if not data.examples_per_theme or not section.shares:
        return ""
    if data.pseudonymised:
        replaced = ", ".join(f"{k:,} × {_e(kind)}" for kind, k in data.replaced.items()) or "nothing"
        privacy = (f"Names, contact details and other identifying words were replaced by tags such as "
                   f"[PERSOON-1] before they were shown (replaced in the examples of this report: {replaced}).")
    else:
        privacy = ("These answers are shown as respondents wrote them; they were <strong>not pseudonymised"
                   "</strong>. Check them for names and contact details before passing this report on.")
    order = ("the answers the tool was most sure of" if data.has_confidence
             else "answers with this theme alone first")
    if data.n_human:
        order = f"answers a person coded first, then {order}"
    cards = []
    for shares in section.shares:
        examples = section.examples.get(shares.theme, [])
        total = sum(s.count for s in shares.waves)
        items = []
        for example in examples:
            source = [_e(example.wave)]
            if example.human:
                source.append("coded by a person")
            elif example.confidence is not None:
                source.append(f"probability {example.confidence:.2f}")
            items.append(f'<li><blockquote>{_e(example.text)}</blockquote><span class="src">{" · ".join(source)}'
                         "</span></li>")
        if not items:
            items.append('<li class="note">No answer with text.</li>')
        cards.append(f'<div class="theme-examples"><h4>{_e(shares.label)} <span class="count">'
                     f"({total:,} answer{'s' if total != 1 else ''})</span></h4><ul>{''.join(items)}</ul></div>")
    return (f"<h3>Example answers</h3>\n<p class=\"note\">Up to {data.examples_per_theme} answers per theme "
            f"({order}). {privacy}</p>\n<div class=\"examples\">{''.join(cards)}</div>")


def _estimates_table(data: ReportData, rows, number: int) -> str:
    """The audit-corrected shares (with intervals) and shift of one question, beside the machine's own."""
    audit = data.audit
    if audit.get("kind") == "groups":
        table = _estimates_groups(audit, rows)
        what = ("Audit-corrected share of answers with each theme in each wave, in percent, with its 95% interval "
                "under it and the tool's own share (machine) under that; p of one test per theme that the corrected "
                "shares are equal in all waves, adjusted.")
    else:
        table = _estimates_pairwise(audit, rows)
        a, b = (audit.get("groups") or ["a", "b"])[:2]
        what = (f"Audit-corrected share of answers with each theme in {_e(a)} (a) and {_e(b)} (b), in percent, "
                "with its 95% interval under it; the corrected change b − a in percentage points with its 95% "
                "interval under it and its adjusted p; then the change in the tool's codes alone. Audited: "
                f"{_e(rows[0].get('n_audit_a', '–'))} answers of {_e(a)}, {_e(rows[0].get('n_audit_b', '–'))} "
                f"of {_e(b)}.")
    caption = f"<strong>Table {number}b.</strong> {what}"
    method = audit.get("method")
    note = f'<p class="note">{_e(method)}</p>' if method else ""
    return (f"<h3>Corrected by the audit</h3><p class=\"caption\">{caption}</p><div class=\"table-wrap\">"
            f"<table class=\"shift\">{table}</table></div>{note}")


def _num(row, key, signed=False) -> str:
    value = row.get(key)
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _signed(float(value)) if signed else _pct(float(value))


def _estimates_pairwise(audit, rows) -> str:
    a, b = (audit.get("groups") or ["a", "b"])[:2]
    head = (f'<thead><tr><th>Theme</th><th class="num">% {_e(a)}</th><th class="num">% {_e(b)}</th>'
            '<th class="num">Change (pp)</th><th class="num">p adj.</th>'
            '<th class="num">Machine change</th></tr></thead>')
    body = []
    for row in rows:
        p_adj = row.get("p_adjusted")
        stars = _stars(float(p_adj)) if p_adj not in (None, "") else ""
        shares = "".join(
            f'<td class="num">{_num(row, f"pct_{side}")}'
            + (_interval(row[f"pct_{side}_low"], row[f"pct_{side}_high"])
               if row.get(f"pct_{side}_low") not in (None, "") else "") + "</td>" for side in ("a", "b"))
        body.append(f'<tr{SIGNIFICANT if stars else ""}><td class="theme">{_e(row.get("label") or row.get("theme"))}'
                    f'</td>{shares}<td class="num">{_num(row, "diff_pp", True)}<br><span class="small">'
                    f'{_num(row, "ci_low", True)} to {_num(row, "ci_high", True)}</span></td>'
                    f'<td class="num">{_p(float(p_adj)) + " " + stars if p_adj not in (None, "") else "–"}</td>'
                    f'<td class="num ns">{_num(row, "diff_pp_machine", True)}</td></tr>')
    return f"{head}<tbody>{''.join(body)}</tbody>"


def _estimates_groups(audit, rows) -> str:
    themes = _by_theme(rows)
    groups = [r["group"] for r in themes[0]] if themes else list(audit.get("groups") or [])
    audited = {r["group"]: r.get("n_audit", "–") for r in (themes[0] if themes else [])}
    head = "".join(f'<th class="num">% {_e(g)}<br><span class="small">audited {_e(audited.get(g, "–"))}</span></th>'
                   for g in groups)
    body = []
    for theme_rows in themes:
        p_adj = theme_rows[0].get("p_adjusted")
        stars = _stars(float(p_adj)) if p_adj not in (None, "") else ""
        cells = "".join(f'<td class="num">{_num(r, "pct")}{_interval(r["pct_low"], r["pct_high"])}'
                        f'<br><span class="small">machine {_num(r, "pct_machine")}</span></td>' for r in theme_rows)
        body.append(f'<tr{SIGNIFICANT if stars else ""}><td class="theme">'
                    f'{_e(theme_rows[0].get("label") or theme_rows[0].get("theme"))}</td>{cells}'
                    f'<td class="num">{_p(float(p_adj)) + " " + stars if p_adj not in (None, "") else "–"}</td></tr>')
    return (f'<thead><tr><th>Theme</th>{head}<th class="num">p adj.</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody>")


def _model(data: ReportData) -> str:
    m = data.model
    labels = {t.id: t.label for t in data.codebook.themes}
    too_few = ", ".join(labels.get(t, t) for t in m["too_few"]) if m["too_few"] else "none"
    folds = f"{m['folds']}-fold" if m.get("folds") else "k-fold"
    grouped = f", folds grouped by {m['grouped_by']}" if m.get("grouped_by") else ""
    size = f"{m['n_answers']:,} coded answers" if m.get("n_answers") is not None else "–"
    if m.get("n_groups"):
        size += f" ({m['n_groups']:,} respondents)"
    rows = [
        ("Model", f'<span class="mono">{_e(m["model_id"])}</span>'),
        ("Trained on codebook", f'{_e(m["codebook"])} <span class="small mono">hash {_e(m["codebook_hash"])}</span>'),
        ("Features", _e(m["features_text"])),
        ("Training size", _e(size)),
        ("Cross-validated micro-F1", f"{_score(m['micro_f1'])} <span class=\"small\">(rules and model together; "
                                     f"patterns alone {_score(m['rules_micro_f1'])})</span>"),
        ("Macro-F1 / exact theme set", f"{_score(m['macro_f1'])} / {_score(m['exact_set'])}"),
        ("How measured", _e(f"{folds} out-of-fold predictions of the training run{grouped}. {m['cv_note']}".strip())),
        (f"Themes with too few examples (under {m['min_positives']})" if m.get("min_positives") else
         "Themes with too few examples", _e(too_few) + (" <span class=\"small\">(found by their patterns alone)"
                                                        "</span>" if m["too_few"] else "")),
        ("Dutch pipeline", f'<span class="mono">{_e(m["pipeline"])}</span>'),
    ]
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<section id="model">\n<h2>Model</h2>\n<dl class="card">{items}</dl>\n</section>'


def _audit(data: ReportData) -> str:
    audit = data.audit
    parts = ['<section id="audit">', "<h2>Audit</h2>"]
    intro = f"{audit.get('n_audited', 0):,} answers of this file were coded by a person in the audit"
    if audit.get("source"):
        intro += f" (<span class=\"mono\">{_e(audit['source'])}</span>)"
    intro += "."
    if audit.get("n_unmatched"):
        intro += f" {audit['n_unmatched']:,} audited answers are not in this file and were left out."
    parts.append(f"<p>{intro}</p>")
    agreement = audit.get("agreement")
    if agreement:
        rows = [
            ("Audited answers compared", f"{agreement['n']:,}"),
            ("Same theme set as the person", f"{_share(agreement['exact_set'])} <span class=\"small\">(95% Wilson "
                                             f"interval {_share(agreement.get('exact_set_low'))}–"
                                             f"{_share(agreement.get('exact_set_high'))})</span>"),
            ("Precision / recall / F1 (micro)", f"{_score(agreement.get('micro_precision'))} / "
                                                f"{_score(agreement.get('micro_recall'))} / "
                                                f"{_score(agreement.get('micro_f1'))}"),
        ]
        parts.append('<dl class="card">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>")
        parts.append('<p class="note">The person\'s codes are taken as right. Precision: share of the themes the '
                     "file gives that the person gave too; recall: share of the person's themes the file gives.</p>")
    groups = audit.get("per_group") or []
    if groups:
        body = "".join(
            f'<tr><td>{_e(g.get("question") or "–")}</td><td>{_e(g.get("wave") or "–")}</td>'
            f'<td class="num">{int(g.get("audited", 0)):,}</td><td class="num">{int(g.get("answers", 0)):,}</td>'
            f'<td class="num">{_share(int(g.get("audited", 0)) / int(g["answers"]) if g.get("answers") else None)}'
            f"</td></tr>" for g in groups)
        parts.append('<p class="caption"><strong>Audited answers</strong> per question and wave.</p>'
                     '<div class="table-wrap"><table><thead><tr><th>Question</th><th>Wave</th>'
                     '<th class="num">Audited</th><th class="num">Answers</th><th class="num">Share</th></tr></thead>'
                     f"<tbody>{body}</tbody></table></div>")
    if audit.get("estimates"):
        parts.append('<p class="note">The audit-corrected shares and shifts are in each question\'s table '
                     "<em>Corrected by the audit</em>.</p>")
    elif not audit.get("not_corrected"):
        parts.append('<p class="note">The shares and shifts above are the machine\'s codes; this report does not '
                     "correct them with the audit.</p>")
    reasons = audit.get("not_corrected") or {}
    if reasons:
        parts.append('<div class="callout"><strong>Not corrected by the audit</strong><ul>'
                     + "".join(f"<li>{_e(q or 'All answers')}: {_e(why)}</li>" for q, why in reasons.items())
                     + "</ul></div>")
    if audit.get("warnings"):
        parts.append('<div class="callout"><strong>About the audit</strong><ul>'
                     + "".join(f"<li>{_e(w)}</li>" for w in audit["warnings"]) + "</ul></div>")
    parts.append("</section>")
    return "\n".join(parts)


def _codebook(data: ReportData) -> str:
    book = data.codebook
    rows = []
    for theme in book.themes:
        applies = ("<br>".join(_e(q) for q in sorted(theme.questions)) if theme.questions is not None
                   else "all")
        rows.append(f'<tr><td class="theme"><strong>{_e(theme.label)}</strong><br><span class="small mono">'
                    f'{_e(theme.id)}</span></td><td>{_e(theme.description) or "–"}</td>'
                    f'<td class="small">{applies}</td></tr>')
    facts = (f"Codebook <strong>{_e(book.name)}</strong>, version {_e(book.version)}, language {_e(book.language)}, "
             f"{len(book.themes)} themes; hash <span class=\"mono\">{_e(book.hash)}</span> (covers everything that "
             "decides coding, so a changed codebook with the same version shows a different hash).")
    return (f'<section id="codebook">\n<h2>Codebook</h2>\n<p>{facts}</p>\n'
            '<div class="table-wrap"><table class="codebook"><thead><tr><th>Theme</th><th>Description</th>'
            f'<th>Questions</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>\n</section>')


def _footer(data: ReportData) -> str:
    pipelines = f" Dutch pipeline: {_e(', '.join(data.pipelines))}." if data.pipelines else ""
    return (f"<footer>Made with kcc-text {_e(_version())}.{pipelines} This page is self-contained: it needs no "
            "network and no scripts, and prints on A4.</footer>")
