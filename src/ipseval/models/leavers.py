"""The participants who had left (issue 28, part 3, a first step): the coach forms describe
only those still enrolled in the survey month (a stock); the programme survey counts those
who had left, by reason (2013: Q19a-c left for regular work, wage-subsidised work, studies;
Q20a broke off). An outcome's rate among everyone ever enrolled adds the leavers whose reason
is that outcome; the leavers whose status is not known (those who broke off) give bounds:
none of them in the outcome (the lower bound) or all of them (the upper).

`LEAVER_CODES` maps the programme survey's counts to the occupation code a reason is (None:
not known), so that an outcome's `positive` codes say which leavers it counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

# programme-survey count -> the occupation code (config `outcomes.*.positive`) it is, or None
LEAVER_CODES: dict[str, str | None] = {
    "ended_regular_work": "regular_work",
    "ended_wage_subsidy": "wage_subsidy_work",
    "ended_studies": "studies",
    "ended_dropout": None,
}


def ever_enrolled(
    stock_events: int,
    stock_answered: int,
    leavers: Mapping[str, int],
    positive: Iterable[str],
    codes: Mapping[str, str | None] = LEAVER_CODES,
) -> dict[str, float]:
    """An outcome among everyone ever enrolled: the stock's events and answers plus the
    leavers (count per reason); leavers of a reason whose code is in `positive` are events;
    those of a reason with no code (status not known) bound the rate. Returns the stock
    rate, the ever-enrolled denominator, and the rate's lower and upper bounds (equal where
    every leaver's status is known)."""
    positive = set(positive)
    known = sum(n for r, n in leavers.items() if codes.get(r) in positive)
    unknown = sum(n for r, n in leavers.items() if codes.get(r) is None)
    total = stock_answered + sum(leavers.values())
    return {
        "stock_events": stock_events,
        "stock_answered": stock_answered,
        "stock_rate": stock_events / stock_answered if stock_answered else float("nan"),
        "leavers": sum(leavers.values()),
        "leaver_events": known,
        "leavers_status_unknown": unknown,
        "ever_enrolled": total,
        "rate_low": (stock_events + known) / total if total else float("nan"),
        "rate_high": (stock_events + known + unknown) / total if total else float("nan"),
    }


def flow(participants: pd.DataFrame, programmes: pd.DataFrame, occupation: str) -> pd.DataFrame:
    """The outcome flow per programme and overall: ever enrolled = left (by reason) + still
    enrolled (by occupation code, column `occupation` of the participants; no answer
    counted as such). One row per programme (`programme_id`) and a last row `all`."""
    reasons = [r for r in LEAVER_CODES if r in programmes.columns]
    left = programmes.set_index("programme_id")[reasons].fillna(0).astype(int)
    still = (
        participants.assign(_code=participants[occupation].fillna("no_answer"))
        .groupby(["programme_id", "_code"])
        .size()
        .unstack(fill_value=0)
        .add_prefix("enrolled_")
    )
    out = left.add_prefix("left_").join(still, how="outer").fillna(0).astype(int)
    out.insert(0, "left", out[[f"left_{r}" for r in reasons]].sum(axis=1))
    enrolled = [c for c in out.columns if c.startswith("enrolled_")]
    out.insert(1, "still_enrolled", out[enrolled].sum(axis=1))
    out.insert(0, "ever_enrolled", out["left"] + out["still_enrolled"])
    out.loc["all"] = out.sum()
    return out.rename_axis("programme_id").reset_index()


def time_association_bounds(
    events: tuple[int, int], answered: tuple[int, int], leaver_events: int
) -> dict[str, float]:
    """How far the leavers could move the crude odds ratio of an outcome for the longer
    against the shorter time in the programme (`events` and `answered` of the stock: shorter,
    longer): the stock's, and with every leaver in the outcome added to the longer or to the
    shorter group (their time in the programme is not known). A stock over-represents long
    stayers and lacks those who left for work, so the stock's odds ratio is one point of this
    range, not an estimate free of that bias."""

    def odds_ratio(e: tuple[float, float], n: tuple[float, float]) -> float:
        (e0, e1), (n0, n1) = e, n
        return (e1 / (n1 - e1)) / (e0 / (n0 - e0))

    k = leaver_events
    return {
        "stock": odds_ratio(events, answered),
        "leavers_all_longer": odds_ratio(
            (events[0], events[1] + k), (answered[0], answered[1] + k)
        ),
        "leavers_all_shorter": odds_ratio(
            (events[0] + k, events[1]), (answered[0] + k, answered[1])
        ),
    }
