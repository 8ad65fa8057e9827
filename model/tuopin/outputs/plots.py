"""Figures. Built on matplotlib's object API (no pyplot state), so they work in scripts, workers
and notebooks alike. Labels are bilingual when a CJK font is installed, English otherwise."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")


@cache
def cjk_font() -> str | None:
    """The first installed CJK font, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in installed), None)


def label(en: str, zh: str) -> str:
    return f"{en} {zh}" if cjk_font() else en


def plain(text: str) -> str:
    """``text`` as the installed fonts can draw it: CJK characters dropped when there is no CJK font."""
    if cjk_font():
        return text
    kept = "".join(ch for ch in text if not ("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"))
    return " ".join(kept.split()) or text.encode("ascii", "replace").decode()


def style():
    """rc settings for tuopin figures: the CJK font first when installed. The families are named
    explicitly, so texts created inside this context keep them wherever the figure is drawn later
    (a notebook's display, savefig)."""
    import matplotlib as mpl

    fonts = [cjk_font(), "DejaVu Sans"] if cjk_font() else ["DejaVu Sans"]
    return mpl.rc_context({"font.family": fonts, "axes.unicode_minus": False})


def _figure(ncols: int = 1, width: float = 6.4) -> Figure:
    return Figure(figsize=(width * ncols, 4.2), layout="constrained")


def _style(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")


def exits_vs_targets(annual: pd.DataFrame, title: str) -> Figure:
    """Left: exits per year (declared and true, median and 5-95 %) against the target.
    Right: registered poor people remaining at each year end."""
    with style():
        fig = _figure(ncols=2)
        ax1, ax2 = fig.subplots(1, 2)
        years = annual["year"].astype(int).to_numpy()
        if annual["target_exits"].notna().any():
            ax1.bar(years, annual["target_exits"].fillna(0), width=0.6, color="#d9d9d9", label=label("target", "目标"))
        for key, color, en, zh in (("exits_declared", "#1f5fa8", "declared exits", "申报脱贫"),
                                   ("exits_true", "#d9730d", "true exits", "真实脱贫")):
            ax1.fill_between(years, annual[f"{key}_p5"], annual[f"{key}_p95"], color=color, alpha=0.2, lw=0)
            ax1.plot(years, annual[f"{key}_p50"], "o-", color=color, lw=1.6, label=label(en, zh) + " (p50, 5-95 %)")
        ax1.set_xticks(years)
        _style(ax1, label("Exits against targets", "脱贫人数与目标"), label("people per year", "人/年"))
        ax1.legend(frameon=False, fontsize=8)
        mid, lo, hi = annual["poor_end_p50"], annual["poor_end_p5"], annual["poor_end_p95"]
        ax2.fill_between(years, lo, hi, color="#1f5fa8", alpha=0.2, lw=0, label="5-95 %")
        ax2.plot(years, mid, "o-", color="#1f5fa8", label=label("registered poor, median", "未脱贫人口 中位数"))
        ax2.plot(years, annual["truly_poor_p50"], "s--", color="#7f7f7f", ms=4,
                 label=label("below the line or a guarantee failing, median", "实际贫困 中位数"))
        ax2.set_xticks(years)
        ax2.set_ylim(bottom=0)
        _style(ax2, label("Poor remaining at year end", "年末贫困人口"), label("people", "人"))
        ax2.legend(frameon=False, fontsize=8, loc="upper right")
        fig.suptitle(plain(title), fontsize=12)
    return fig


def save(fig: Figure, folder: Path, stem: str) -> list[str]:
    """Write ``stem``.png and ``stem``.svg into ``folder``; return the file names. The SVG's element ids
    are salted with the file name, not drawn at random, so the same run writes the same bytes."""
    names = [f"{stem}.png", f"{stem}.svg"]
    with style():
        fig.savefig(folder / names[0], dpi=150)
        with matplotlib.rc_context({"svg.hashsalt": stem}):
            fig.savefig(folder / names[1], metadata={"Date": None})
    return names


CAUSE_LABELS = {"illness": ("illness", "因病"), "disability": ("disability", "因残"), "schooling": ("schooling", "因学"),
                "disaster": ("disaster", "因灾"), "lack_labour": ("lack of labour", "缺劳力"),
                "lack_funds": ("lack of funds", "缺资金"), "lack_skills": ("lack of skills", "缺技术"),
                "other": ("other", "其他")}


def relapse_survival(survival: pd.DataFrame, title: str) -> Figure:
    """Share of exits still out of poverty 12/24/36 months on, by main cause (left) and by exit
    cohort (right): medians with 5-95 % bands over replicates."""
    with style():
        fig = _figure(ncols=2)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, kind, names in ((axes[0], "cause", CAUSE_LABELS), (axes[1], "cohort", None)):
            sub = survival[survival["group_kind"] == kind]
            for name, g in sub.groupby("group", sort=False):
                x = [0] + g["months"].tolist()
                text = label(*names[name]) if names else str(name)
                line, = ax.plot(x, [1] + g["survival_p50"].tolist(), "o-", ms=3, label=text)
                ax.fill_between(x, [1] + g["survival_p5"].tolist(), [1] + g["survival_p95"].tolist(),
                                color=line.get_color(), alpha=0.15, lw=0)
            ax.set_xticks([0, 12, 24, 36])
            ax.set_xlabel(label("months after exit", "脱贫后月数"))
            ax.set_title(label("by main cause", "按致贫原因") if kind == "cause" else label("by exit year", "按脱贫年份"),
                         fontsize=11)
            ax.legend(frameon=False, fontsize=7, loc="lower left")
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
        axes[0].set_ylabel(label("still out of poverty", "未返贫比例"))
        axes[0].yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        fig.suptitle(plain(title) + " — " + label("relapse survival", "返贫生存曲线"), fontsize=12)
    return fig


def money(spend: pd.DataFrame, money_table: pd.DataFrame, title: str) -> Figure:
    """Left: spend by lever and year (medians, 万 yuan). Right: spend per sustained exit by lever."""
    with style():
        fig = _figure(ncols=2)
        ax1, ax2 = fig.subplots(1, 2)
        by = spend.groupby(["year", "lever"])["spend_yuan_p50"].sum().unstack(fill_value=0) / 1e4
        by = by.loc[:, by.sum() > 0]
        bottom = np.zeros(len(by))
        for lever in by.columns:
            ax1.bar(by.index, by[lever], bottom=bottom, width=0.6, label=lever)
            bottom += by[lever].to_numpy()
        ax1.set_xticks(by.index)
        ax1.set_ylim(0, 1.35 * bottom.max())  # room for the legend
        _style(ax1, label("Spend by lever", "各项支出"), label("万 yuan per year", "万元/年"))
        ax1.legend(frameon=False, fontsize=7, ncols=2)
        m = money_table[(money_table["lever"] != "all") & (money_table["spend_yuan_p50"] > 0)]
        m = m.sort_values("per_sustained_exit_yuan_p50")
        err = [m["per_sustained_exit_yuan_p50"] - m["per_sustained_exit_yuan_p5"],
               m["per_sustained_exit_yuan_p95"] - m["per_sustained_exit_yuan_p50"]]
        ax2.barh(m["lever"], m["per_sustained_exit_yuan_p50"], xerr=err, color="#1f5fa8", capsize=2)
        ax2.set_title(label("Spend per sustained exit", "每个稳定脱贫的支出"), fontsize=11)
        ax2.set_xlabel(label("yuan per person out of poverty 24 months on", "元/人"))
        ax2.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax2.spines[["top", "right"]].set_visible(False)
        fig.suptitle(plain(title), fontsize=12)
    return fig


def compare(totals: pd.DataFrame, title: str) -> Figure:
    """Scenarios side by side: true exits, relapses and spend over the run, each as the difference
    from the first scenario with its 5-95 % interval over paired replicates (``compare_totals``)."""
    from matplotlib.ticker import MaxNLocator

    with style():
        fig = _figure(ncols=3, width=4.6)
        axes = fig.subplots(1, 3, sharey=True)
        base = totals["baseline"].iloc[0]
        tot = totals.set_index("scenario")
        for ax, (col, en, zh) in zip(axes, (("exits_true", "true exits", "真实脱贫"), ("relapses", "relapses", "返贫"),
                                            ("spend_10k_yuan", "spend, 万 yuan", "支出 万元"))):
            mid, lo, hi = tot[f"{col}_diff_p50"], tot[f"{col}_diff_p5"], tot[f"{col}_diff_p95"]
            ax.barh(tot.index, mid, xerr=[mid - lo, hi - mid], color=np.where(mid >= 0, "#1f5fa8", "#d62728"), capsize=3)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_title(label(en, zh), fontsize=11)
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:+,.0f}")
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].invert_yaxis()
        fig.suptitle(plain(title) + " — " + label(f"difference from {base}, totals over the run", "与基准之差"), fontsize=12)
    return fig


