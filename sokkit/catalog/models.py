"""Pydantic models for catalog entries: papers, benchmarks and metrics.

Each constraint is a small named type so that it can be reused and overridden.
Fields whose values come from `catalog/taxonomy.yaml` are declared with
`taxon(axis)`: the JSON Schema export turns them into enums, and validation
checks them against the taxonomy passed in the validation context
(`Model.model_validate(data, context={"taxonomy": taxonomy})`). Without a
taxonomy in the context only their shape is checked.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from .taxonomy import Taxonomy, did_you_mean
from .yamlsafe import invisible_problem

# Every pattern here is used with fullmatch (a bare `$` also matches before a trailing
# newline) and re.ASCII (`\d` would take any script's digits). The `^...$` anchors stay for
# the JSON Schema, where they mean the whole string.
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", re.ASCII)
ID_MAX = 80
ID_HELP = f"lower-case ASCII letters, digits and single hyphens, at most {ID_MAX} characters, e.g. zhang-2024-npo"
# Each entry folder of the site has a generated index page (papers/index.md, ...) that an
# entry with this id would replace.
RESERVED_IDS = frozenset({"index"})

# New-style arXiv ids (since 2007): YYMM.NNNN, five digits from 1501 on.
ARXIV_NEW_RE = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})$", re.ASCII)
ARXIV_OLD_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}$", re.ASCII)
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$", re.ASCII)
OPENREVIEW_RE = re.compile(r"^[A-Za-z0-9_-]{5,20}$", re.ASCII)
ACL_RE = re.compile(r"^(?:\d{4}\.[a-z0-9-]+\.\d+|[A-Z]\d{2}-\d{4})$", re.ASCII)
BIBTEX_KEY_RE = re.compile(r"^[A-Za-z0-9_:.+/-]+$", re.ASCII)
BIBTEX_FIELD_RE = re.compile(r"^[a-z]+$", re.ASCII)


# --- shared field checks -------------------------------------------------------

def id_problem(value: str) -> str | None:
    """Why `value` cannot be an entry id (None if it can): the one id rule of every command."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:40]) + ("..." * (len(value) > 40))
    if len(value) > ID_MAX or not ID_RE.fullmatch(value):
        return f"'{shown}' is not a valid id ({ID_HELP})"
    if value in RESERVED_IDS:
        return f"'{value}' is reserved for a generated page; choose another id"
    return None


def _check_id(value: str) -> str:
    problem = id_problem(value)
    if problem:
        raise PydanticCustomError("entry_id", "{problem}", {"problem": problem})
    return value


EntryId = Annotated[str, AfterValidator(_check_id), Field(json_schema_extra={"pattern": ID_RE.pattern, "maxLength": ID_MAX})]


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _no_control(value: str) -> str:
    if _CONTROL_CHARS.search(value):
        raise PydanticCustomError("control_char", "text contains control characters")
    problem = invisible_problem(value)  # for text from arXiv and BibTeX, which skip the YAML loader
    if problem:
        raise PydanticCustomError("invisible_char", "text {problem}", {"problem": problem})
    return value


_LINE_BREAKS = re.compile(r"[\n\x85\u2028\u2029]")


def _one_line(value: str) -> str:
    # Titles, names and sources are shown on one line; a break in one is always a mistake.
    if _LINE_BREAKS.search(value):
        raise PydanticCustomError("line_break", "text must be on one line (no line breaks)")
    return value


Text = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_no_control)]
ShortText = Annotated[str, Field(min_length=1, max_length=400), AfterValidator(_no_control), AfterValidator(_one_line)]


_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>{}\"'`\\]")


def _check_web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError(
            "web_url", "'{value}' is not an http(s) link (allowed: http:// or https:// URLs)", {"value": value[:80]}
        )
    if _URL_FORBIDDEN.search(value):
        raise PydanticCustomError(
            "web_url", "link contains spaces, quotes or angle brackets; percent-encode them", {"value": value[:80]}
        )
    return value


WebUrl = Annotated[str, Field(max_length=2000, json_schema_extra={"format": "uri", "pattern": "^https?://"}), AfterValidator(_check_web_url)]


def _check_taxon(axis: str):
    def check(value: str, info: ValidationInfo) -> str:
        taxonomy: Taxonomy | None = (info.context or {}).get("taxonomy")
        if taxonomy is None or taxonomy.has(axis, value):
            return value
        allowed = taxonomy.ids(axis)
        raise PydanticCustomError(
            "taxonomy",
            "unknown {axis} '{value}'",
            {"axis": axis, "value": value, "allowed": list(allowed), "suggestion": did_you_mean(value, allowed)},
        )

    return check


def taxon(axis: str) -> Any:
    """A string that must be one of the ids of taxonomy axis `axis`."""
    return Annotated[str, AfterValidator(_check_taxon(axis)), Field(json_schema_extra={"x-taxonomy": axis})]


