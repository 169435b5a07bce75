import json
import textwrap

import networkx as nx
import pytest

from sokkit import graph as g
from sokkit.validate import load_catalog
from sokkit.cli import main


def paper(title, arxiv, roles="[method]", intention="removal", relations=""):
    body = f"""\
        title: "{title}"
        authors: [Ada Lovelace]
        year: 2024
        ids: {{arxiv: "{arxiv}"}}
        roles: {roles}
        intention: {intention}
        technique: [gradient-ascent]
        rationale: Raises the loss on the forget set.
        review: {{status: reviewed, checked: [arxiv-abstract]}}
        """
    return textwrap.dedent(body) + (f"relations:\n{relations}" if relations else "")


@pytest.fixture
def chain(mini):
    # base <- mid <- top (builds_on), attacker attacks mid, evidence on top
    mini.write("papers", "base-2024-a", paper("Base", "2404.00011"))
    mini.write("papers", "mid-2024-b", paper("Mid", "2404.00012", relations="  - {type: builds_on, target: base-2024-a}\n"))
    mini.write("papers", "top-2024-c", paper("Top", "2404.00013", relations="  - {type: builds_on, target: mid-2024-b}\n").replace(
        "rationale:", "observed: suppression-like\nevidence:\n  - {paper: attacker-2024-d, indicates: suppression-like}\nrationale:", 1))
    mini.write("papers", "attacker-2024-d", paper("Attacker", "2404.00014", roles="[attack]", intention="null",
                                                    relations="  - {type: attacks, target: mid-2024-b}\n").replace("technique: [gradient-ascent]\n", "").replace("rationale: Raises the loss on the forget set.\n", ""))
    catalog, problems = load_catalog(mini.root)
    assert problems == [], [p.format() for p in problems]
    return catalog


def test_lineage_is_transitive_with_distances(chain):
    network = g.build_graph(chain)
    assert g.lineage(network, "top-2024-c") == [(1, "mid-2024-b"), (2, "base-2024-a")]
    assert g.lineage(network, "base-2024-a") == []


def test_attacked_by_joins_attack_edges_and_evidence(chain):
    network = g.build_graph(chain)
    assert g.attacked_by(network, chain, "mid-2024-b") == [("attacker-2024-d", "attacks")]
    assert g.attacked_by(network, chain, "top-2024-c") == [("attacker-2024-d", "evidence: suppression-like")]


def test_neighbours_and_path(chain):
    network = g.build_graph(chain)
    assert ("in", "attacks", "attacker-2024-d") in g.neighbours(network, "mid-2024-b")
    assert g.shortest_path(network, "attacker-2024-d", "base-2024-a") == ["attacker-2024-d", "mid-2024-b", "base-2024-a"]
    assert g.shortest_path(network, "base-2024-a", "other-2023-baseline") == []


def test_unknown_node_suggests(chain):
    network = g.build_graph(chain)
    with pytest.raises(g.UnknownNode, match="did you mean 'mid-2024-b'"):
        g.lineage(network, "mid-2024-bb")


def test_pagerank_matches_the_closed_form_on_a_small_graph():
    # a -> c, b -> c: c collects rank; dangling c spreads it back evenly
    graph = nx.DiGraph([("a", "c"), ("b", "c")])
    ranks = g.pagerank(graph)
    assert abs(sum(ranks.values()) - 1) < 1e-9
    assert ranks["a"] == pytest.approx(ranks["b"])
    # stationary: r_a = (1-d)/3 + d*r_c/3 and r_c = (1-d)/3 + d*r_c/3 + d*(r_a + r_b)
    d = 0.85
    r_c = ranks["c"]
    assert ranks["a"] == pytest.approx((1 - d) / 3 + d * r_c / 3)
    assert r_c == pytest.approx((1 - d) / 3 + d * r_c / 3 + d * 2 * ranks["a"])


def test_central_ranks_the_most_built_upon(chain):
    network = g.build_graph(chain)
    top = [pid for pid, _ in g.central(network, 2)]
    assert top[0] == "base-2024-a"


def test_graph_command(chain, mini, capsys):
    assert main(["graph", "lineage", "top-2024-c", "--catalog", str(mini.root)]) == 0
    assert "builds on mid-2024-b" in capsys.readouterr().out
    assert main(["graph", "path", "attacker-2024-d", "base-2024-a", "--catalog", str(mini.root), "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["attacker-2024-d", "mid-2024-b", "base-2024-a"]
    assert main(["graph", "attacked-by", "nope", "--catalog", str(mini.root)]) == 2
    assert "no paper 'nope'" in capsys.readouterr().err