SERIES_LABELS = {"poor_headcount_10k": ("Poor at year end", "年末贫困人口"),
                 "lifted_out_10k": ("Lifted out in the year", "当年脱贫人口")}


def calibration_fit(fit: pd.DataFrame, title: str, cutoff: int | None = None) -> Figure:
    """Observed series (points) against the calibrated model (median and 5-95 %, 万 people); with a
    backtest cut-off, the fitted years left of the dashed line and the scored forecast right of it."""
    with style():
        fig = _figure(ncols=2)
        for ax, (series, (en, zh)) in zip(fig.subplots(1, 2), SERIES_LABELS.items()):
            d = fit[fit["series"] == series].sort_values("year")
            years = d["year"].to_numpy()
            ax.fill_between(years, d["simulated_p5"], d["simulated_p95"], color="#1f5fa8", alpha=0.2, lw=0)
            ax.plot(years, d["simulated_p50"], "o-", color="#1f5fa8", ms=4, label=label("model (p50, 5-95 %)", "模型"))
            if "default_p50" in d:
                ax.plot(years, d["default_p50"], "s:", color="#7f7f7f", ms=3, label=label("before calibration", "校准前"))
            ax.plot(years, d["observed"], "o", color="black", ms=6, mfc="white", label=label("observed", "观测"))
            if cutoff is not None:
                ax.axvline(cutoff + 0.5, color="#d9730d", ls="--", lw=1)
                ax.text(cutoff + 0.6, ax.get_ylim()[1] * 0.95, label("forecast", "预测"), color="#d9730d", fontsize=8, va="top")
            ax.set_xticks(years)
            ax.set_ylim(bottom=0)
            _style(ax, label(en, zh), label("万 people", "万人"))
            ax.legend(frameon=False, fontsize=8)
        fig.suptitle(plain(title), fontsize=12)
    return fig