def _arxiv_before(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError(
            "arxiv_unquoted",
            "arXiv id must be quoted, e.g. arxiv: \"2404.05868\" (unquoted, YAML reads it as a number and drops trailing zeros)",
        )
    return value


def is_arxiv_id(value: str) -> bool:
    """New style YYMM.NNNN(N) with a real month (five digits from 2015), or old style."""
    if ARXIV_OLD_RE.fullmatch(value):
        return True
    match = ARXIV_NEW_RE.fullmatch(value)
    if not match:
        return False
    year, month, number = int(match.group(1)), int(match.group(2)), match.group(3)
    return 1 <= month <= 12 and year >= 7 and len(number) == (5 if (year, month) >= (15, 1) else 4)


def _check_arxiv(value: str) -> str:
    if is_arxiv_id(value):
        return value
    hint = " (drop the version suffix)" if re.fullmatch(r"\d{4}\.\d{4,5}v\d+", value, re.ASCII) else ""
    raise PydanticCustomError(
        "arxiv_id",
        "'{value}' is not an arXiv id{hint} (allowed: YYMM.NNNNN, e.g. 2404.05868; YYMM.NNNN before 2015; or old style like cs/0112017)",
        {"value": value, "hint": hint},
    )


ArxivId = Annotated[str, BeforeValidator(_arxiv_before), AfterValidator(_check_arxiv)]


def _check_pattern(kind: str, regex: re.Pattern[str], example: str):
    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise PydanticCustomError(
                f"{kind}_id", "'{value}' is not a valid {kind} (expected something like {example})",
                {"value": value, "kind": kind, "example": example},
            )
        return value

    return AfterValidator(check)


Doi = Annotated[str, _check_pattern("DOI", DOI_RE, "10.18653/v1/2024.acl-long.1; without https://doi.org/")]
OpenReviewId = Annotated[str, _check_pattern("OpenReview id", OPENREVIEW_RE, "a forum id such as J5IRyTKZ9s")]
AclId = Annotated[str, _check_pattern("ACL Anthology id", ACL_RE, "2024.acl-long.123 or P19-1001")]


def _check_year(value: int) -> int:
    latest = datetime.date.today().year + 1
    if not 1950 <= value <= latest:
        raise PydanticCustomError("year", "year {value} is out of range (allowed: 1950 to {latest})", {"value": value, "latest": latest})
    return value


Year = Annotated[int, AfterValidator(_check_year)]


def _check_author(value: str) -> str:
    _no_control(value)
    if value != value.strip() or value.count(",") > 1:
        raise PydanticCustomError("author", "author '{value}' should be one name such as 'Ada Lovelace'", {"value": value})
    if " and " in value:
        raise PydanticCustomError("author", "author '{value}' holds several names; list each author separately", {"value": value})
    return value


AuthorName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_check_author)]


# --- entry parts -----------------------------------------------------------------

class Strict(BaseModel):
    """Base for every catalog model: unknown keys and type coercion are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)


class Ids(Strict):
    """Persistent identifiers. All optional; never guess one."""

    arxiv: ArxivId | None = Field(None, description="arXiv id without version, quoted: \"2404.05868\".")
    doi: Doi | None = Field(None, description="DOI without the https://doi.org/ prefix.")
    openreview: OpenReviewId | None = Field(None, description="OpenReview forum id.")
    acl: AclId | None = Field(None, description="ACL Anthology id.")


class Method(Strict):
    """A named method the paper introduces."""

    name: ShortText
    family: taxon("technique")
    intention: taxon("intention")
    level: taxon("level")
    description: Text | None = None


class Evidence(Strict):
    """What bears on this entry's observed behaviour: a catalog paper, or the intention
    audit of a reference implementation (the toy-world results in catalog/results/)."""

    paper: EntryId | None = Field(None, description="A catalog paper whose results show it.")
    audit: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = Field(
        None, description="A reference implementation whose audit verdict shows it, e.g. npo.")
    indicates: taxon("observed")
    attack: ShortText | None = Field(
        None, description="The kind of attack or test behind it, e.g. 'relearning', 'quantization', 'probe'.")
    by: Literal["third-party", "authors", "audit"] | None = Field(
        None, description="Whose evidence it is: another group's paper, the method's own authors, or this project's audit.")
    note: Text | None = None


class AuditSpec(Strict):
    """How `sokkit verify` tests a claim on the toy world: which reference implementation,
    which attack of the intention audit, and what the paper's claim predicts."""

    method: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", description="A reference implementation, e.g. npo, rmu.")]
    attack: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = Field(
        None, description="An audit attack, e.g. relearn, finetune, probe, quant4; none for forgets/preserves-utility "
                          "and their comparative forms.")
    than: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = Field(
        None, description="For a comparative claim: the reference implementation the method is compared with "
                          "(judged on method minus than). Only with recovers-less, recovers-more, forgets-more, "
                          "preserves-utility-better.")
    expects: Literal["recovers", "does-not-recover", "forgets", "reduces", "preserves-utility",
                     "recovers-less", "recovers-more", "forgets-more", "preserves-utility-better"]
    note: Text | None = None


