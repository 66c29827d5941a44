"""The participants who had left (issue 28, part 3; ipseval.models.leavers): rates among
everyone ever enrolled, computed by hand from the 2013 report's published counts (Tabell 11's
totals of the 906 who answered Q16; Bilaga 1's 171 who had left: 11 to regular work, 8 to
wage-subsidised work, 4 to studies, the other 148 broke off), and the flow from the default
(calibrated) microdata, which must give the same numbers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ipseval.data.clean import CleanResult
from ipseval.models.leavers import ever_enrolled, flow

# Bilaga 1, "Avhoppade deltagare" (data/raw/published/text_figures.csv)
LEAVERS = {"ended_regular_work": 11, "ended_wage_subsidy": 8, "ended_studies": 4,
           "ended_dropout": 148}  # fmt: skip
# Tabell 11, Totalt antal: occupation of the 906 still enrolled
STOCK = {"regular_work": 36, "wage_subsidy_work": 75, "unpaid_work": 295, "studies": 81}

# by hand: (stock events + leavers of that outcome) / (906 + 171); upper: + the 148
HAND = {
    ("regular_work",): (Fraction(36, 906), Fraction(47, 1077), Fraction(195, 1077)),
    ("regular_work", "wage_subsidy_work"): (
        Fraction(111, 906), Fraction(130, 1077), Fraction(278, 1077)),
    ("regular_work", "wage_subsidy_work", "unpaid_work", "studies"): (
        Fraction(487, 906), Fraction(510, 1077), Fraction(658, 1077)),
}  # fmt: skip


@pytest.mark.parametrize("positive", list(HAND))
def test_ever_enrolled_rates_are_the_hand_computed_ones(positive: tuple[str, ...]) -> None:
    stock = sum(STOCK[c] for c in positive)
    got = ever_enrolled(stock, 906, LEAVERS, positive)
    stock_rate, low, high = HAND[positive]
    assert got["ever_enrolled"] == 1077
    assert got["stock_rate"] == pytest.approx(float(stock_rate), abs=1e-15)
    assert got["rate_low"] == pytest.approx(float(low), abs=1e-15)
    assert got["rate_high"] == pytest.approx(float(high), abs=1e-15)


def test_the_default_datas_flow_gives_the_published_counts(default_clean: CleanResult) -> None:
    table = flow(default_clean.participants, default_clean.programmes, "occupation_code")
    total = table[table["programme_id"] == "all"].iloc[0]
    assert total["left"] == 171 and total["ever_enrolled"] == 171 + 914
    for reason, n in LEAVERS.items():
        assert total[f"left_{reason}"] == n
    for code, n in STOCK.items():
        assert total[f"enrolled_{code}"] == n
    programmes = table[table["programme_id"] != "all"]
    assert len(programmes) == 32
    assert (programmes["ever_enrolled"] == programmes["left"] + programmes["still_enrolled"]).all()


def test_the_leavers_can_move_the_time_association_as_computed_by_hand() -> None:
    """Tabell 11: regular work 16 of 464 up to 6 months, 20 of 442 over 6 months; 11 left
    for regular work at an unknown time in the programme."""
    from ipseval.models.leavers import time_association_bounds

    got = time_association_bounds((16, 20), (464, 442), 11)
    assert got["stock"] == pytest.approx(float(Fraction(20 * 448, 422 * 16)), abs=1e-12)
    assert got["leavers_all_longer"] == pytest.approx(
        float(Fraction(31 * 448, 422 * 16)), abs=1e-12
    )
    assert got["leavers_all_shorter"] == pytest.approx(
        float(Fraction(20 * 448, 422 * 27)), abs=1e-12
    )
    # the stock's association (OR 1.33) could be anything from 0.79 to 2.06
    assert got["leavers_all_shorter"] < 1 < got["stock"] < got["leavers_all_longer"]
