"""The checkable-claims page and the intention-audit page, from catalog/results/."""

from __future__ import annotations

from collections import Counter

from ...catalog.results import FIGURE_FILE, results_dir
from ...safe.html import esc_html
from ..markup import Column, href, table
from .claimspec import difference_text, method_cell
from .context import Site


def claims_page(site: Site) -> str:
    here = "claims.md"
    rows = []
    for pid in sorted(site.catalog.papers):
        for claim in site.catalog.papers[pid].model.claims:
            if claim.audit is not None:
                rows.append((pid, claim, site.claim_results.get((pid, claim.id))))
    meta = site.claim_meta
    out = ["# Checkable claims", "",
           "Claims from the catalog that carry an audit spec: which reference implementation, which attack of the "
           "intention audit, and what the paper predicts. `sokkit verify` runs the audit on the toy world and "
           "judges each claim. A claim that an attack recovers the knowledge (or does not), or that a method "
           "forgets, follows the audit's outcome for that attack against the null of five oracles retrained "
           "without the forget set: beyond the null, within it, or inconclusive when the method's interval "
           "straddles the band's edge; a method that did not forget leaves recovery claims inconclusive. A claim "
           "that a method lowers forget accuracy or keeps its utility is judged on the change from the base model "
           "against a stated effect size of 0.15, plus or minus a margin (the spread over seeds or the measured "
           "variation between machines, whichever is larger). A comparative claim (\"than\" another method) is "
           "judged on the difference between the two methods against 0, with both methods' spreads combined. "
           "A claim whose status another machine could flip is inconclusive. The toy world is a small transformer "
           "trained on invented facts, not a large pretrained model: a result here says what the mechanism does in "
           "a controlled setting, not what the paper measured.", ""]
    if meta:
        out += ["<p>" + f"Results from <code>{esc_html(meta.get('command', ''))}</code>, code version "
                f"<code>{esc_html(meta.get('code_version', ''))}</code>, {esc_html(meta.get('date', ''))}, seeds "
                f"{esc_html(meta.get('seeds'))}. Rerun with <code>sokkit verify --check</code>; on a real model, see "
                f"the reference implementations' README.</p>", ""]
        counts = Counter(r["status"] for r in site.claim_results.values())
        out += ["<p>" + ", ".join(f"{esc_html(k)}: {counts.get(k, 0)}" for k in ("reproduced", "not-reproduced", "inconclusive")) + "</p>", ""]
    out.append(table(rows, [
        Column("Paper", lambda r: site.paper_link(here, r[0]), sort=lambda r: r[0]),
        Column("Claim", lambda r: esc_html(r[1].statement)),
        Column("Kind", lambda r: esc_html(site.label("claim_kind", r[1].kind)), values=lambda r: [site.label("claim_kind", r[1].kind)]),
        Column("Method", lambda r: method_cell(r[1].audit), values=lambda r: [r[1].audit.method]),
        Column("Attack", lambda r: esc_html(r[1].audit.attack or "—"), values=lambda r: [r[1].audit.attack or "none"]),
        Column("Expects", lambda r: esc_html(r[1].audit.expects), values=lambda r: [r[1].audit.expects]),
        Column("Status", lambda r: esc_html(r[2]["status"] if r[2] else "not run"),
               values=lambda r: [r[2]["status"] if r[2] else "not run"], sort=lambda r: r[2]["status"] if r[2] else ""),
        Column("Numbers", lambda r: difference_text(r[2], r[1].audit) if r[2] else "—"),
    ]))
    return "\n".join(out)