class Claim(Strict):
    """A checkable statement the paper makes, in the contributor's words."""

    id: EntryId
    kind: taxon("claim_kind")
    statement: Text
    source: ShortText = Field(description="Where in the paper: 'Abstract', 'Section 4, Table 2', ...")
    audit: AuditSpec | None = Field(None, description="Optional: how the reference implementations test this claim.")
    note: Text | None = Field(None, description="Optional: a remark on the claim, e.g. why the toy world cannot test it.")


class Relation(Strict):
    """A directed edge: this paper <type> the target paper."""

    type: taxon("relation")
    target: EntryId
    note: Text | None = None


class Review(Strict):
    status: taxon("review")
    checked: list[taxon("review_source")] = Field(default_factory=list)
    note: Text | None = None


class Bibtex(Strict):
    """Extra BibTeX for the export: an entry type, a key, and fields to add or override."""

    type: Literal["article", "inproceedings", "misc", "techreport", "phdthesis", "book", "incollection"] | None = None
    key: Annotated[str, _check_pattern("BibTeX key", BIBTEX_KEY_RE, "zhang2024npo")] | None = None
    fields: dict[Annotated[str, _check_pattern("BibTeX field name", BIBTEX_FIELD_RE, "booktitle")], ShortText] = Field(default_factory=dict)


Links = dict[taxon("link"), WebUrl]


# --- entries ---------------------------------------------------------------------

class Paper(Strict):
    """One paper: `catalog/papers/<id>.yaml`, the file stem being the id."""

    id: EntryId | None = Field(None, description="Optional; must equal the file name without .yaml.")
    title: ShortText
    former_titles: list[ShortText] = Field(
        default_factory=list, description="Earlier titles of the paper (older arXiv versions), newest first.")
    authors: Annotated[list[AuthorName], Field(min_length=1)]
    year: Year
    venue: ShortText | None = Field(None, description="Where it was published, e.g. 'ICLR 2025'; leave out for preprints.")
    ids: Ids = Field(default_factory=Ids)
    links: Links = Field(default_factory=dict)
    roles: list[taxon("role")] = Field(default_factory=list, description="Required once the entry is past draft.")
    intention: taxon("intention") | None = Field(None, description="Primary intention; required for method papers, null otherwise.")
    technique: list[taxon("technique")] = Field(default_factory=list)
    methods: list[Method] = Field(default_factory=list)
    summary: Text | None = None
    rationale: Text | None = Field(None, description="Why the paper is classified so, in your own words.")
    observed: taxon("observed") | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    targets: list[taxon("target")] = Field(default_factory=list)
    setting: list[taxon("setting")] = Field(default_factory=list)
    benchmarks: list[EntryId] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    review: Review
    bibtex: Bibtex | None = None


class Benchmark(Strict):
    """One benchmark: `catalog/benchmarks/<id>.yaml`."""

    id: EntryId | None = None
    name: ShortText
    full_name: ShortText | None = None
    introduced_by: EntryId | None = Field(None, description="Id of the catalog paper that introduced it.")
    targets: list[taxon("target")] = Field(default_factory=list)
    description: Text
    metrics: list[EntryId] = Field(default_factory=list)
    links: Links = Field(default_factory=dict)
    review: Review


class Metric(Strict):
    """One evaluation metric: `catalog/metrics/<id>.yaml`."""

    id: EntryId | None = None
    name: ShortText
    measures: taxon("metric_measures")
    direction: Literal["higher-is-better", "lower-is-better", "closer-to-reference"]
    introduced_by: EntryId | None = None
    definition: Text
    benchmarks: list[EntryId] = Field(default_factory=list)
    links: Links = Field(default_factory=dict)
    review: Review


class Exclusion(Strict):
    """A paper of a reference list that is deliberately not in the catalog."""

    arxiv: ArxivId | None = Field(None, description="The paper's arXiv id, when it has one.")
    title: ShortText = Field(description="The title as the reference list gives it.")
    reason: Text = Field(description="Why it is out of scope (for example: not about unlearning in language models).")


class Exclusions(Strict):
    """`catalog/excluded.yaml`: reference-list papers left out on purpose, each with a reason."""

    excluded: list[Exclusion] = Field(default_factory=list)


ENTRY_MODELS: dict[str, type[Strict]] = {"papers": Paper, "benchmarks": Benchmark, "metrics": Metric}
