"""Lexicon entries as data: loading, validation, user overrides."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from . import safeyaml
from .notes import InputError
from .resources import data_path

SIDES = ("coverage", "outcomes")
COUNTS_FOR = ("coverage", "outcomes", "none")
CATEGORIES = (
    "coverage-talk",
    "outcomes-talk",
    "visa-contract",
    "leadership",
    "attrition",
    "soap-fill",
    "boards-accreditation",
    "website-alumni",
    "evasive-answers",
    "screening",
    "resident-mood",
)
TOPICS = ("teaching", "scholarship", "graduate-outcomes", "boards", "leadership", "visa")
REQUIRED = ("id", "side", "category", "weight", "meaning", "follow_up", "source", "examples")
OPTIONAL = ("phrases", "patterns", "near", "topic", "needs_specifics", "negated_counts_for", "past_counts_for", "enabled",
            "fallback")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LINE_KEY = "__line__"
STRING_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX"})
MAX_ENTRIES = 10_000
MAX_ITEMS = 10_000  # phrases, patterns or examples in one entry
MAX_REGEX = 200
MAX_LEXICON_CHARS = 10_000_000


class LexiconError(InputError):
    """A lexicon file that cannot be used."""


@dataclass(frozen=True)
class Near:
    """Words from each group within a few tokens of each other, in any order, in one sentence."""

    window: int
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Entry:
    """One coded phrase family: what is said, what it means, what to ask next."""

    id: str
    side: str
    category: str
    weight: float
    meaning: str
    follow_up: str
    source: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    near: tuple[Near, ...] = ()
    topic: str | None = None
    needs_specifics: bool = False
    negated_counts_for: str | None = None
    past_counts_for: str | None = None
    enabled: bool = True
    fallback: bool = False
    flag_examples: tuple[str, ...] = ()
    pass_examples: tuple[str, ...] = ()
    origin: str = ""

    def counts_when_negated(self) -> str:
        """The side a negated use of this entry adds to."""
        return self.negated_counts_for or ("coverage" if self.side == "outcomes" else "none")

    def counts_when_past(self) -> str:
        """The side a lost or former use of this entry adds to."""
        return self.past_counts_for or ("coverage" if self.side == "outcomes" else "none")


@dataclass
class Lexicon:
    """All enabled entries by id, and the files they came from."""

    entries: dict[str, Entry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    all_entries: dict[str, Entry] = field(default_factory=dict)  # switched-off ones too

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def select(self, category: str | None = None, side: str | None = None) -> list[Entry]:
        """Entries filtered by category and side, in id order."""
        return sorted(
            (e for e in self if (category is None or e.category == category) and (side is None or e.side == side)),
            key=lambda e: (e.category, e.id),
        )


class _LineLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """A YAML loader that records the line of every mapping and reads on/off/yes/no as words, not booleans."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def lexicon_files(paths: list[str | Path]) -> list[Path]:
    """The YAML files named by paths: files as given, folders by their *.yml / *.yaml files."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise LexiconError(str(path), "no such lexicon file or folder")
    return found


def builtin_files() -> list[Path]:
    """The lexicon files that ship with the package."""
    return lexicon_files([Path(str(data_path("phrase_lexicons")))])


def _read_raw(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_LEXICON_CHARS + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(str(path), f"cannot read lexicon: {exc.__class__.__name__}") from None
    try:
        data = safeyaml.load(text, str(path), what="lexicon", aliases=True, loader=_LineLoader,
                             max_chars=MAX_LEXICON_CHARS)
    except InputError as error:
        raise LexiconError(error.path, error.reason, error.line) from None
    if data is None:
        return []
    if isinstance(data, dict):
        line = data.get(LINE_KEY)
        if set(data) - {"entries", LINE_KEY}:
            extra = min(set(data) - {"entries", LINE_KEY})
            raise LexiconError(str(path), f"unknown top-level key '{extra}' (expected 'entries')", line)
        data = data.get("entries") or []
    if not isinstance(data, list):
        raise LexiconError(str(path), "expected a list of entries under 'entries:'", 1)
    if len(data) > MAX_ENTRIES:
        raise LexiconError(str(path), f"{len(data)} entries, over the limit of {MAX_ENTRIES} per file", 1)
    for item in data:
        if not isinstance(item, dict):
            raise LexiconError(str(path), "each entry must be a mapping", None)
    return data


def _fail(path: Path, raw: dict[str, Any], reason: str) -> LexiconError:
    return LexiconError(str(path), reason, raw.get(LINE_KEY))


def _text_list(path: Path, raw: dict[str, Any], key: str, value: Any, keep_lines: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, raw, f"entry '{raw.get('id')}': '{key}' must be a list of non-empty strings")
    if len(value) > MAX_ITEMS:
        raise _fail(path, raw, f"entry '{raw.get('id')}': '{key}' has {len(value)} items, over {MAX_ITEMS}")
    return tuple(v.strip() if keep_lines else " ".join(v.split()) for v in value)


def _patterns(path: Path, raw: dict[str, Any], value: Any) -> tuple[tuple[dict[str, Any], ...], ...]:
    value = _strip_lines(value)
    if not isinstance(value, list) or not all(
        isinstance(p, list) and p and all(isinstance(t, dict) and t for t in p) for p in value
    ):
        raise _fail(path, raw, f"entry '{raw.get('id')}': 'patterns' must be a list of token-pattern lists")
    if len(value) > MAX_ITEMS:
        raise _fail(path, raw, f"entry '{raw.get('id')}': 'patterns' has {len(value)} items, over {MAX_ITEMS}")
    value = [[_stringify(tok) for tok in p] for p in value]
    for pattern in value:
        for token in pattern:
            problem = _token_problem(token)
            if problem:
                raise _fail(path, raw, f"entry '{raw.get('id')}': invalid token pattern: {problem}")
    from spacy.errors import MatchPatternError

    try:
        _pattern_checker().add("check", value)
    except (MatchPatternError, ValueError, TypeError, KeyError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise _fail(path, raw, f"entry '{raw.get('id')}': invalid token pattern: {detail}") from None
    return tuple(tuple(tok for tok in p) for p in value)


def _near(path: Path, raw: dict[str, Any], value: Any) -> tuple[Near, ...]:
    value = _strip_lines(value)
    where = f"entry '{raw.get('id')}': 'near'"
    if not isinstance(value, list) or not value:
        raise _fail(path, raw, f"{where} must be a list of {{window, groups}} rules")
    rules = []
    for rule in value:
        if not isinstance(rule, dict) or set(rule) - {"window", "groups"}:
            raise _fail(path, raw, f"{where} rules have only 'window' and 'groups'")
        window, groups = rule.get("window", 4), rule.get("groups")
        if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 12:
            raise _fail(path, raw, f"{where} window must be a whole number from 0 to 12")
        if not isinstance(groups, list) or not 2 <= len(groups) <= 3 or not all(
            isinstance(g, list) and g and all(isinstance(w, (str, int)) and str(w).strip() for w in g) for g in groups
        ):
            raise _fail(path, raw, f"{where} groups must be 2 or 3 lists of words")
        words = tuple(tuple(str(w).strip().lower() for w in g) for g in groups)
        if any(" " in w for g in words for w in g):
            raise _fail(path, raw, f"{where} groups hold single words; use phrases or patterns for sequences")
        rules.append(Near(window, words))
    return tuple(rules)


def _stringify(token: dict[str, Any]) -> dict[str, Any]:
    """Numbers written bare in a string attribute ("LOWER: {IN: [18, 20]}") become the strings they look like."""
    out: dict[str, Any] = {}
    for key, val in token.items():
        if key in STRING_ATTRS and isinstance(val, (int, float)) and not isinstance(val, bool):
            val = str(val)
        elif key in STRING_ATTRS and isinstance(val, dict):
            val = {k: [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in vs]
                   if isinstance(vs, list) else vs for k, vs in val.items()}
        out[key] = val
    return out


def _token_problem(token: dict[str, Any]) -> str | None:
    """What spaCy's validator lets through but matching cannot survive: empty attribute tests, bad regexes."""
    for key, val in token.items():
        if isinstance(val, dict):
            if not val:
                return f"{key}: {{}} tests nothing (it would match every token)"
            for op, arg in val.items():
                if op == "REGEX":
                    problem = regex_problem(arg)
                    if problem:
                        return f"{key} REGEX {str(arg)[:60]!r}: {problem}"
                elif isinstance(arg, dict):
                    problem = _token_problem({op: arg})
                    if problem:
                        return problem
    return None


