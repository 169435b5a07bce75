"""Catalog pipeline at scale: load + validate + export of a synthetic catalog,
against the floor of parsing the same files with PyYAML's C loader alone.

    python benchmarks/catalog_scale.py                 # 1k, 2.5k, 5k, 10k entries
    python benchmarks/catalog_scale.py --sizes 10000 --repeat 5

Entries are shaped like real ones (relations, methods, claims, long text), built
deterministically from --seed, in a temporary folder that is removed afterwards.
The ratio compares the medians of --repeat runs, taken in alternation.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pydantic
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sokkit.validate import load_catalog  # noqa: E402
from sokkit.export import export_json  # noqa: E402
from sokkit.catalog.yamlsafe import HAS_LIBYAML  # noqa: E402

WORDS = "unlearning model knowledge forget retain gradient preference suppression removal probe attack relearning".split()
ROLES = ["method", "evaluation", "attack", "benchmark", "survey"]
FAMILIES = ["gradient-ascent", "preference-optimization", "representation-misdirection", "editing-localization", "distillation"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def entry_text(i: int, n: int, rng: random.Random) -> str:
    role = ROLES[i % len(ROLES)]
    is_method = role == "method"
    lines = [
        "# yaml-language-server: $schema=../../schema/paper.schema.json",
        f'title: "Synthetic paper {i}: {sentence(rng, 8)}"',
        "authors: [" + ", ".join(f"Author{i}x{k} Surname{k}" for k in range(rng.randint(2, 8))) + "]",
        f"year: {2020 + i % 6}",
        "ids:",
        f'  arxiv: "{21 + i % 5:02d}{1 + i % 12:02d}.{10000 + i:05d}"',
        "links:",
        f"  paper: https://example.org/paper/{i}",
        f"  code: https://example.org/code/{i}",
        f"roles: [{role}]",
        f"intention: {'removal' if is_method else 'null'}",
    ]
    if is_method:
        fam = FAMILIES[i % len(FAMILIES)]
        lines += [
            f"technique: [{fam}]",
            "methods:",
            f"  - name: M{i}",
            f"    family: {fam}",
            "    intention: removal",
            "    level: parameters",
            f"    description: >-\n      {sentence(rng, 25)}",
        ]
    lines += [
        f"summary: >-\n  {sentence(rng, 40)}",
        f"rationale: >-\n  {sentence(rng, 50)}",
        "targets: [private-data, entities-facts]",
        "setting: [single-request]",
        "claims:",
        f"  - id: claim-{i}",
        "    kind: forgetting-achieved",
        f"    statement: >-\n      {sentence(rng, 30)}",
        "    source: Abstract",
        "relations:",
    ]
    for k in range(1, 4):
        lines += ["  - type: compares_with", f"    target: p{(i + k * 7919) % n:05d}", f"    note: {sentence(rng, 6)}"]
    lines += ["review:", "  status: reviewed", "  checked: [arxiv-abstract]"]
    return "\n".join(lines) + "\n"


def make_catalog(root: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    (root / "papers").mkdir(parents=True)
    shutil.copy(ROOT / "catalog" / "taxonomy.yaml", root / "taxonomy.yaml")
    for i in range(n):
        (root / "papers" / f"p{i:05d}.yaml").write_text(entry_text(i, n, rng), encoding="utf-8")


def floor(root: Path) -> None:
    for path in sorted((root / "papers").glob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def pipeline(root: Path) -> None:
    catalog, problems = load_catalog(root)
    if problems:
        raise SystemExit(f"synthetic catalog has problems: {problems[0].format()}")
    export_json(catalog)


def timed(func, root: Path) -> float:
    start = time.perf_counter()
    func(root)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2500, 5000, 10000], help="catalog sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the synthetic text")
    args = parser.parse_args()
    if not HAS_LIBYAML:
        raise SystemExit("PyYAML was built without libyaml; the floor needs the C loader")
    print(f"python {platform.python_version()}, PyYAML {yaml.__version__} (libyaml), pydantic {pydantic.VERSION}, "
          f"{platform.machine()}, seed {args.seed}, median of {args.repeat}")
    print(f"{'entries':>8} {'floor s':>9} {'pipeline s':>11} {'ratio':>6} {'us/entry':>9}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "catalog"
            make_catalog(root, n, args.seed)
            floor(root)  # warm the page cache for both
            floors, pipes = [], []
            for _ in range(args.repeat):
                floors.append(timed(floor, root))
                pipes.append(timed(pipeline, root))
            f, p = statistics.median(floors), statistics.median(pipes)
            print(f"{n:>8} {f:>9.2f} {p:>11.2f} {p / f:>6.2f} {1e6 * p / n:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
