"""Figures. Built on matplotlib's object API (no pyplot state), so they work in scripts, workers
and notebooks alike. Labels are bilingual when a CJK font is installed, English otherwise; units
are always written in words (million yuan, million people), so a figure reads the same on a
machine without a CJK font, and :func:`save` drops any CJK character left (a scenario's region,
say) rather than draw an empty box."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
BETTER, WORSE, NEUTRAL = "#1a9850", "#d73027", "#7f7f7f"
MILLION = 1e6


@cache
def cjk_font() -> str | None:
    """The first installed CJK font, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in installed), None)


def label(en: str, zh: str) -> str:
    return f"{en} {zh}" if cjk_font() else en


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def plain(text: str) -> str:
    """``text`` as the installed fonts can draw it: without a CJK font, the units 亿 and 万 become
    words and other CJK characters are dropped."""
    if cjk_font() or not any(_cjk(ch) for ch in text):
        return text
    text = text.replace("亿", " × 100 million ").replace("万", " × 10,000 ")
    kept = "".join(ch for ch in text if not _cjk(ch))
    return " ".join(kept.split()) or text.encode("ascii", "replace").decode()


def style():
    """rc settings for tuopin figures: the CJK font first when installed. The families are named
    explicitly, so texts created inside this context keep them wherever the figure is drawn later
    (a notebook's display, savefig)."""
    import matplotlib as mpl

    fonts = [cjk_font(), "DejaVu Sans"] if cjk_font() else ["DejaVu Sans"]
    return mpl.rc_context({"font.family": fonts, "axes.unicode_minus": False})


def drawable(fig: Figure) -> Figure:
    """Every text of ``fig`` (titles, labels, legends, tick labels) made drawable with the installed
    fonts (:func:`plain`): never a missing glyph, whoever built the figure."""
    if not cjk_font():
        for t in fig.findobj(Text):
            if any(_cjk(ch) for ch in t.get_text()):
                t.set_text(plain(t.get_text()))
    return fig


def yuan_unit(largest: float) -> tuple[float, tuple[str, str]]:
    """The unit to show yuan amounts up to ``largest`` in: million yuan, or billion from 100 billion."""
    return (1e9, ("billion yuan", "十亿元")) if abs(largest) >= 1e11 else (MILLION, ("million yuan", "百万元"))


def _figure(ncols: int = 1, width: float = 6.4) -> Figure:
    return Figure(figsize=(width * ncols, 4.2), layout="constrained")


def _style(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")


def _band_label(lo, hi, unit: str = "people") -> str:
    """What the 5-95 % band shows, with its widest half-width (a band thinner than the line is said)."""
    half = float(np.nanmax(np.asarray(hi, float) - np.asarray(lo, float))) / 2 if len(lo) else 0.0
    return f"5-95 % over replicates (at most ±{half:,.0f} {unit})"


def _legend(ax, **kw) -> None:
    """The axes' legend with the notes (labels without a drawn handle, "bars: …") last."""
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i].startswith("bars:"))
    ax.legend([handles[i] for i in order], [labels[i] for i in order], frameon=False, fontsize=8, **kw)


