"""The dependency rules of docs/architecture.md, as import-linter contracts in pyproject.toml:
parts depend one way, the catalog contract imports nothing above it, the site uses exports
only through sokkit.export, validation imports nothing torch-related, the reference
implementations never import the site, exports or command line, and no import circles."""

import os
import subprocess
import sys

from conftest import ROOT

LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def test_import_contracts_are_kept():
    # The checkout's own packages, whatever copy is installed: run from ROOT, with ROOT first on the path.
    run = subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    contracts = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")
    assert contracts >= 6 and f"Contracts: {contracts} kept, 0 broken." in run.stdout
