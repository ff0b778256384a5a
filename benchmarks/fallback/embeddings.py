"""Candidate 2: static WordLlama sentence embeddings (256 dimensions, shipped inside the wheel) and a logistic
regression over them. Loads offline: cache_dir points at the installed package, whose tokenizers/ folder holds
the tokenizer file the loader looks for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def wordllama() -> Any:
    """The 256-dimension WordLlama model, loaded with downloads disabled."""
    import wordllama as package
    from wordllama import WordLlama

    return WordLlama.load(dim=256, cache_dir=Path(package.__file__).parent, disable_download=True)


def fit(rows: Sequence[tuple[str, str, str]], labels: Sequence[str], seed: int
        ) -> Callable[[list[str]], list[dict[str, float]]]:
    """A predict function from a logistic regression trained on the rows' embeddings."""
    from sklearn.linear_model import LogisticRegression

    data = sorted({(t, y) for t, y, _ in rows})
    wl = wordllama()
    model = LogisticRegression(max_iter=2000, C=4.0, random_state=seed)
    model.fit(wl.embed([t for t, _ in data], norm=True), [y for _, y in data])
    classes = list(model.classes_)
    cache: dict[str, dict[str, float]] = {}

    def predict(texts: list[str]) -> list[dict[str, float]]:
        new = [t for t in dict.fromkeys(texts) if t not in cache]
        if new:
            for t, probs in zip(new, model.predict_proba(wl.embed(new, norm=True)), strict=True):
                cache[t] = {lab: float(probs[classes.index(lab)]) for lab in labels}
        return [cache[t] for t in texts]

    return predict
