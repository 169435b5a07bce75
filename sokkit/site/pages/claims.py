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
           "judges each claim: the difference between the method and the oracle retrained without the forget set, "
           "plus or minus a margin (its spread over seeds or the measured variation between machines, whichever is "
           "larger), against the audit's threshold. A comparative claim (\"than\" another method) is judged on the difference "
           "between the two methods, method minus the other, against 0, with both methods' spreads over seeds combined. "
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
        Column("Difference ± margin", lambda r: difference_text(r[2], r[1].audit) if r[2] else "—"),
    ]))
    return "\n".join(out)


def audit_page(site: Site) -> str:
    here = "audit.md"
    out = ["# Intention audit", "",
           "Each reference implementation unlearns the same forget set from the same toy model; then every attack "
           "is run on it and on the oracle retrained without the forget set. A method is *suppression-like* when "
           "some attack recovers measurably more than it does from the oracle, *removal-like* otherwise. These "
           "verdicts fill the observed-behaviour axis from evidence this project produced.", ""]
    if not site.audit:
        return "\n".join(out + ["No audit results yet: run `sokkit verify`.", ""])
    a = site.audit
    if (results_dir(site.catalog) / FIGURE_FILE).is_file():  # copied beside the pages by the site builder
        out += [f'<p><img src="{href(here, "audit.png")}" alt="Attack results per method and oracle"></p>', ""]
    rows = [("base", a["base"]), ("oracle", a["oracle"])] + sorted(a["methods"].items())
    out.append(table(rows, [
        Column("Model", lambda r: esc_html(r[0]), sort=lambda r: r[0]),
        Column("Design intent", lambda r: esc_html(r[1].get("intention") or "—"), values=lambda r: [r[1].get("intention") or "—"]),
        Column("Forget acc.", lambda r: f"{r[1]['forget_acc']:.2f}", sort=lambda r: f"{r[1]['forget_acc']:.4f}", numeric=True),
        Column("Retain acc.", lambda r: f"{r[1]['retain_acc']:.2f}", sort=lambda r: f"{r[1]['retain_acc']:.4f}", numeric=True),
        Column("Recovered by", lambda r: esc_html(", ".join(r[1].get("recovered_by", [])) or "—"),
               values=lambda r: r[1].get("recovered_by", [])),
        Column("Verdict", lambda r: esc_html(r[1].get("verdict", "—")), values=lambda r: [r[1].get("verdict", "—")]),
    ]))
    settings = a.get("settings", {})
    out += ["", f"Seeds {esc_html(a.get('seeds'))}; versions {esc_html(a.get('versions'))}; verdict rule: "
            f"{esc_html(settings.get('verdict_rule', ''))}", ""]
    return "\n".join(out)


def pages(site: Site) -> dict[str, str]:
    return {"claims.md": claims_page(site), "audit.md": audit_page(site)}
