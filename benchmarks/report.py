"""Turn ``benchmarks/results/*.json`` into SUMMARY.md, plots and the README's table.

    python benchmarks/report.py            # after benchmarks/run.py (which calls it)

Nothing here measures: every number printed is read from the results files, so
the README's table is generated, never typed. Only the text between the
README's ``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers is replaced.
"""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
DPI = 90


# ------------------------------------------------------------------ reading
def load(results_dir):
    """Every results file in ``results_dir``: CPU kinds first, then GPU, by name.

    JSON files of another shape (written by a lesson, say) are passed over.
    """
    files = sorted(
        Path(results_dir).glob("*.json"), key=lambda p: (p.name.startswith("gpu"), p.name)
    )
    runs = []
    for p in files:
        data = json.loads(p.read_text())
        if isinstance(data, dict) and "machine" in data and "benchmarks" in data:
            runs.append((p.stem, data))
    return runs


# --------------------------------------------------------------- formatting
def fmt(value, unit=""):
    if value is None:
        return "none"
    if unit == "sparsity":
        return f"{100 * value:.1f}%"
    if unit == "points":
        return f"{value:+.2f} pts"
    if abs(value) >= 100:
        return f"{value:.0f}{unit}"
    return f"{value:.2f}{unit}" if abs(value) < 10 else f"{value:.1f}{unit}"


def fmt_head(h):
    """``0.57x [0.55-0.59]``: median and interquartile range (or min-max when that is all)."""
    unit = h.get("unit", "")
    text = fmt(h["value"], unit)
    lo, hi = (h.get("q25"), h.get("q75"))
    if lo is None or hi is None:
        lo, hi = h.get("min"), h.get("max")
    if lo is not None and hi is not None and h["value"] is not None:
        text += f" [{fmt(lo, unit)}–{fmt(hi, unit)}]"
    return text


def fmt_goal(h):
    if h.get("goal") is None:
        return "–"
    return f"{'≤' if h['op'] == '<=' else '≥'} {fmt(h['goal'], h.get('unit', ''))}"


def verdict(h):
    return {True: "met", False: "**missed**", None: ""}[h.get("met")]


def machine_line(kind, data):
    m = data["machine"]
    what = m.get("gpu") or m.get("cpu")
    return f"`{kind}`: {what}, {m['date'][:10]}"


# ------------------------------------------------------------------ README
def headline_table(runs):
    """Markdown: one row per headline figure, one column per machine kind."""
    rows = {}
    for kind, data in runs:
        for name, entry in data["benchmarks"].items():
            if entry["status"] != "ok":
                key = (name, f"{entry['title']}")
                rows.setdefault(key, {"goal": entry.get("goal") or "–", "cells": {}})
                rows[key]["cells"].setdefault(kind, f"{entry['status']}: {entry.get('reason', '')}")
                continue
            for h in entry.get("headline", []):
                key = (name, h["label"])
                rows.setdefault(key, {"goal": fmt_goal(h), "cells": {}})
                rows[key]["cells"][kind] = f"{fmt_head(h)} {verdict(h)}".strip()
    kinds = [k for k, _ in runs]
    # A benchmark that ran somewhere needs no "not available" row from elsewhere.
    ran = {
        name
        for (name, label), r in rows.items()
        if any("available" not in c for c in r["cells"].values())
    }
    lines = [
        "| benchmark | measurement | goal | " + " | ".join(f"`{k}`" for k in kinds) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in kinds) + " |",
    ]
    for (name, label), r in rows.items():
        cells = [r["cells"].get(k, "–") for k in kinds]
        if name in ran and all(c.startswith("not available") or c == "–" for c in cells):
            continue
        lines.append(f"| {name} | {label} | {r['goal']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: How far a CPU figure carries to another machine; printed under every table.
MACHINES_DIFFER = (
    "CPU figures belong to the machine and the day in their column: a ratio of two "
    "libraries depends on the kernels each picks for the processor (OpenBLAS's core "
    "type for NumPy; MKL, oneDNN and ATen's CPU capability for torch) and on the host "
    "under a virtual machine. The four minprune / PyTorch rows that read 0.57x to "
    "0.62x in the AMD EPYC column measured 0.84x to 1.05x when re-measured on "
    "2026-12-04 on a machine of the same kind with the same versions, 0.80x to 1.00x "
    "there with both libraries forced onto their AVX2 kernels and 1.28x to 2.64x "
    "forced onto SSE kernels (the switches of `tests/variants.py`), and 0.86x to 1.20x "
    "on a 2-core Intel Xeon with AVX-512; the 64-256-256-10 matmul-bound figure moved "
    "from 0.65 to 0.72 (0.86 on SSE kernels, where the matrix products themselves are "
    "slower). Read a ratio as a measurement of one machine, not a law; `make bench` "
    "adds a column for yours."
)


def readme_section(runs):
    machines = "; ".join(machine_line(k, d) for k, d in runs)
    return (
        f"{headline_table(runs)}\n\n"
        f"Median over repeats, [interquartile range] or [min–max] as each row says. "
        f"Measured on {machines}. Details, plots and what each figure means: "
        f"[benchmarks/results/SUMMARY.md](benchmarks/results/SUMMARY.md).\n\n"
        f"{MACHINES_DIFFER}"
    )


def update_readme(readme, section):
    """Replace the text between the markers; return False (and change nothing) without them."""
    readme = Path(readme)
    if not readme.exists():
        return False
    text = readme.read_text()
    if START not in text or END not in text or text.index(START) > text.index(END):
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{section}\n{END}{tail}"
    if new != text:
        readme.write_text(new)
    return True


# -------------------------------------------------------------------- plots
def _fig(width=6.0, height=3.6):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    return plt, fig, ax


def _finish(plt, fig, ax, title, path, legend_size=7):
    """Title, legend, save at the report's resolution, and free the figure."""
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=legend_size)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def _err(stats):
    return [[stats["median"] - stats["q25"]], [stats["q75"] - stats["median"]]]


