"""`sokkit verify`: run the intention audit that the catalog's claim specs need and
record, for each claim, whether the toy world reproduces it.

Results live under `catalog/results/`: `audit.json` (the audit they were judged on,
with its settings, seeds and versions), `audit.png`, and `claims.json` (one record per
claim: status, the numbers behind it, the command, code version and date). The site
reads both. An audit is reused when its settings are identical and it covers every
method the selected claims need.
"""

from __future__ import annotations

import datetime
import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..catalog.results import AUDIT_FILE, CLAIMS_FILE, FIGURE_FILE, load_results, results_dir
from ..safe.files import atomic_write_text
from .judge import MACHINE_TOLERANCE, CheckableClaim, checkable_claims, judge


class VerifyError(Exception):
    pass


def code_version(root: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


def _comparable(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in settings.items() if k != "methods"}


def audit_settings(methods: list[str], quick: bool, seeds: int):
    from reference_impls.audit import AuditSettings

    return AuditSettings.make(methods, quick, seeds)


def reusable(existing: dict[str, Any] | None, settings: dict[str, Any], methods: list[str]) -> bool:
    if not existing:
        return False
    return (_comparable(existing.get("settings", {})) == _comparable(settings)
            and set(methods) <= set(existing.get("methods", {})))


def run_audit(methods: list[str], quick: bool, seeds: int, log=print) -> dict[str, Any]:
    from reference_impls.audit import run_audit as audit
    from reference_impls.toyworld import default_world_config

    return audit(audit_settings(methods, quick, seeds), default_world_config(), log=log)


def judge_all(claims: list[CheckableClaim], audit: dict[str, Any], command: str, version: str) -> dict[str, Any]:
    records = []
    for item in claims:
        status, numbers = judge(item.claim.audit, audit)
        records.append({
            "paper": item.paper, "claim": item.claim.id, "kind": item.claim.kind,
            "spec": item.claim.audit.model_dump(exclude_none=True), "status": status, "numbers": numbers,
        })
    return {
        "command": command,
        "code_version": version,
        "date": datetime.date.today().isoformat(),
        "seeds": audit.get("seeds"),
        "settings": audit.get("settings"),
        "versions": audit.get("versions"),
        "machine_tolerance": MACHINE_TOLERANCE,
        "claims": records,
    }


# The machine facts that decide the floats of a run; equal records rerun bit for bit.
MACHINE_KEYS = ("cpu", "machine", "cpu_capability", "threads", "python", "torch", "transformers")


def machine(audit: dict[str, Any] | None) -> dict[str, Any]:
    versions = (audit or {}).get("versions", {})
    return {k: versions.get(k) for k in MACHINE_KEYS}


def consistency(claims: list[CheckableClaim], committed_audit: dict[str, Any],
                committed_claims: dict[str, Any]) -> list[str]:
    """Committed statuses that the committed audit does not give: a status edited by hand,
    or results written by other code. Needs no rerun, so it holds on every machine."""
    recorded = {(r["paper"], r["claim"]): r for r in committed_claims.get("claims", [])}
    problems = []
    for item in claims:
        record = recorded.get((item.paper, item.claim.id))
        if record is None:
            problems.append(f"{item.key}: not in the committed results")
            continue
        status, _ = judge(item.claim.audit, committed_audit)
        if record["status"] != status:
            problems.append(f"{item.key}: committed as {record['status']}, but the committed audit gives {status}")
    return problems


def compare(committed: dict[str, Any], fresh: dict[str, Any], same_machine: bool) -> tuple[list[str], list[str]]:
    """(failures, notes) between committed and rerun claim results.

    On the machine that made the results a rerun is bit-identical, so any change fails.
    Elsewhere only a contradiction fails (reproduced on one machine, not reproduced on
    the other); a move to or from inconclusive, or numbers beyond the margin, are notes:
    the margins are built so that a status another machine can flip is inconclusive."""
    old = {(r["paper"], r["claim"]): r for r in committed.get("claims", [])}
    failures, notes = [], []
    decided = {"reproduced", "not-reproduced"}
    for record in fresh["claims"]:
        key = f"{record['paper']}:{record['claim']}"
        before = old.get((record["paper"], record["claim"]))
        if before is None:
            failures.append(f"{key}: not in the committed results")
            continue
        a, b = before["numbers"]["difference"], record["numbers"]["difference"]
        if same_machine:
            if before["status"] != record["status"]:
                failures.append(f"{key}: {before['status']} before, {record['status']} now")
            elif abs(a - b) > 1e-6:
                failures.append(f"{key}: difference {b:.6f} now, {a:.6f} committed, on the same machine")
            continue
        if before["status"] != record["status"]:
            line = f"{key}: {before['status']} before, {record['status']} now"
            (failures if {before["status"], record["status"]} == decided else notes).append(line)
        allowed = before["numbers"].get("margin", before["numbers"]["spread"])
        if abs(a - b) > allowed:
            notes.append(f"{key}: difference {b:.3f} is more than the margin {allowed:.3f} from the committed {a:.3f}")
    return failures, notes


def verify(catalog: Catalog, selection: list[str], quick: bool, seeds: int, rerun: bool, check: bool,
           argv: list[str], log=print) -> tuple[dict[str, Any], list[str]]:
    """Judge the selected claims; returns the claim results and, with `check`, the
    failures (notes on a different machine go to `log`)."""
    claims = checkable_claims(catalog, selection or None)
    if not claims:
        raise VerifyError("no claim with an audit spec matches" + (f" {' '.join(selection)}" if selection else ""))
    committed_audit, committed_claims = load_results(catalog)
    methods = sorted({m for c in claims for m in (c.claim.audit.method, c.claim.audit.than) if m})
    if check:
        if not committed_claims or not committed_audit:
            raise VerifyError(f"no committed results in {results_dir(catalog)} to check against")
        inconsistent = consistency(claims, committed_audit, committed_claims)
        settings = committed_audit["settings"]
        methods = sorted(set(methods) | set(committed_audit.get("methods", {})))
        audit = run_audit(methods, settings["quick"], len(committed_audit["seeds"]), log=log)
        fresh = judge_all(claims, audit, "sokkit " + shlex.join(argv), code_version(catalog.root.parent))
        then, now = machine(committed_audit), machine(audit)
        same = then == now
        if same:
            log("same machine as the committed results: the rerun must match them exactly")
        else:
            differ = ", ".join(f"{k} {then[k]!r} → {now[k]!r}" for k in MACHINE_KEYS if then[k] != now[k])
            log(f"different machine from the committed results ({differ}): numbers can move within their margins; "
                "only a claim reproduced on one machine and not reproduced on the other is a failure")
        if committed_audit.get("models") and audit.get("models") != committed_audit["models"]:
            log("note: the rerun did not attack the same checkpoints as the committed audit "
                f"({audit.get('models')} vs {committed_audit['models']}); expect larger differences")
        failures, notes = compare(committed_claims, fresh, same)
        for line in notes:
            log(f"note: {line}")
        return fresh, inconsistent + failures
    if not rerun and reusable(committed_audit, settings_now(methods, quick, seeds), methods):
        log(f"reusing {results_dir(catalog) / AUDIT_FILE} (identical settings)")
        audit = committed_audit
    else:
        audit = run_audit(methods, quick, seeds, log=log)
        write_audit(catalog, audit)
    result = judge_all(claims, audit, "sokkit " + shlex.join(argv), code_version(catalog.root.parent))
    if committed_claims and selection:
        # keep the records of claims not selected this time
        kept = [r for r in committed_claims.get("claims", [])
                if (r["paper"], r["claim"]) not in {(c.paper, c.claim.id) for c in claims}]
        result["claims"] = sorted(kept + result["claims"], key=lambda r: (r["paper"], r["claim"]))
    atomic_write_text(results_dir(catalog) / CLAIMS_FILE, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result, []


def settings_now(methods: list[str], quick: bool, seeds: int) -> dict[str, Any]:
    """The settings record an audit run now would write, for comparing with a committed one."""
    from reference_impls.audit import settings_record
    from reference_impls.toyworld import default_world_config

    return json.loads(json.dumps(settings_record(audit_settings(methods, quick, seeds), default_world_config())))


def write_audit(catalog: Catalog, audit: dict[str, Any]) -> None:
    from reference_impls.audit import figure

    folder = results_dir(catalog)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / AUDIT_FILE, json.dumps(audit, indent=2, ensure_ascii=False, default=str) + "\n")
    figure(audit, folder / FIGURE_FILE)


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for r in result["claims"]:
        n = r["numbers"]
        than = f" than {r['spec']['than']}" if r["spec"].get("than") else ""
        where = f"{r['spec']['method']}{than}{', ' + r['spec']['attack'] if r['spec'].get('attack') else ''}"
        if n.get("outcome") is not None:
            detail = (f"{n['outcome']} the oracles' null: {n['method']:.3f} [{n['method_low']:.3f}, "
                      f"{n['method_high']:.3f}] vs band [{n['null_low']:.3f}, {n['null_high']:.3f}]")
        else:
            detail = (f"difference {n['difference']:+.3f} ± {n.get('margin', n['spread']):.3f}, "
                      f"threshold {n['threshold']:.2f}")
        lines.append(f"{r['status']:<15} {r['paper']}:{r['claim']}  ({where}: {detail})")
    return lines

