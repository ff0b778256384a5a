"""The team's labeled evaluation set holds its floors: precision, recall and qualifier accuracy."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("accuracy", ROOT / "benchmarks" / "accuracy.py")
accuracy = importlib.util.module_from_spec(spec)
sys.modules["accuracy"] = accuracy  # dataclasses look their module up while the class is built
spec.loader.exec_module(accuracy)


@pytest.fixture(scope="module")
def scores(analyzer):
    cases = accuracy.load_cases()
    assert len(cases) >= 200
    return accuracy.evaluate(analyzer, cases)


@pytest.mark.parametrize("side", ["coverage", "outcomes"])
def test_precision_and_recall_per_side(scores, side):
    assert scores.precision(side) >= 0.9, accuracy.report(scores)
    assert scores.recall(side) >= 0.85, accuracy.report(scores)


def test_qualifier_accuracy(scores):
    assert scores.qualifier_accuracy() >= 0.9, accuracy.report(scores)
    for name in accuracy.QUALIFIERS:
        assert scores.qualifier_accuracy(name) >= 0.8, (name, accuracy.report(scores))