def plot_ratio_bars(entry, path, key, label, goal, title):
    plt, fig, ax = _fig()
    names, values, errs = [], [], [[], []]
    for r in entry["results"]:
        s = r[key] if key != "fraction_of_bound" else r[key]["step_momentum"]
        names.append(f"{r.get('task', 'train')}\n{'-'.join(map(str, r['sizes']))}")
        values.append(s["median"])
        e = _err(s)
        errs[0].append(e[0][0])
        errs[1].append(e[1][0])
    ax.bar(range(len(values)), values, yerr=errs, capsize=4, color="tab:blue")
    ax.axhline(goal, color="tab:red", ls="--", label=f"goal {goal}")
    ax.axhline(1.0, color="gray", lw=0.8)
    ax.set_xticks(range(len(values)), names, fontsize=8)
    ax.set_ylabel(label)
    _finish(plt, fig, ax, title, path, legend_size=8)


def plot_vs_torch(entry, path):
    plot_ratio_bars(
        entry,
        path,
        "ratio",
        "minprune time / PyTorch time",
        0.8,
        "minprune vs PyTorch, 1 CPU thread (lower is better)",
    )


def plot_matmul_bound(entry, path):
    plot_ratio_bars(
        entry,
        path,
        "fraction_of_bound",
        "bare-matmul time / step time",
        0.75,
        "Training step against its bare matmuls (higher is better)",
    )


def plot_neuron_removal(entry, path):
    plt, fig, ax = _fig()
    widths = sorted({r["width"] for r in entry["results"]})
    top = max(r["mac_ratio"] for r in entry["results"])
    ax.plot([1, top], [1, top], color="gray", lw=0.8, label="speedup = MAC ratio")
    ax.plot([1, top], [0.8, 0.8 * top], color="tab:red", ls="--", lw=0.8, label="goal: 0.8 of it")
    for w in widths:
        rs = [r for r in entry["results"] if r["width"] == w]
        x = [r["mac_ratio"] for r in rs]
        y = [r["speedup"]["median"] for r in rs]
        lo = [r["speedup"]["median"] - r["speedup"]["q25"] for r in rs]
        hi = [r["speedup"]["q75"] - r["speedup"]["median"] for r in rs]
        ax.errorbar(x, y, yerr=[lo, hi], marker="o", capsize=3, label=f"width {w} removed")
        ax.plot(x, [r["masked_speedup"]["median"] for r in rs], marker="x", ls=":", color="gray")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("multiply-add ratio (dense / shrunk)")
    ax.set_ylabel("measured speedup")
    _finish(plt, fig, ax, "Neuron removal (x: same neurons only masked)", path, legend_size=7)


