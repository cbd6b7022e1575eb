"""Eval results on disk and on screen.

Each run writes to its output directory:
  result.json        suite, planner (and LLM endpoint/model), date, git commit, machine, metrics, items
  report.md          metrics tables, per-tool accuracy chart and confusion table, failures, history
  tool_accuracy.png  per-tool accuracy bars (suites that plan)
and appends a summary line to the history file.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

from agent.paths import PROJECT_ROOT
from evals import history
from evals.machine import describe_machine

CHART = "tool_accuracy.png"


# ---------------------------------------------------------------------- the result
def git_commit() -> dict[str, Any]:
    """Short commit of the checkout, and whether it has uncommitted changes; nulls outside git."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                                    capture_output=True, text=True, timeout=10, check=False).stdout.strip())
        return {"commit": sha or None, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def planner_info(planner: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"planner": getattr(planner, "name", str(planner))}
    config = getattr(planner, "config", None)
    if config is not None:
        info["llm_base_url"] = config.base_url
        info["llm_model"] = config.model
    return info


def headline(suite: str, metrics: dict[str, Any]) -> dict[str, Any]:
    """The few numbers a history line keeps."""
    if suite == "consistency":
        h: dict[str, Any] = {}
        groups = {"all": metrics["overall"], **metrics.get("by_split", {})}
        for g, t in groups.items():
            for k in ("n", "node_f1", "edge_f1", "arg_f1", "exact_rate", "tool_accuracy"):
                h[f"{g}.{k}"] = t.get(k)
        h["crashes"] = metrics.get("crashes", 0)
        return h
    if suite == "robustness":
        h = {"all.n": metrics["overall"]["n"], "all.pass_rate": metrics["overall"]["pass_rate"]}
        for c, b in metrics.get("by_category", {}).items():
            h[f"{c}.pass_rate"] = b["pass_rate"]
        h.update({k: metrics["overall"][k] for k in ("crashes", "unexpected_errors", "lost_artifacts")})
        return h
    return {f"{r['tool']}: {r['metric']}": r["value"] for r in metrics.get("rows", [])}


def build_result(suite: str, planner: dict[str, Any], metrics: dict[str, Any], items: list[dict[str, Any]],
                 options: dict[str, Any], started: dt.datetime, seconds: float) -> dict[str, Any]:
    return {
        "suite": suite,
        **planner,
        "date": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        **git_commit(),
        "machine": describe_machine(),
        "options": options,
        "metrics": metrics,
        "items": items,
    }


def default_out_dir(suite: str, started: dt.datetime) -> Path:
    base = history.evals_home() / f"{suite}-{started.strftime('%Y%m%d-%H%M%S')}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


# ---------------------------------------------------------------------- formatting
def _f(v: Any, pct: bool = False) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{100 * v:.1f}%" if pct else (f"{v:.3f}" if abs(v) < 100 else f"{v:.1f}")
    return str(v)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in r) + " |" for r in rows]
    return out


def _text_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [headers] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]]


PLAN_COLS = ["group", "n", "node F1", "edge F1", "arg F1", "exact", "tool acc", "errors"]


def _plan_row(name: str, t: dict[str, Any]) -> list[Any]:
    return [name, t["n"], _f(t["node_f1"]), _f(t["edge_f1"]), _f(t["arg_f1"]), _f(t["exact_rate"], True),
            _f(t["tool_accuracy"], True), t.get("errors", 0)]


