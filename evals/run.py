"""`audiogent eval SUITE`: load the data, run the suite, write result.json / report.md / the chart,
append the history line, print a table (or the JSON). Exit status: 0 whatever the scores, 1 when
something crashed (an exception that is not an AudiogentError escaped the agent, or a capability
check raised)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.paths import PROJECT_ROOT
from agent.planners.base import Planner
from evals import report
from evals.history import default_history_path
from evals.schema import EvalDataError, load_consistency, load_robustness, select

DATA_DIR = PROJECT_ROOT / "evals" / "data"


def _split_list(v: str | None) -> list[str] | None:
    return [x.strip() for x in v.split(",") if x.strip()] if v else None


def run_suite(suite: str, planner: Planner, work: Path, data: Path | None = None, split: str = "all",
              limit: int | None = None, ids: list[str] | None = None, only: list[str] | None = None,
              progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Run one suite; returns (metrics, items, options as recorded)."""
    options: dict[str, Any] = {"split": split, "limit": limit, "ids": ids}
    if suite == "capability":
        from evals.capability import run_capability

        options = {"only": only}
        metrics, items = run_capability(only, progress=progress)
        return metrics, items, options
    path = data or DATA_DIR / f"{suite}.jsonl"
    options["data"] = str(path.resolve())
    if suite == "consistency":
        from evals.consistency import run_consistency

        citems = select(load_consistency(path), split, ids, limit)
        if not citems:
            raise EvalDataError(f"no consistency items selected from {path} (split={split}, ids={ids})")
        metrics, items = run_consistency(citems, planner, work, progress=progress)
        return metrics, items, options
    if suite == "robustness":
        from evals.robustness import run_robustness

        ritems = select(load_robustness(path), split, ids, limit)
        if not ritems:
            raise EvalDataError(f"no robustness items selected from {path} (split={split}, ids={ids})")
        metrics, items = run_robustness(ritems, planner, work, progress=progress)
        return metrics, items, options
    raise EvalDataError(f"unknown suite {suite!r}")


def run_eval(args: argparse.Namespace, planner: Planner) -> int:
    started = dt.datetime.now().astimezone()
    out: Path = args.out or report.default_out_dir(args.suite, started)
    history_path: Path = args.history or default_history_path()
    t0 = time.perf_counter()
    keep = getattr(args, "keep_work", False)
    tmp = None if keep else tempfile.TemporaryDirectory(prefix=f"audiogent-eval-{args.suite}-")
    work = out / "work" if keep else Path(tmp.name)  # type: ignore[union-attr]
    try:
        metrics, items, options = run_suite(
            args.suite, planner, work, data=args.data, split=args.split, limit=args.limit,
            ids=_split_list(args.ids), only=_split_list(args.only), progress=True)
    finally:
        if tmp is not None:
            tmp.cleanup()
        elif (work / "inputs").exists():
            shutil.rmtree(work / "inputs", ignore_errors=True)  # sessions hold copies of every input
    result = report.build_result(args.suite, report.planner_info(planner), metrics, items, options, started,
                                 time.perf_counter() - t0)
    paths = report.write_outputs(result, out, history_path)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print(report.render_text(result))
        print("files: " + ", ".join(str(p) for k, p in paths.items() if k != "history"))
    return 1 if metrics.get("crashes") else 0