def plot_weight_pruning(entry, path):
    plt, fig, ax = _fig()
    for res in entry["results"]:
        s = [r["sparsity"] for r in res["rows"]]
        line = ax.plot(
            s,
            [r["csr_speedup"]["median"] for r in res["rows"]],
            marker="o",
            label=f"CSR, n={res['n']}, batch {res['batch']}",
        )
        ax.plot(
            s,
            [r["masked_over_dense"]["median"] ** -1 for r in res["rows"]],
            ls=":",
            marker="x",
            color=line[0].get_color(),
        )
    ax.axhline(1.0, color="gray", lw=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("sparsity (fraction of zero weights)")
    ax.set_ylabel("speedup over dense X @ W")
    _finish(
        plt,
        fig,
        ax,
        "Weight pruning: CSR (o) and masked dense (x) against dense",
        path,
        legend_size=7,
    )


def plot_compression(entry, path):
    plt, fig, ax = _fig()
    curve = entry["curve"]
    x = [c["reduction"] for c in curve]
    ax.errorbar(
        x,
        [100 * c["test_accuracy"]["mean"] for c in curve],
        yerr=[100 * c["test_accuracy"]["std"] for c in curve],
        marker="o",
        capsize=3,
        label="pruned + retrained (mean ± std over seeds)",
    )
    dense = 100 * entry["dense"]["test_accuracy"]["mean"]
    ax.axhline(dense, color="gray", lw=0.8, label="dense mean")
    ax.axhline(dense - 0.5, color="tab:red", ls="--", lw=0.8, label="dense − 0.5 points")
    ax.set_xscale("log")
    ax.set_xlabel("nonzero-weight reduction (dense / pruned)")
    ax.set_ylabel("test accuracy (%)")
    _finish(
        plt, fig, ax, "Iterative magnitude pruning, 64-300-100-10 on digits", path, legend_size=7
    )


PLOTS = {
    "vs_torch": plot_vs_torch,
    "matmul_bound": plot_matmul_bound,
    "neuron_removal": plot_neuron_removal,
    "weight_pruning": plot_weight_pruning,
    "compression": plot_compression,
}


# ------------------------------------------------------------------ summary
def machine_table(data):
    m = data["machine"]
    blas = "; ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture'] or '-'}, {b['num_threads']} thread) in {b['file']}"
        for b in m["blas"]
        if b["user_api"] == "blas"
    )
    unset = m.get("blas_env_unset_by_runner")
    rows = [
        ("processor", f"{m['cpu']} ({m['cpu_count']} logical cores)"),
        ("GPU", m.get("gpu") or "none"),
        ("date (UTC)", m["date"]),
        ("commit", m.get("commit") or "?"),
        ("platform", f"{m['platform']}, Python {m['python']}"),
        ("versions", ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)),
        ("numpy/scipy BLAS", blas),
        ("torch", json.dumps(m.get("torch"))),
        ("thread variables", ", ".join(f"{k}={v}" for k, v in m["thread_env"].items())),
        (
            "OpenBLAS overrides",
            f"unset by the runner (were {unset})" if unset else json.dumps(m.get("blas_env")),
        ),
        ("load average at the end (1, 5, 15 min)", str(m.get("loadavg_1_5_15min"))),
    ]
    return "| | |\n| --- | --- |\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def entry_section(kind, name, entry, results_dir, plots):
    lines = [f"### {entry['title']} (`{name}`)", ""]
    if entry.get("goal"):
        lines.append(f"Goal: {entry['goal']}.")
    if entry["status"] != "ok":
        lines += ["", f"**{entry['status']}**: {entry.get('reason', '')}", ""]
        return lines
    module_doc = _doc(name)
    if module_doc:
        lines += ["", module_doc]
    lines += [
        "",
        f"Ran in {entry['seconds']:.0f} s, {entry['date']}. Configuration: `{json.dumps(entry.get('config', {}))}`.",
        "",
        "| measurement | median [spread] | goal | |",
        "| --- | --- | --- | --- |",
    ]
    for h in entry.get("headline", []):
        lines.append(f"| {h['label']} | {fmt_head(h)} | {fmt_goal(h)} | {verdict(h)} |")
    lines += [""] + _details(name, entry)
    if plots and name in PLOTS:
        png = Path(results_dir) / f"{kind}-{name}.png"
        try:
            PLOTS[name](entry, png)
            lines += ["", f"![{name}]({png.name})"]
        except (KeyError, ValueError, TypeError) as err:
            lines += ["", f"(plot failed: {err})"]
    lines.append("")
    return lines