def exits_vs_targets(annual: pd.DataFrame, title: str, start: int | None = None) -> Figure:
    """Left: exits per year (declared and true, median and 5-95 %) against the target.
    Right: registered poor people remaining at each year end, from ``start`` (the registered
    people at the start) when given."""
    with style():
        fig = _figure(ncols=2)
        ax1, ax2 = fig.subplots(1, 2)
        years = annual["year"].astype(int).to_numpy()
        if annual["target_exits"].notna().any():
            ax1.bar(years, annual["target_exits"].fillna(0), width=0.6, color="#d9d9d9", label=label("target", "目标"))
        for key, color, en, zh in (("exits_declared", "#1f5fa8", "declared exits", "申报脱贫"),
                                   ("exits_true", "#d9730d", "true exits", "真实脱贫")):
            lo, mid, hi = annual[f"{key}_p5"], annual[f"{key}_p50"], annual[f"{key}_p95"]
            ax1.errorbar(years, mid, yerr=[mid - lo, hi - mid], fmt="o-", color=color, lw=1.6, capsize=4,
                         label=label(en, zh) + ", median")
        ax1.plot([], [], " ", label="bars: " + _band_label(
            pd.concat([annual["exits_declared_p5"], annual["exits_true_p5"]]),
            pd.concat([annual["exits_declared_p95"], annual["exits_true_p95"]])))
        ax1.set_xticks(years)
        ax1.set_ylim(0, 1.3 * max(annual["target_exits"].max(skipna=True) if annual["target_exits"].notna().any() else 0,
                                  annual["exits_declared_p95"].max()))
        _style(ax1, label("Exits against targets", "脱贫人数与目标"), label("people per year", "人/年"))
        _legend(ax1)
        x = years.astype(float)
        mid, lo, hi = annual["poor_end_p50"].to_numpy(float), annual["poor_end_p5"].to_numpy(float), annual["poor_end_p95"].to_numpy(float)
        truly = annual["truly_poor_p50"].to_numpy(float)
        if start is not None:
            x, mid, lo, hi = np.r_[years[0] - 1, x], np.r_[start, mid], np.r_[start, lo], np.r_[start, hi]
        ax2.fill_between(x, lo, hi, color="#1f5fa8", alpha=0.25, lw=0)
        ax2.errorbar(x, mid, yerr=[mid - lo, hi - mid], fmt="o-", color="#1f5fa8", capsize=4,
                     label=label("registered poor, median", "未脱贫人口 中位数"))
        ax2.plot(years, truly, "s--", color="#7f7f7f", ms=4,
                 label=label("below the line or a guarantee failing, median", "实际贫困 中位数"))
        ax2.plot([], [], " ", label="bars: " + _band_label(lo, hi))
        if start is not None:
            ax2.annotate(f"registered at the start: {start:,}", (x[0], start), xytext=(10, 2), textcoords="offset points",
                         fontsize=8, va="bottom")
        ax2.set_xticks(x, [f"start\n{years[0]}" if start is not None and i == 0 else str(int(v)) for i, v in enumerate(x)])
        ax2.set_ylim(0, 1.15 * np.nanmax(np.r_[hi, truly]))
        _style(ax2, label("Poor remaining at year end", "年末贫困人口"), label("people", "人"))
        _legend(ax2, loc="lower left")
        fig.suptitle(plain(title), fontsize=12)
    return fig


def save(fig: Figure, folder: Path, stem: str) -> list[str]:
    """Write ``stem``.png and ``stem``.svg into ``folder``; return the file names. The SVG's element ids
    are salted with the file name, not drawn at random, so the same run writes the same bytes."""
    names = [f"{stem}.png", f"{stem}.svg"]
    with style():
        drawable(fig)
        fig.savefig(folder / names[0], dpi=150)
        with matplotlib.rc_context({"svg.hashsalt": stem}):
            fig.savefig(folder / names[1], metadata={"Date": None})
    return names


CAUSE_LABELS = {"illness": ("illness", "因病"), "disability": ("disability", "因残"), "schooling": ("schooling", "因学"),
                "disaster": ("disaster", "因灾"), "lack_labour": ("lack of labour", "缺劳力"),
                "lack_funds": ("lack of funds", "缺资金"), "lack_skills": ("lack of skills", "缺技术"),
                "other": ("other", "其他")}


def _break_marks(ax, floor: float) -> None:
    """Mark a y axis that does not start at 0: two slanted strokes across its foot."""
    kw = dict(transform=ax.transAxes, color="black", clip_on=False, lw=1)
    for dy in (0.0, 0.025):
        ax.plot([-0.015, 0.015], [0.01 + dy, 0.035 + dy], **kw)
    ax.text(0.01, 0.07, f"axis starts at {floor:.0%}", transform=ax.transAxes, fontsize=7, color="#555555")


