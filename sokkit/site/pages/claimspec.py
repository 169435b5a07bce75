"""How an audit spec and its result read on the site: both methods named for a comparative
spec (the claims page and the paper pages share this)."""

from __future__ import annotations

from typing import Any

from ...catalog.models import AuditSpec
from ...safe.html import esc_html


def spec_text(spec: AuditSpec) -> str:
    """Plain text: 'simnpo compared with npo, relearn, expects recovers-less'."""
    method = f"{spec.method} compared with {spec.than}" if spec.than else spec.method
    return method + (f", {spec.attack}" if spec.attack else "") + f", expects {spec.expects}"


def method_cell(spec: AuditSpec) -> str:
    """HTML for the claims table's method column."""
    return esc_html(spec.method) + (f" <em>than</em> {esc_html(spec.than)}" if spec.than else "")


def difference_text(record: dict[str, Any], spec: AuditSpec | None = None) -> str:
    """'+0.13 ± 0.26 (simnpo − npo, threshold 0.00)', or for a claim judged on the audit's
    outcome 'beyond the oracles' null: 0.42 [0.30, 0.55] vs band [0.00, 0.12]', from a
    claims.json record (HTML-safe)."""
    n = record["numbers"]
    what = ""
    than = (spec.than if spec else None) or record.get("spec", {}).get("than")
    method = (spec.method if spec else None) or record.get("spec", {}).get("method")
    if than:
        what = f"{esc_html(method)} − {esc_html(than)}, "
    if n.get("outcome") is not None:
        return (f"{esc_html(n['outcome'])} the oracles' null: {n['method']:.2f} "
                f"[{n['method_low']:.2f}, {n['method_high']:.2f}] vs band [{n['null_low']:.2f}, {n['null_high']:.2f}]")
    return (f"{n['difference']:+.2f} ± {n.get('margin', n['spread']):.2f} "
            f"({what}threshold {n['threshold']:.2f})")