def _doc(name):
    """The first paragraph after the title of the benchmark's module docstring."""
    try:
        sys.path.insert(0, str(ROOT))
        import importlib

        doc = importlib.import_module(f"benchmarks.bench_{name}").__doc__ or ""
    except ImportError:
        return ""
    parts = doc.strip().split("\n\n")
    return " ".join(" ".join(p.split()) for p in parts[1:2])


def _details(name, entry):
    """A table of every measured point, for the benchmarks that have many."""
    res = entry.get("results", [])
    if name == "neuron_removal":
        out = [
            "| width | removed | sizes | MAC ratio | speedup [IQR] | speedup / MAC ratio | masked speedup |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in res:
            s = r["speedup"]
            out.append(
                f"| {r['width']} | {r['fraction_removed']:.0%} | {'-'.join(map(str, r['sizes']))} | {r['mac_ratio']:.1f} | "
                f"{s['median']:.2f} [{s['q25']:.2f}–{s['q75']:.2f}] | {r['efficiency']['median']:.2f} | {r['masked_speedup']['median']:.2f} |"
            )
        return out
    if name == "weight_pruning":
        out = []
        for res_ in res:
            c = res_["crossover"]["median"]
            out += [
                f"n={res_['n']}, batch {res_['batch']}: CSR beats dense from {fmt(c, 'sparsity') if c is not None else 'never (up to the largest sparsity measured)'}.",
                "",
                "| sparsity | nonzeros | masked / dense time [IQR] | CSR speedup [IQR] |",
                "| --- | --- | --- | --- |",
            ]
            for r in res_["rows"]:
                m, s = r["masked_over_dense"], r["csr_speedup"]
                out.append(
                    f"| {r['sparsity']:.0%} | {r['nnz']} | {m['median']:.2f} [{m['q25']:.2f}–{m['q75']:.2f}] | {s['median']:.2f} [{s['q25']:.2f}–{s['q75']:.2f}] |"
                )
            out.append("")
        return out
    if name == "compression":
        out = [
            "| reduction | sparsity | test accuracy, mean ± std (min–max) over seeds | change from dense | val accuracy mean |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in entry.get("curve", []):
            a = c["test_accuracy"]
            out.append(
                f"| {c['reduction']:.1f}x | {c['sparsity']:.2%} | {100 * a['mean']:.2f} ± {100 * a['std']:.2f} ({100 * a['min']:.2f}–{100 * a['max']:.2f}) | "
                f"{100 * c['change']:+.2f} | {100 * c['val_accuracy']['mean']:.2f} |"
            )
        return out
    if name in ("vs_torch", "matmul_bound"):
        out = ["| network | task | median ms per call |", "| --- | --- | --- |"]
        for r in res:
            times = ", ".join(f"{k} {1e3 * v['median_s']:.3f}" for k, v in r["times"].items())
            out.append(
                f"| {'-'.join(map(str, r['sizes']))}, batch {r['batch']} | {r.get('task', 'train step')} | {times} |"
            )
        return out
    return []


def summary(runs, results_dir, plots=True):
    lines = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/report.py` from the JSON files beside it; do not edit.",
        "Every figure is a ratio of variants timed side by side in one run (interleaved, ",
        "warmed up, one thread), given as the median over repeats with its interquartile ",
        "range (or min–max where that is stated). See [../README.md](../README.md) for the method.",
        "",
        MACHINES_DIFFER,
        "",
    ]
    for kind, data in runs:
        lines += [f"## `{kind}`", "", machine_table(data), ""]
        for name, entry in data["benchmarks"].items():
            lines += entry_section(kind, name, entry, results_dir, plots)
    return "\n".join(lines) + "\n"


def main(results_dir=HERE / "results", readme=ROOT / "README.md", plots=True):
    """Write SUMMARY.md and plots into ``results_dir``; update ``readme``'s table if given."""
    runs = load(results_dir)
    if not runs:
        print(f"no results in {results_dir}")
        return
    path = Path(results_dir) / "SUMMARY.md"
    path.write_text(summary(runs, results_dir, plots))
    print(f"wrote {path}")
    if readme is not None:
        if update_readme(readme, readme_section(runs)):
            print(f"updated the table in {readme}")
        else:
            print(f"{readme} has no {START} ... {END} markers; left unchanged")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args()
    main(args.results, None if args.no_readme else args.readme, not args.no_plots)
