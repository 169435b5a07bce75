"""The catalog contract: the YAML files, their models and every check on them.

Everything above (the graph, exports, contributing, the site, claims, the command line)
reads the catalog through the names below; this package imports nothing above it.
"""

from .entries import Catalog, CatalogNotFound, Entry, display_path
from .identity import IDENTITY_KEYS, normalise_title, title_keys
from .load import load_catalog, load_taxonomy
from .problems import Problem
from .rules import OBSERVED_RULE, observed_from_evidence

__all__ = [
    "Catalog", "CatalogNotFound", "Entry", "display_path", "IDENTITY_KEYS", "normalise_title", "title_keys",
    "load_catalog", "load_taxonomy", "Problem", "OBSERVED_RULE", "observed_from_evidence",
]
