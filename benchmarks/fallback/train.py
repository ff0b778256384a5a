"""Train the learned fallback's sentence classifier (coverage / outcomes / neither) on the team's labelled text.

Run: python benchmarks/fallback/train.py [--arch bow|ensemble] [--out DIR] [--epochs N]
Training data: benchmarks/realtext/dev.yml, tests/eval/cases.yml, holdout.yml, holdout2.yml (sentences labelled
from their expected hits) and every lexicon entry's flag examples (its side) and pass examples (neither).
Never the blind sets. Deterministic: fixed seed, CPU, sorted data.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

LABELS = ("coverage", "outcomes", "neither")
DEV = ROOT / "benchmarks" / "realtext" / "dev.yml"
TEAM_SETS = [ROOT / "tests" / "eval" / n for n in ("cases.yml", "holdout.yml", "holdout2.yml")]
SEED = 0
ARCHS = {
    "bow": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
            "no_output_layer": False, "length": 65536},
    "ensemble": {"@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
                 "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
                                  "ngram_size": 2, "no_output_layer": False, "length": 65536},
                 "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                             "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64,
                                       "rows": [2000, 2000, 1000, 1000], "attrs": ["NORM", "LOWER", "PREFIX",
                                                                                   "SUFFIX"],
                                       "include_static_vectors": False},
                             "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64,
                                        "window_size": 1, "maxout_pieces": 3, "depth": 2}}},
}


def sentence_rows(nlp: Language, case: dict[str, Any], group: str) -> list[tuple[str, str, str]]:
    """(sentence, label, group) for each sentence of a labelled passage; sentences whose only expected hits
    count for neither side (questions, plans) are left out: the context gate, not the model, decides those."""
    text = case["text"]
    doc = nlp(text)
    spans = []
    for exp in case.get("expect") or []:
        start = text.index(exp["phrase"])
        spans.append((start, start + len(exp["phrase"]), exp.get("counts_for", "none")))
    rows = []
    for sent in doc.sents:
        a, b = sent.start_char, sent.end_char
        sides = Counter(side for s, e, side in spans if s < b and a < e)
        said = sent.text.strip()
        if not said:
            continue
        counted = {k: v for k, v in sides.items() if k in ("coverage", "outcomes")}
        if counted:
            if len(counted) > 1 and counted["coverage"] == counted["outcomes"]:
                continue
            rows.append((said, max(counted, key=lambda k: counted[k]), group))
        elif not sides:
            rows.append((said, "neither", group))
    return rows


def passage_rows(nlp: Language, path: Path, by_source: bool) -> list[tuple[str, str, str]]:
    """Sentence rows of one passage set; the group is the source address (dev) or the set name."""
    rows = []
    for case in yaml.safe_load(path.read_text(encoding="utf-8")):
        group = str(case.get("source") or case["id"]) if by_source else path.stem
        rows.extend(sentence_rows(nlp, case, group))
    return rows


def lexicon_rows() -> list[tuple[str, str, str]]:
    """Every lexicon entry's flag examples (its side) and pass examples (neither)."""
    from analyzer.lexicon import load_lexicon

    rows = []
    for entry in load_lexicon():
        if entry.side not in ("coverage", "outcomes"):
            continue
        rows += [(t, entry.side, "lexicon") for t in entry.flag_examples]
        rows += [(t, "neither", "lexicon") for t in entry.pass_examples]
    return rows


def segmenter() -> Language:
    """The analyzer's own sentence splitting (line breaks and sentencizer), so training sentences match."""
    from analyzer.analysis import get_analyzer

    nlp = get_analyzer().nlp
    keep = [n for n, _ in nlp.pipeline if n in ("redflags_lines", "sentencizer")]
    return _Sents(nlp, keep)


class _Sents:
    def __init__(self, nlp: Language, names: list[str]):
        self.nlp, self.names = nlp, names

    def __call__(self, text: str) -> Any:
        doc = self.nlp.make_doc(text)
        for name in self.names:
            doc = self.nlp.get_pipe(name)(doc)
        return doc


def all_rows() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(dev rows grouped by source, the other training rows)."""
    seg = segmenter()
    dev = passage_rows(seg, DEV, by_source=True)  # type: ignore[arg-type]
    other = [r for p in TEAM_SETS for r in passage_rows(seg, p, by_source=False)]  # type: ignore[arg-type]
    return dev, other + lexicon_rows()


def train(rows: list[tuple[str, str, str]], arch: str = "bow", epochs: int = 12, seed: int = SEED) -> Language:
    """A blank English pipeline with one textcat trained on the rows (deduplicated, sorted, seeded)."""
    fix_random_seed(seed)
    data = sorted({(t, label) for t, label, _ in rows})
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": ARCHS[arch], "threshold": 0.5})
    for label in LABELS:
        textcat.add_label(label)  # type: ignore[attr-defined]
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": {lab: float(lab == y) for lab in LABELS}})
                for t, y in data]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, losses=losses, drop=0.2)
    return nlp


def predictor(nlp: Language) -> Callable[[list[str]], list[dict[str, float]]]:
    """Probabilities per label for a list of sentences, cached by sentence."""
    cache: dict[str, dict[str, float]] = {}

    def predict(texts: list[str]) -> list[dict[str, float]]:
        new = [t for t in dict.fromkeys(texts) if t not in cache]
        for t, doc in zip(new, nlp.pipe(new), strict=True):
            cache[t] = dict(doc.cats)
        return [cache[t] for t in texts]

    return predict


def fit(rows: list[tuple[str, str, str]], arch: str = "bow") -> Callable[[list[str]], list[dict[str, float]]]:
    """A trained candidate as a predict function (sentences to label probabilities)."""
    if arch == "wordllama":
        import embeddings

        return embeddings.fit(rows, LABELS, SEED)
    return predictor(train(rows, arch))


def main() -> int:
    parser = argparse.ArgumentParser(prog="train", description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHS), default="bow")  # wordllama: see evaluate.py
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=Path("/tmp/redflags-fallback-model"))
    args = parser.parse_args()
    dev, other = all_rows()
    rows = dev + other
    print(f"{len(rows)} training sentences: " + ", ".join(f"{k} {v}" for k, v in
                                                         sorted(Counter(y for _, y, _ in rows).items())))
    nlp = train(rows, args.arch, args.epochs)
    nlp.to_disk(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