def regex_problem(pattern: Any) -> str | None:
    """Why a user regex is refused: not text, too long, invalid, or a nested repeat that can take forever."""
    if not isinstance(pattern, str):
        return "must be text"
    if len(pattern) > MAX_REGEX:
        return f"longer than {MAX_REGEX} characters"
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    if _nested_repeat(parsed, inside=False):
        return ("a repeat inside a repeat, or of alternatives that can overlap (as in (a+)+ or (a|aa)+), "
                "can take forever; rewrite it")
    return None


def _nested_repeat(items: Any, inside: bool) -> bool:
    """Whether a parsed regex has a repeat inside another repeat, or repeats alternatives that can overlap."""
    from re import _constants as c  # type: ignore[attr-defined]

    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
    for op, arg in items:
        if op in repeats:
            _, high, sub = arg
            many = high is c.MAXREPEAT or high > 1
            if inside and many:
                return True
            if _nested_repeat(sub, inside or many):
                return True
        elif op is c.SUBPATTERN:
            if _nested_repeat(arg[-1], inside):
                return True
        elif op is c.BRANCH:
            if inside and _overlapping(arg[1], c):
                return True
            if any(_nested_repeat(branch, inside) for branch in arg[1]):
                return True
        elif op in (c.ASSERT, c.ASSERT_NOT) and _nested_repeat(arg[1], inside):
            return True
    return False