def relapse_survival(survival: pd.DataFrame, title: str) -> Figure:
    """Share of exits not recorded as relapsed after each annual assessment (the true-status survival is in the
    table beside it), by main cause (left) and by exit cohort (right): Kaplan-Meier step curves (medians over replicates, 5-95 % shaded), each
    group's exited households in the legend. The y axis starts below the lowest band, with the
    break marked."""
    with style():
        fig = _figure(ncols=2)
        axes = fig.subplots(1, 2, sharey=True)
        low = float(survival["survival_p5"].min()) if len(survival) else 0.0
        floor = max(0.0, np.floor(low * 10 - 0.5) / 10)
        for ax, kind, names in ((axes[0], "cause", CAUSE_LABELS), (axes[1], "cohort", None)):
            sub = survival[survival["group_kind"] == kind]
            for name, g in sub.groupby("group", sort=False):
                x = [0] + g["months"].tolist()
                text = label(*names[name]) if names else str(name)
                n = g["exits_p50"].iloc[0] if "exits_p50" in g else np.nan
                text += f" (n={n:,.0f})" if pd.notna(n) else ""
                line, = ax.step(x, [1] + g["survival_p50"].tolist(), where="post", lw=1.5, label=text)
                ax.fill_between(x, [1] + g["survival_p5"].tolist(), [1] + g["survival_p95"].tolist(), step="post",
                                color=line.get_color(), alpha=0.2, lw=0)
            ax.set_xticks([0, 12, 24, 36])
            ax.set_xlim(0, 38)
            ax.set_xlabel(label("months after exit (assessed once a year)", "脱贫后月数"))
            ax.set_title(label("by main cause", "按致贫原因") if kind == "cause" else label("by exit year", "按脱贫年份"),
                         fontsize=11)
            ax.legend(frameon=False, fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 0.08),
                      title="n = exited households; shaded: 5-95 %", title_fontsize=7)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
        axes[0].set_ylim(floor, 1.005)
        if floor > 0:
            _break_marks(axes[0], floor)
        axes[0].set_ylabel(label("share not recorded as relapsed", "未登记返贫比例"))
        axes[0].yaxis.set_major_formatter(lambda v, _: f"{v:.1%}".replace(".0%", "%"))  # 97.5 %, not 98 %
        fig.suptitle(plain(title) + " — " + label("relapse survival (Kaplan-Meier)", "返贫生存曲线"), fontsize=12)
    return fig


