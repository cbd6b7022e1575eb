"""Nearest-neighbour guesses of what a request asks for, for phrasings the rule tables miss.

The rule planner's patterns are precise but brittle: "keep just that stretch", "patch it" or "tack the
sign-off on after it" name no trigger, and a clause nobody recognises used to turn the whole request into a
refusal. This module ranks labelled example requests by TF-IDF cosine similarity (words, word pairs and
character 2-4-grams, since Chinese has no spaces) and lets the nearest few vote on the labels: tool names,
"unsupported" or "clarify". The planner asks it in three places (rules.py): where its own tables would refuse or
drop a clause (`_rescue`); where a capability we lack is named in a request worded like doable ones, to keep it as
context if the tables found the tool the neighbours name (`_maybe_doable`, `_refusal_stands`); and where the tables
planned something for a request worded like the questions and remarks we refuse (`vetoed`).

The examples live in `data/intent_bank.jsonl`, built by `evals/data/build_intent_bank.py` from the tune split of
the eval data and the probe rounds, never from the held-out split (a test checks that). To teach the planner a
phrasing a user reported, add the request with its gold plan to a probe file and rebuild the bank.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from agent.planners.numbers import normalize_numbers

BANK_PATH = Path(__file__).with_name("data") / "intent_bank.jsonl"
NOT_A_TOOL = frozenset({"unsupported", "clarify"})
_WORD = re.compile(r"[a-z]+|\d+")


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]  # the tools of its gold plan, or ("unsupported",) / ("clarify",)
    # Its gold, where it stands on its own (no reference to an earlier turn): {"steps": [...]} or
    # {"outcome": "unsupported" | "clarify"}, with the kinds of file uploaded with it. The LLM planner
    # shows the nearest of these as worked examples.
    plan: dict[str, Any] | None = None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntentGuess:
    votes: dict[str, float]  # label -> similarity-weighted share of the nearest examples that carry it
    nearest: float  # cosine similarity of the closest example: how familiar the request looks at all

    def top(self) -> tuple[str, float]:
        if not self.votes:
            return "", 0.0
        label = max(self.votes, key=lambda k: self.votes[k])
        return label, self.votes[label]

    def labels(self, at: float = 0.5) -> set[str]:
        return {k for k, v in self.votes.items() if v >= at}


def _features(text: str) -> Counter[str]:
    # numbers as digits, so "forty-two seconds", "42 s" and "四十二秒" share their n-grams
    t = re.sub(r"\s+", " ", normalize_numbers(text.lower())).strip()
    words = _WORD.findall(t)
    feats: Counter[str] = Counter(f"w:{w}" for w in words)
    feats.update(f"b:{a}_{b}" for a, b in pairwise(words))
    for n in (2, 3, 4):
        feats.update(f"c{n}:{t[i:i + n]}" for i in range(len(t) - n + 1))
    return feats


class IntentBank:
    def __init__(self, examples: list[Example], k: int = 5) -> None:
        if not examples:
            raise ValueError("an intent bank needs at least one example")
        self.examples = examples
        self.k = k
        self.labels = sorted({label for e in examples for label in e.labels})
        counts = [_features(e.text) for e in examples]
        self.vocab = {f: i for i, f in enumerate(sorted({f for c in counts for f in c}))}
        df = np.zeros(len(self.vocab))
        for c in counts:
            df[[self.vocab[f] for f in c]] += 1
        self.idf = np.log((1 + len(examples)) / (1 + df)) + 1
        self.matrix = self._rows(counts)
        index = {label: j for j, label in enumerate(self.labels)}
        self.onehot = np.zeros((len(examples), len(self.labels)))
        for i, e in enumerate(examples):
            self.onehot[i, [index[label] for label in e.labels]] = 1

    @classmethod
    def load(cls, path: Path = BANK_PATH) -> IntentBank:
        examples = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    examples.append(Example(row["text"], tuple(row["labels"]), row.get("plan"),
                                            tuple(row.get("inputs") or ())))
        return cls(examples)

    def _rows(self, counts: list[Counter[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for i, c in enumerate(counts):
            for f, n in c.items():
                j = self.vocab.get(f)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append((1 + math.log(n)) * self.idf[j])
        m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(counts), len(self.vocab)))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sparse.csr_matrix(sparse.diags(1 / norms) @ m)

    def _similarities(self, text: str) -> np.ndarray:
        return (self.matrix @ self._rows([_features(text)]).T).toarray().ravel()

    def nearest_plans(self, text: str, k: int) -> list[tuple[Example, float]]:
        """The `k` most similar examples that carry a plan, most similar first, one per distinct text."""
        sims = self._similarities(text)
        out: list[tuple[Example, float]] = []
        seen: set[str] = set()
        for i in np.argsort(-sims, kind="stable"):
            if len(out) == k or sims[i] <= 0:
                break
            e = self.examples[i]
            if e.plan is not None and e.text not in seen:
                seen.add(e.text)
                out.append((e, float(sims[i])))
        return out

    def guess(self, text: str) -> IntentGuess:
        sims = self._similarities(text)
        near = np.argsort(-sims, kind="stable")[: self.k]
        weights = sims[near]
        if weights.sum() <= 0:
            return IntentGuess({}, 0.0)
        shares = (weights[:, None] * self.onehot[near]).sum(axis=0) / weights.sum()
        votes = {label: float(s) for label, s in zip(self.labels, shares) if s > 0}
        return IntentGuess(votes, float(weights[0]))


@lru_cache(maxsize=1)
def default_bank() -> IntentBank | None:
    """The bank shipped with the package, or None where it is missing (the planner then refuses as before)."""
    return IntentBank.load() if BANK_PATH.is_file() else None