def _overlapping(branches: Any, c: Any) -> bool:
    """Whether alternatives may start alike (an empty one, one opening with a class, two with one letter)."""
    firsts = []
    for branch in branches:
        items = list(branch)
        if not items or items[0][0] is not c.LITERAL:
            return True
        firsts.append(items[0][1])
    return len(set(firsts)) < len(firsts)


@lru_cache(maxsize=1)
def _checker_vocab() -> Any:
    from spacy.vocab import Vocab

    return Vocab()


def _pattern_checker() -> Any:
    """A fresh validating Matcher: one kept across entries grows with every pattern it ever checked."""
    from spacy.matcher import Matcher

    return Matcher(_checker_vocab(), validate=True)


def _build(path: Path, raw: dict[str, Any], base: Entry | None) -> Entry:
    """Validate one raw entry (merged over base when it overrides one) into an Entry."""
    eid = raw.get("id")
    if not isinstance(eid, str) or not ID_RE.match(eid):
        raise _fail(path, raw, f"entry id {eid!r} must be lowercase letters, digits and dashes")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL) - {LINE_KEY})
    if unknown:
        raise _fail(path, raw, f"entry '{eid}': unknown key '{unknown[0]}'")
    if base is None:
        missing = [k for k in REQUIRED if k not in raw]
        if missing:
            raise _fail(path, raw, f"entry '{eid}': missing key '{missing[0]}'")
    fields: dict[str, Any] = {"origin": f"{path}:{raw.get(LINE_KEY, '?')}"}
    if "side" in raw:
        if raw["side"] not in SIDES:
            raise _fail(path, raw, f"entry '{eid}': side must be one of {', '.join(SIDES)}")
        fields["side"] = raw["side"]
    if "category" in raw:
        if raw["category"] not in CATEGORIES:
            raise _fail(path, raw, f"entry '{eid}': unknown category {raw['category']!r}")
        fields["category"] = raw["category"]
    if "topic" in raw:
        if raw["topic"] is not None and raw["topic"] not in TOPICS:
            raise _fail(path, raw, f"entry '{eid}': unknown topic {raw['topic']!r}")
        fields["topic"] = raw["topic"]
    if "weight" in raw:
        weight = raw["weight"]
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 5:
            raise _fail(path, raw, f"entry '{eid}': weight must be a number above 0 and at most 5")
        fields["weight"] = float(weight)
    for key in ("meaning", "follow_up", "source"):
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise _fail(path, raw, f"entry '{eid}': '{key}' must be non-empty text")
            fields[key] = " ".join(raw[key].split())
    for key in ("needs_specifics", "enabled", "fallback"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise _fail(path, raw, f"entry '{eid}': '{key}' must be true or false")
            fields[key] = raw[key]
    for key in ("negated_counts_for", "past_counts_for"):
        if key in raw:
            if raw[key] is not None and raw[key] not in COUNTS_FOR:
                raise _fail(path, raw, f"entry '{eid}': '{key}' must be one of {', '.join(COUNTS_FOR)}")
            fields[key] = raw[key]
    if "phrases" in raw:
        fields["phrases"] = _text_list(path, raw, "phrases", raw["phrases"])
    if "patterns" in raw:
        fields["patterns"] = _patterns(path, raw, raw["patterns"])
    if "near" in raw:
        fields["near"] = _near(path, raw, raw["near"])
    if "examples" in raw:
        examples = raw["examples"]
        if not isinstance(examples, dict) or set(examples) - {"flag", "pass", LINE_KEY}:
            raise _fail(path, raw, f"entry '{eid}': 'examples' must have only 'flag' and 'pass' lists")
        fields["flag_examples"] = _text_list(path, raw, "examples.flag", examples.get("flag", []), True)
        fields["pass_examples"] = _text_list(path, raw, "examples.pass", examples.get("pass", []), True)
    entry = replace(base, **fields) if base else Entry(id=eid, **{k: v for k, v in fields.items()})
    if entry.enabled and not entry.phrases and not entry.patterns and not entry.near:
        raise _fail(path, raw, f"entry '{eid}': needs at least one phrase, pattern or near rule")
    if entry.enabled and not entry.flag_examples:
        raise _fail(path, raw, f"entry '{eid}': needs at least one 'flag' example")
    return entry


def phrase_key(phrase: str) -> str:
    """The form two phrases are compared in to find duplicates."""
    return " ".join(re.sub(r"[’‘]", "'", phrase).lower().split())


CACHE = ("compiled", "lexicon.json")


def builtin_digest(files: list[Path]) -> str:
    """A fingerprint of the built-in lexicon files, so a stale compiled copy is never used."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _entry_from_json(data: dict[str, Any], folder: Path) -> Entry:
    name, _, line = data.pop("origin").rpartition(":")
    return Entry(
        **{**data, "origin": f"{folder / name}:{line}", "phrases": tuple(data["phrases"]),
           "patterns": tuple(tuple(p) for p in data["patterns"]),
           "near": tuple(Near(n["window"], tuple(tuple(g) for g in n["groups"])) for n in data["near"]),
           "flag_examples": tuple(data["flag_examples"]), "pass_examples": tuple(data["pass_examples"])}
    )


def compiled_builtins(files: list[Path]) -> dict[str, Entry] | None:
    """The built-in entries from the compiled copy, when it matches the YAML files exactly."""
    cache = Path(str(data_path("phrase_lexicons", *CACHE)))
    try:
        data = json.loads(cache.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("digest") != builtin_digest(files):
        return None
    folder = Path(str(data_path("phrase_lexicons")))
    return {e["id"]: _entry_from_json(e, folder) for e in data["entries"]}


def compile_builtins() -> str:
    """The compiled copy of the built-in lexicon (JSON), read back instead of the YAML while they match."""
    files = builtin_files()
    lexicon = load_lexicon(compiled=False)
    entries = []
    for entry in sorted(lexicon.all_entries.values(), key=lambda e: e.id):
        data = asdict(entry)
        where, _, line = entry.origin.rpartition(":")
        data["origin"] = f"{Path(where).name}:{line}"
        entries.append(data)
    return json.dumps({"digest": builtin_digest(files), "entries": entries}, ensure_ascii=False, sort_keys=True)


def load_lexicon(
    user_paths: list[str | Path] | None = None, *, builtins: bool = True, compiled: bool = True
) -> Lexicon:
    """Load the built-in lexicons, then user files that add, override or switch off entries."""
    lexicon = Lexicon()
    files = builtin_files() if builtins else []
    cached = compiled_builtins(files) if builtins and compiled else None
    sources = [] if cached is not None else [(p, False) for p in files]
    sources += [(p, True) for p in lexicon_files(list(user_paths or []))]
    all_entries: dict[str, Entry] = dict(cached or {})
    seen_in_file: dict[str, str] = {e.id: e.origin.rpartition(":")[0] for e in all_entries.values()}
    lexicon.files = [str(p) for p in files] if cached is not None else []
    for path, is_user in sources:
        lexicon.files.append(str(path))
        for raw in _read_raw(path):
            eid = raw.get("id")
            if isinstance(eid, str) and eid in seen_in_file and (seen_in_file[eid] == str(path) or not is_user):
                raise _fail(path, raw, f"duplicate entry id '{eid}' (also in {seen_in_file[eid]})")
            base = all_entries.get(eid) if is_user and isinstance(eid, str) else None
            entry = _build(path, raw, base)
            seen_in_file[entry.id] = str(path)
            all_entries[entry.id] = entry
    lexicon.all_entries = all_entries
    owners: dict[str, str] = {}
    for entry in all_entries.values():
        if not entry.enabled:
            continue
        for phrase in entry.phrases:
            key = phrase_key(phrase)
            if key in owners and owners[key] != entry.id:
                where, _, line = entry.origin.rpartition(":")
                raise LexiconError(
                    where,
                    f"phrase '{phrase}' is in both '{owners[key]}' and '{entry.id}'",
                    int(line) if line.isdigit() else None,
                )
            owners[key] = entry.id
        lexicon.entries[entry.id] = entry
    return lexicon
