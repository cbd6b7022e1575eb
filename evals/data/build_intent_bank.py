"""Build the rule planner's intent bank (agent/planners/data/intent_bank.jsonl) from labelled requests.

    .venv/bin/python evals/data/build_intent_bank.py [--exclude-probes GLOB ...] [--out FILE]

Takes every request of the tune split of evals/data/*.jsonl and every request of evals/probes/*.jsonl (consistency
items and the turns of robustness items) with the labels of its gold: the set of tools of its plan, or
"unsupported" / "clarify". Held-out items are never read into the bank: their scores must stay an estimate of
requests the planner has not seen, so a tune or probe request worded exactly like a held-out one ("把前三秒剪掉"
is in both) is left out too. `--exclude-probes '*_f.jsonl'` leaves a probe round out, so that round can
measure the planner blind.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from agent.plan import iter_refs
from agent.planners.intent_bank import BANK_PATH
from evals.schema import Expect, load_consistency, load_robustness


def labels_of(expect: Expect) -> list[str]:
    if expect.steps is not None:
        return sorted({s.tool for s in expect.steps})
    return [expect.kind]


_OWN_TARGET = re.compile(r"upload-\d+|s\d+")  # this request's uploads and steps


def row(text: str, expect: Expect, inputs: list[str], source: str) -> dict[str, object]:
    """One bank example. Its gold plan goes along where it needs nothing from an earlier turn (only its own
    uploads and steps; "@last" or "@turn-1" are not): the LLM planner shows such plans as worked examples."""
    out: dict[str, object] = {"text": text, "labels": labels_of(expect), "from": source}
    refs = [r for s in expect.steps or [] for v in s.args.values() for r in iter_refs(v)]
    if all(_OWN_TARGET.fullmatch(r.target) for r in refs):
        out["plan"] = expect.to_json()
        if inputs:
            out["inputs"] = inputs
    return out


def collect(data: Path, probes: Path, exclude: list[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    held_out = {c.request for c in load_consistency(data / "consistency.jsonl") if c.split == "heldout"}
    held_out |= {t.request for r in load_robustness(data / "robustness.jsonl") if r.split == "heldout" for t in r.turns}
    sources = [(data / "consistency.jsonl", True), (data / "robustness.jsonl", True)]
    sources += [(p, False) for p in sorted(probes.glob("*.jsonl"))
                if not any(fnmatch.fnmatch(p.name, g) for g in exclude)]
    for path, tune_only in sources:
        if path.name.startswith("consistency"):
            for c in load_consistency(path):
                if not tune_only or c.split == "tune":
                    rows.append(row(c.request, c.expect, c.inputs, c.id))
        else:
            for r in load_robustness(path):
                if not tune_only or r.split == "tune":
                    rows += [row(t.request, t.expect, t.inputs, f"{r.id}#{k}") for k, t in enumerate(r.turns, 1)]
    return [r for r in rows if r["text"] not in held_out]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "evals" / "data")
    ap.add_argument("--probes", type=Path, default=ROOT / "evals" / "probes")
    ap.add_argument("--exclude-probes", action="append", default=[], metavar="GLOB")
    ap.add_argument("--out", type=Path, default=BANK_PATH)
    args = ap.parse_args(argv)
    rows = collect(args.data, args.probes, args.exclude_probes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} examples -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