def metric_rows(result: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The main table: per split/language (consistency), per category (robustness), or the rows."""
    m = result["metrics"]
    suite = result["suite"]
    if suite == "consistency":
        rows = [_plan_row("all", m["overall"])]
        rows += [_plan_row(f"split={k}", v) for k, v in m["by_split"].items()]
        rows += [_plan_row(f"lang={k}", v) for k, v in m["by_lang"].items()]
        rows += [_plan_row(f"{k}", v) for k, v in m.get("by_split_lang", {}).items()]
        return PLAN_COLS, rows
    if suite == "robustness":
        cols = ["group", "n", "passed", "pass rate", "crashes", "unexpected errors", "lost artifacts"]

        def row(name: str, b: dict[str, Any]) -> list[Any]:
            return [name, b["n"], b["passed"], _f(b["pass_rate"], True), b["crashes"], b["unexpected_errors"],
                    b["lost_artifacts"]]

        rows = [row("all", m["overall"])]
        rows += [row(f"category={k}", v) for k, v in m["by_category"].items()]
        rows += [row(f"fault={k}", v) for k, v in m.get("by_fault", {}).items()]
        rows += [row(f"split={k}", v) for k, v in m["by_split"].items()]
        rows += [row(f"lang={k}", v) for k, v in m["by_lang"].items()]
        return cols, rows
    cols = ["tool", "metric", "value", "unit", "n", "note"]
    return cols, [[r["tool"], r["metric"], _f(r["value"]), r["unit"], r["n"], r["note"]] for r in m["rows"]]


def render_text(result: dict[str, Any]) -> str:
    """The readable summary printed to stdout."""
    head = f"{result['suite']} eval: planner {result.get('planner', '-')}"
    if result.get("llm_model"):
        head += f" ({result['llm_model']} at {result.get('llm_base_url')})"
    head += f", commit {result.get('commit') or '-'}{' (dirty)' if result.get('dirty') else ''}, {result['date']}"
    cols, rows = metric_rows(result)
    if result["suite"] == "capability":
        rows = [r[:5] + [r[5][:70]] for r in rows]
    lines = [head, ""] + _text_table(cols, rows)
    m = result["metrics"]
    if result["suite"] == "robustness":
        failed = [i for i in result["items"] if not i["passed"]]
        if failed:
            lines += ["", f"failed items ({len(failed)}):"]
            lines += [f"  {i['id']} [{i['category']}]: {'; '.join(i['reasons'])[:160]}" for i in failed[:40]]
    elif result["suite"] == "consistency":
        wrong = [i for i in result["items"] if not i["exact"]]
        if wrong:
            lines += ["", f"items not exact ({len(wrong)}):"]
            lines += [f"  {i['id']} [{i['split']}]: {'; '.join(i['diffs'])[:160]}" for i in wrong[:40]]
    crashes = m.get("crashes", 0)
    if crashes:
        lines += ["", f"CRASHES: {crashes}"]
    if result.get("out_dir"):
        lines += ["", f"report: {Path(result['out_dir']) / 'report.md'}"]
    return "\n".join(lines)


def tool_chart(per_tool: dict[str, dict[str, Any]], path: Path, title: str) -> Path | None:
    """Horizontal bars: per gold tool, the share of its items whose tool selection was right."""
    rows = [(t, v["accuracy"], v["items"]) for t, v in per_tool.items() if v.get("items")]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows.sort(key=lambda r: (r[1], r[0]))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(rows) + 1.2))
    bars = ax.barh([r[0] for r in rows], [r[1] for r in rows], color="#4C72B0")
    for b, (_, acc, n) in zip(bars, rows):
        ax.text(acc + 0.01, b.get_y() + b.get_height() / 2, f"{100 * acc:.0f}% (n={n})", va="center",
                fontsize=8, color="black")
    ax.set_xlim(0, 1.22)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("tool-selection accuracy of the items using the tool")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _history_section(earlier: list[dict[str, Any]], current: dict[str, Any]) -> list[str]:
    entries = earlier + [current]
    keys = list(current["headline"])
    if current["suite"] == "consistency":
        keys = [k for k in ("all.node_f1", "all.edge_f1", "all.arg_f1", "all.exact_rate", "all.tool_accuracy",
                            "tune.exact_rate", "heldout.exact_rate", "tune.tool_accuracy", "heldout.tool_accuracy")
                if k in keys]
    keys = keys[:12]
    rows = []
    for e in entries[-20:]:
        h = e.get("headline", {})
        rows.append([e.get("date", "-"), e.get("commit") or "-", e.get("planner", "-") +
                     (f" ({e['llm_model']})" if e.get("llm_model") else ""), e.get("n", "-")]
                    + [_f(h.get(k)) for k in keys])
    return _table(["date", "commit", "planner", "n"] + keys, rows)


def write_markdown(result: dict[str, Any], out: Path, earlier: list[dict[str, Any]], chart: Path | None) -> Path:
    m = result["metrics"]
    suite = result["suite"]
    lines = [f"# audiogent eval: {suite}", ""]
    meta = [("date", result["date"]), ("planner", result.get("planner")),
            ("LLM", f"{result.get('llm_model')} at {result.get('llm_base_url')}" if result.get("llm_model") else None),
            ("commit", f"{result.get('commit') or '-'}{' (uncommitted changes)' if result.get('dirty') else ''}"),
            ("machine", result["machine"]), ("data", result["options"].get("data")),
            ("options", json.dumps({k: v for k, v in result["options"].items() if k != "data"})),
            ("duration", f"{result['seconds']} s")]
    lines += [f"- **{k}**: {v}" for k, v in meta if v is not None] + [""]
    cols, rows = metric_rows(result)
    lines += ["## Metrics", ""] + _table(cols, rows) + [""]
    if suite == "consistency":
        lines += [("F1s are micro-averaged over items; exact = outcome equal and node, edge and argument F1 all 1; "
                   "tool acc = predicted tool set equals the gold tool set (refusals: outcome equal). An item with "
                   "no steps on either side (a refusal met by a refusal, a clarify or an error) adds nothing to the "
                   "F1s; its outcome is scored by exact and tool acc."), ""]
    if suite == "robustness":
        t = m["turn_plans"]
        lines += [(f"Plans of all turns against their gold: node F1 {_f(t['node_f1'])}, edge F1 {_f(t['edge_f1'])}, "
                   f"arg F1 {_f(t['arg_f1'])}, exact {_f(t['exact_rate'], True)} (n={t['n']} turns)."), ""]
    if m.get("per_tool"):
        lines += ["## Per tool", ""]
        if chart:
            lines += [f"![per-tool accuracy]({chart.name})", ""]
        unit = "turns" if suite == "robustness" else "items"
        lines += [(f"`gold {unit}`: the {unit} whose gold plan uses the tool; `tool acc`: the share of them whose "
                  "predicted tool set was right; node P/R/F1: the tool's own counts over all plans."), ""]
        lines += _table(["tool", f"gold {unit}", "tool acc", "node P", "node R", "node F1"],
                        [[t, v["items"], _f(v["accuracy"], True), _f(v["precision"]), _f(v["recall"]), _f(v["f1"])]
                         for t, v in m["per_tool"].items()]) + [""]
    if m.get("confusion"):
        lines += ["## Confusion (gold tool -> predicted instead, items with the wrong tool set)", ""]
        lines += _table(["gold", "predicted instead (count)"],
                        [[g, ", ".join(f"{p} ({n})" for p, n in c.items())] for g, c in m["confusion"].items()]) + [""]
    if suite == "consistency":
        wrong = [i for i in result["items"] if not i["exact"]]
        if wrong:
            lines += [f"## Items not exact ({len(wrong)})", ""]
            lines += _table(["id", "split", "request", "what differs"],
                            [[i["id"], i["split"], i["request"], "; ".join(i["diffs"])] for i in wrong]) + [""]
    if suite == "robustness":
        failed = [i for i in result["items"] if not i["passed"]]
        if failed:
            lines += [f"## Failed items ({len(failed)})", ""]
            lines += _table(["id", "category", "why"], [[i["id"], i["category"], "; ".join(i["reasons"])]
                                                        for i in failed]) + [""]
    if suite == "capability":
        lines += ["## Checks", ""] + _table(["check", "tools", "what", "seconds", "error"], [
            [n, ", ".join(c["tools"]), c["about"], c["seconds"], c["error"] or ""] for n, c in m["checks"].items()]) + [""]
    if m.get("gold_problems"):
        lines += ["## Gold items the validator rejects", ""]
        lines += _table(["id", "problems"], [[k, "; ".join(v)] for k, v in m["gold_problems"].items()]) + [""]
    lines += [f"## History ({suite})", ""] + _history_section(earlier, history_entry(result)) + [""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def history_entry(result: dict[str, Any]) -> dict[str, Any]:
    m = result["metrics"]
    n = m["overall"]["n"] if "overall" in m else len(m.get("rows", []))
    return {"suite": result["suite"], "date": result["date"], "planner": result.get("planner"),
            "llm_base_url": result.get("llm_base_url"), "llm_model": result.get("llm_model"),
            "commit": result.get("commit"), "dirty": result.get("dirty"), "machine": result["machine"],
            "out_dir": result.get("out_dir"), "options": result["options"], "n": n,
            "headline": headline(result["suite"], m)}


def write_outputs(result: dict[str, Any], out: Path, history_path: Path) -> dict[str, Path]:
    """result.json, the chart, report.md (with the earlier runs of this suite), then the history line."""
    out.mkdir(parents=True, exist_ok=True)
    result["out_dir"] = str(out)
    paths: dict[str, Path] = {}
    chart = None
    if result["metrics"].get("per_tool"):
        chart = tool_chart(result["metrics"]["per_tool"], out / CHART,
                           f"{result['suite']}: per-tool accuracy ({result.get('planner')} planner)")
        if chart:
            paths["chart"] = chart
    earlier = history.read(history_path, result["suite"])
    paths["json"] = out / "result.json"
    paths["json"].write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    paths["markdown"] = write_markdown(result, out, earlier, chart)
    history.append(history_path, history_entry(result))
    paths["history"] = history_path
    return paths