def money(spend: pd.DataFrame, money_table: pd.DataFrame, title: str, levers: list[str] | None = None,
          lever_table: pd.DataFrame | None = None) -> Figure:
    """Left: spend by lever and year (medians, million yuan). Right: with ``lever_table`` (paired
    runs, :mod:`tuopin.analysis.levers`), yuan per additional sustained exit by lever; without it,
    spend over the run by lever (5-95 %), since dividing a lever's share of joint spend by all exits
    says nothing about what the lever buys. Every lever in ``levers`` (default: those in the table)
    is named; one that spent nothing says so in the legend rather than vanish."""
    with style():
        fig = _figure(ncols=2)
        ax1, ax2 = fig.subplots(1, 2)
        by = spend.groupby(["year", "lever"])["spend_yuan_p50"].sum().unstack(fill_value=0)
        unit, (en_unit, zh_unit) = yuan_unit(by.sum(axis=1).max() if len(by) else 0)
        by = by / unit
        levers = sorted(set(levers or []) | set(by.columns))
        by = by.reindex(columns=levers, fill_value=0)
        bottom = np.zeros(len(by))
        colors = matplotlib.colormaps["tab20"].colors
        for i, lever in enumerate(by.columns):
            spent = by[lever].sum() > 0
            ax1.bar(by.index, by[lever], bottom=bottom, width=0.6, color=colors[(2 * i) % 20 + (2 * i) // 20 % 2],
                    label=lever if spent else f"{lever} (no spend)")
            bottom += by[lever].to_numpy()
        ax1.set_xticks(by.index)
        ax1.set_ylim(0, 1.45 * max(bottom.max(), 1e-9))  # room for the legend
        _style(ax1, label("Spend by lever (median)", "各项支出"), label(f"{en_unit} per year", f"{zh_unit}/年"))
        ax1.legend(frameon=False, fontsize=7, ncols=3)
        if lever_table is not None and len(lever_table):
            _cost_per_exit(ax2, lever_table[lever_table["lever"].isin(levers)])
        else:
            m = money_table[money_table["lever"] != "all"].set_index("lever").reindex(levers)
            m = m.fillna({"spend_yuan_p50": 0, "spend_yuan_p5": 0, "spend_yuan_p95": 0}).sort_values("spend_yuan_p50")
            total_unit, (total_name, _) = yuan_unit(m["spend_yuan_p95"].max())
            mid = m["spend_yuan_p50"] / total_unit
            y = np.arange(len(m))
            ax2.barh(y, mid, xerr=[mid - m["spend_yuan_p5"] / total_unit, m["spend_yuan_p95"] / total_unit - mid],
                     color=NEUTRAL, capsize=2)
            ax2.set_yticks(y, [lv if m.loc[lv, "spend_yuan_p50"] > 0 else f"{lv} (no spend)" for lv in m.index])
            ax2.set_title(label("Spend over the run (median, 5-95 %)", "各项总支出"), fontsize=11)
            ax2.set_xlabel(label(total_name, "") + "\n(what each lever buys: tuopin levers, or tuopin run --levers)",
                           fontsize=8)
            ax2.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
            ax2.spines[["top", "right"]].set_visible(False)
        fig.suptitle(plain(title), fontsize=12)
    return fig


def _cost_per_exit(ax, t: pd.DataFrame, sort: bool = True) -> None:
    """Yuan per additional truly sustained exit by lever (median, 5-95 % over paired replicates),
    cheapest on top when ``sort``; a lever without a ratio is listed with the reason at 0."""
    if sort:
        t = t.sort_values("yuan_per_sustained_exit_p50", ascending=False, na_position="first")
    mid = t["yuan_per_sustained_exit_p50"].fillna(0).to_numpy(float)
    lo, hi = t["yuan_per_sustained_exit_p5"].fillna(0).to_numpy(float), t["yuan_per_sustained_exit_p95"].fillna(0).to_numpy(float)
    y = np.arange(len(t))
    ax.barh(y, mid, xerr=[mid - lo, hi - mid], color="#1f5fa8", capsize=2)
    names = [_lever_name(*x) for x in zip(t["lever"], t["yuan_per_sustained_exit_p50"], t["note"].fillna(""))]
    ax.set_yticks(y, names, fontsize=8)
    ax.set_title(label("Spend per additional sustained exit\n(lever on minus off, median, 5-95 %)", "边际成本"), fontsize=10)
    ax.set_xlabel(label("yuan per person truly out of poverty at the end", "元/人"), fontsize=8)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.spines[["top", "right"]].set_visible(False)


def _lever_name(lever: str, value: float, note: str) -> str:
    """A row's axis label: the lever (因户施策 by its switch), with the reason when it has no ratio."""
    name = "precise targeting (by_cause)" if lever == "targeting.by_cause" else lever
    return name if pd.notna(value) else f"{name}: {_short(note)}"


def _short(note: str) -> str:
    """A lever note in a few words for an axis label."""
    for key, words in (("no effect and no spend", "not used"), ("precision", "no cost ratio"), ("changes nothing", "no change"),
                       ("not distinct from 0", "gain not distinct from 0"), ("buys no", "no gain")):
        if key in note:
            return words
    return "no ratio"


def lever_effects(table: pd.DataFrame, title: str) -> Figure:
    """What each lever buys, from paired runs with it switched off (``tuopin levers``): truly
    sustained exits added (people), spend added (million yuan) and yuan per additional sustained
    exit, each the median with its 5-95 % interval over paired replicates. The 因户施策 row
    (targeting.by_cause) shows what precise targeting adds with the same measures and money."""
    from matplotlib.ticker import MaxNLocator

    t = table.iloc[::-1]
    y = np.arange(len(t))
    with style():
        fig = Figure(figsize=(13, max(3.4, 1.6 + 0.38 * len(t))), layout="constrained")
        axes = fig.subplots(1, 3, sharey=True)
        for ax, (col, en, zh, scale, unit) in zip(axes[:2], (
                ("exits_sustained_true_added", "truly sustained exits added", "稳定脱贫", 1.0, "people"),
                ("spend_yuan_added", "spend added", "支出", MILLION, "million yuan"))):
            mid, lo, hi = (t[f"{col}_{q}"].to_numpy(float) / scale for q in ("p50", "p5", "p95"))
            colors = NEUTRAL if col.startswith("spend") else np.where(mid > 0, BETTER, np.where(mid < 0, WORSE, NEUTRAL))
            ax.barh(y, mid, xerr=[mid - lo, hi - mid], color=colors, capsize=3)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_title(label(en, zh) + f"\n({unit}, over the run)", fontsize=10)
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:+,.0f}" if v else "0")
            ax.xaxis.set_major_locator(MaxNLocator(5))
        _cost_per_exit(axes[2], t, sort=False)
        axes[2].tick_params(labelleft=False)
        axes[0].set_yticks(y, [_lever_name(*x) for x in zip(t["lever"], t["yuan_per_sustained_exit_p50"],
                                                            t["note"].fillna(""))], fontsize=8)
        for ax in axes:
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x", alpha=0.3)
        fig.suptitle(plain(title) + " — " + "what each lever buys: the scenario minus the scenario with the lever "
                     "switched off (paired replicates, bars 5-95 %)", fontsize=11)
    return fig


# what each compared total is, and whether more of it is better (None: neither, e.g. spend)
COMPARE_PANELS = (("poor_end", "poor remaining at the end", "期末贫困人口", False, 1.0, "people"),
                  ("exits_true", "true exits", "真实脱贫", True, 1.0, "people"),
                  ("relapses", "relapses", "返贫", False, 1.0, "people"),
                  ("spend_10k_yuan", "spend", "支出", None, 100.0, "million yuan"))


