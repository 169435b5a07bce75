import re
import subprocess
import sys

import pytest

from sokkit.cli import build_parser, main

from conftest import ROOT


def test_missing_catalog_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_bad_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate", "--format", "xml"])
    assert info.value.code == 2


def test_clean_catalog_exits_zero(mini):
    assert main(["validate", str(mini.root)]) == 0


def test_python_dash_m_runs_the_cli(mini):
    result = subprocess.run([sys.executable, "-m", "sokkit", "validate", str(mini.root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "OK (2 papers" in result.stderr


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_command_and_option_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, sub in _subcommands().items():
        assert re.search(rf"sokkit {name}\b", readme), f"README does not document 'sokkit {name}'"
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"README does not document '{flag}' of 'sokkit {name}'"


def test_ci_and_pull_request_workflow_run_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = readme.split("\n## ", 1)[0]
    assert "make test    # " in intro and "make serve   # " in intro, "README must start with the two commands"
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    for check in ("make test", "sokkit validate", "sokkit fmt --check", "sokkit schema --check"):
        assert check in workflow