def audit_page(site: Site) -> str:
    here = "audit.md"
    out = ["# Intention audit", "",
           "Each reference implementation unlearns the same forget set from the same toy model; then every attack "
           "is run on it, on the base model and on several oracles retrained without the forget set with different "
           "seeds. The oracles' spread is the *null*: how much an attack gets back from a model that never saw the "
           "forget set. A method is *not-forgotten* when it still answers the forget questions beyond the null, "
           "*suppression-like* when it forgets but some attack recovers beyond the null, *removal-like* when every "
           "attack stays within it, and *inconclusive* when an interval straddles the band's edge. These verdicts "
           "fill the observed-behaviour axis from evidence this project produced. The toy world is a small "
           "transformer trained on invented facts: a verdict here says what a mechanism does in a controlled "
           "setting, not what a paper measured on a large model.", ""]
    if not site.audit:
        return "\n".join(out + ["No audit results yet: run `sokkit verify`.", ""])
    a = site.audit
    if (results_dir(site.catalog) / FIGURE_FILE).is_file():  # copied beside the pages by the site builder
        out += [f'<p><img src="{href(here, "audit.png")}" alt="Heat map of recovery scores per method and attack"></p>', ""]
    rows = [("base", a["base"]), ("oracle", a["oracle"])] + sorted(a["methods"].items())
    out.append(table(rows, [
        Column("Model", lambda r: esc_html(r[0]), sort=lambda r: r[0]),
        Column("Design intent", lambda r: esc_html(r[1].get("intention") or "—"), values=lambda r: [r[1].get("intention") or "—"]),
        Column("Forget acc.", lambda r: f"{r[1]['forget_acc']:.2f}", sort=lambda r: f"{r[1]['forget_acc']:.4f}", numeric=True),
        Column("Retain acc.", lambda r: f"{r[1]['retain_acc']:.2f}", sort=lambda r: f"{r[1]['retain_acc']:.4f}", numeric=True),
        Column("Not forgotten on", lambda r: esc_html(", ".join(r[1].get("not_forgotten_by", [])) or "—"),
               values=lambda r: r[1].get("not_forgotten_by", [])),
        Column("Recovered by", lambda r: esc_html(", ".join(r[1].get("recovered_by", [])) or "—"),
               values=lambda r: r[1].get("recovered_by", [])),
        Column("Verdict", lambda r: esc_html(r[1].get("verdict", "—")), values=lambda r: [r[1].get("verdict", "—")]),
    ]))
    out += recovery_table(a)
    per_oracle = a["oracle"].get("per_oracle") or []
    if per_oracle:
        out += ["", "<p>Each oracle judged against the null of the others: " + "; ".join(
            f"train seed {esc_html(p.get('train_seed'))}: {esc_html(p.get('verdict'))}" for p in per_oracle) + ".</p>"]
    settings = a.get("settings", {})
    out += ["", f"Seeds {esc_html(a.get('seeds'))}; versions {esc_html(a.get('versions'))}; verdict rule: "
            f"{esc_html(settings.get('verdict_rule', ''))}", ""]
    return "\n".join(out)


def _number(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "n/a"


def recovery_table(audit: dict) -> list[str]:
    """Method × attack recovery scores with their outcome, and the oracles' null band per
    attack in the attack's own units (a heat map in HTML: the cell's shade is the score)."""
    attacks = list((audit.get("base") or {}).get("attacks") or {})
    if not attacks or "null" not in audit["base"]["attacks"][attacks[0]]:
        return []
    head = "".join(f"<th>{esc_html(x)}</th>" for x in attacks)
    lines = ["", "## Recovery score per attack", "",
             "<p>0 is as good as retraining, 1 as if nothing had been unlearned; ▲ marks a result beyond the "
             "oracles' null, ? an inconclusive one, n/a an attack that does not separate the base model from the "
             "oracles. The last row is the null band in the attack's own units (accuracy, or AUC for membership).</p>",
             '<div class="sokkit-scroll"><table class="sokkit-heat"><thead><tr><th>model</th>' + head + "</tr></thead><tbody>"]
    rows = [("base", audit["base"])] + sorted(audit.get("methods", {}).items())
    for name, row in rows:
        cells = []
        for x in attacks:
            record = row["attacks"].get(x, {})
            score = (record.get("recovery") or {}).get("score")
            mark = {"beyond": " ▲", "inconclusive": " ?"}.get(record.get("outcome"), "")
            shade = "" if score is None else f' style="--heat:{max(0.0, min(1.0, score)):.2f}"'
            cells.append(f"<td{shade}>{_number(score)}{mark}</td>")
        lines.append(f"<tr><th>{esc_html(name)}</th>{''.join(cells)}</tr>")
    band = "".join(f"<td>[{_number(audit['base']['attacks'][x]['null']['low'])}, "
                   f"{_number(audit['base']['attacks'][x]['null']['high'])}]</td>" for x in attacks)
    lines += [f"<tr><th>null band</th>{band}</tr>", "</tbody></table></div>", ""]
    return lines


def pages(site: Site) -> dict[str, str]:
    return {"claims.md": claims_page(site), "audit.md": audit_page(site)}