def compare(totals: pd.DataFrame, title: str, names: dict[str, str] | None = None) -> Figure:
    """Scenarios side by side: poor remaining at the end, true exits, relapses and spend over the
    run, each as the difference from the first scenario with its 5-95 % interval over paired
    replicates (``compare_totals``). Bars are green when the change is better, red when worse,
    grey for spend (more is neither); scenarios are labelled by ``names`` (run key → the
    scenario's name)."""
    from matplotlib.ticker import MaxNLocator

    names = names or {}
    with style():
        fig = _figure(ncols=4, width=3.9)
        fig.set_figheight(max(3.2, 1.9 + 0.45 * len(totals)))
        axes = fig.subplots(1, 4, sharey=True)
        base = totals["baseline"].iloc[0]
        tot = totals.set_index("scenario")
        y = np.arange(len(tot))
        for ax, (col, en, zh, more_better, unit, unit_name) in zip(axes, COMPARE_PANELS):
            if f"{col}_diff_p50" not in tot:
                ax.set_visible(False)
                continue
            mid, lo, hi = (tot[f"{col}_diff_{q}"].to_numpy(float) / unit for q in ("p50", "p5", "p95"))
            if more_better is None:
                colors = [NEUTRAL] * len(mid)
            else:
                better = mid > 0 if more_better else mid < 0
                colors = np.where(mid == 0, NEUTRAL, np.where(better, BETTER, WORSE))
            ax.barh(y, mid, xerr=[mid - lo, hi - mid], color=colors, capsize=3)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_title(label(en, zh) + f"\n({unit_name})", fontsize=10)
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:+,.1f}".removesuffix(".0") if v else "0")
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].set_yticks(y, [plain(names.get(s, s)) for s in tot.index])
        axes[0].invert_yaxis()
        from matplotlib.patches import Patch

        fig.legend(handles=[Patch(color=BETTER, label="better"), Patch(color=WORSE, label="worse"),
                            Patch(color=NEUTRAL, label="spend (neither) or no change")],
                   loc="outside lower center", ncols=3, frameon=False, fontsize=8)
        fig.suptitle(plain(title) + " — " + plain(f"difference from {names.get(base, base)}, over the run "
                                                  "(median, bars 5-95 % over paired replicates)"), fontsize=11)
    return fig


SERIES_LABELS = {"poor_headcount_10k": ("Poor at year end", "年末贫困人口"),
                 "lifted_out_10k": ("Lifted out in the year", "当年脱贫人口")}


def calibration_fit(fit: pd.DataFrame, title: str, cutoff: int | None = None) -> Figure:
    """Observed series (points) against the calibrated model (median and 5-95 %, million people);
    with a backtest cut-off, the fitted years left of the dashed line and the scored forecast right
    of it. The tables hold the series in 万 (10,000) people, as the statistics are published."""
    with style():
        fig = _figure(ncols=2)
        for ax, (series, (en, zh)) in zip(fig.subplots(1, 2), SERIES_LABELS.items()):
            d = fit[fit["series"] == series].sort_values("year")
            years = d["year"].to_numpy()
            to_m = 1e4 / MILLION
            if "observation_p5" in d:
                ax.fill_between(years, d["observation_p5"] * to_m, d["observation_p95"] * to_m, color="#1f5fa8",
                                alpha=0.08, lw=0, label=label("5-95 % of an observation", "观测值区间"))
            ax.fill_between(years, d["simulated_p5"] * to_m, d["simulated_p95"] * to_m, color="#1f5fa8", alpha=0.2, lw=0)
            ax.plot(years, d["simulated_p50"] * to_m, "o-", color="#1f5fa8", ms=4,
                    label=label("model, median", "模型") + "; shaded: 5-95 %")
            if "default_p50" in d:
                ax.plot(years, d["default_p50"] * to_m, "s:", color="#7f7f7f", ms=3, label=label("before calibration", "校准前"))
            ax.plot(years, d["observed"] * to_m, "o", color="black", ms=6, mfc="white", label=label("observed", "观测"))
            if cutoff is not None:
                ax.axvline(cutoff + 0.5, color="#d9730d", ls="--", lw=1)
                ax.text(cutoff + 0.6, ax.get_ylim()[1] * 0.95, label("forecast", "预测"), color="#d9730d", fontsize=8, va="top")
            ax.set_xticks(years)
            ax.set_ylim(bottom=0)
            _style(ax, label(en, zh), label("million people", "百万人"))
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.1f}".removesuffix(".0"))
            ax.legend(frameon=False, fontsize=8)
        fig.suptitle(plain(title), fontsize=12)
    return fig
