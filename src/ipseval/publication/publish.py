"""The counts the report publishes, built from the microdata and registered with the
disclosure step (`publication.disclosure`): participant tables, outcome counts and rates, missing
values, and each model's sample; then protected and written as the report's CSVs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ipseval.data.derive import NO_ANSWER, OCCUPATION_ROWS
from ipseval.models.design import Predictor, sample_mask
from ipseval.publication import disclosure as dc

ANSWERED = "answered"  # column label of the participants with an answer on the outcome

# Every file of a run's public/ tier, and how what it shows was made safe to publish. A file
# that is not listed here cannot be written by `write` (tests/test_disclosure.py enumerates
# the folder against it).
REGISTRY = {
    "participant_tables.csv": "disclosure step: participant tables (counts)",
    "outcome_rates.csv": "disclosure step: outcome counts by group; a rate only where both "
    "of its counts are shown",
    "model_samples.csv": "disclosure step: each model's sample; complete cases rounded to 5",
    "disclosure.csv": "the audit's summary: each table's cells by status; no hidden value",
    "headline.csv": "the source's published headline percentages beside their reproduction "
    "(a reproduced value only where the source's own figures determine it)",
    "reproduction.csv": "every published cell beside its reproduction; a reproduced value only "
    "where it matches the publication or follows from its documented inconsistencies",
    "cleaning.csv": "disclosure step: rows read, kept and excluded per file (a file's rows "
    "read only where its excluded rows are shown)",
    "excluded_reasons.csv": "disclosure step: excluded rows by reason and file",
    "findings.csv": "odds ratios of the fitted models: estimates, not counts",
    "estimates.csv": "odds ratios of every specification: estimates, not counts",
    "variation.csv": "programme variation (random intercept) and true coefficients covered: "
    "estimates and numbers of model terms, not counts of participants",
    "models.png": "drawn from estimates.csv: odds ratios, not counts",
    "participants.png": "drawn from participant_tables.csv; hidden categories named, not drawn",
    "outcomes.png": "drawn from outcome_rates.csv; a rate only where both counts are shown",
    "context.png": "overall rates from outcome_rates.csv beside published literature",
    "programme_comparison.csv": "disclosure step: participants analysed and observed counts "
    "per programme; the expected count, ratio, tails and position only where both are shown",
    "programme_effects.csv": "random-intercept programme effects (estimates), only for the "
    "programmes whose counts are shown",
    "programme_variation.csv": "between-programme SD, ICC and median odds ratio before and after "
    "the case mix: estimates, not counts",
    "practice.csv": "odds ratios of the practice items and their minimum detectable odds ratio: "
    "estimates and simulated power, not counts",
    "leavers.csv": "disclosure step: per outcome the leavers it counts, and the rate among "
    "everyone ever enrolled only where every count it uses is shown",
    "leaver_reasons.csv": "disclosure step: the participants who had left by reason (programme "
    "survey counts)",
    "time_check.csv": "odds ratios of time in the programme in the length-bias check: estimates, "
    "not counts",
    "funnel.png": "drawn from programme_comparison.csv: only the programmes whose counts are shown",
    "caterpillar.png": "drawn from programme_effects.csv",
    "index.html": "the report page: its counts come from the files above",
    "report.pdf": "the report page printed (make pdf)",
    "tables.xlsx": "the CSVs above as one workbook (make excel)",
    "datapackage.json": "the public tier's data package: the CSVs above, their schemas",
    "config.yaml": "the configuration as run",
    "SHA256SUMS": "the SHA-256 of every file above",
}


def outcome_group(participants: pd.DataFrame, params: Mapping[str, Any]) -> str | None:
    """The column the outcome rates are split by (report.outcome_groups), or None where the
    run has none or where it has no value in the run's sample (a split into empty groups
    would print 0 / 0)."""
    column = params.get("outcome_groups")
    if not column or column not in participants:
        return None
    values = participants.loc[sample_mask(participants, params.get("restrict") or {}), column]
    return column if (values.notna() & (values != NO_ANSWER)).any() else None


def write(frame: pd.DataFrame, path: str | Path) -> None:
    """Write one of the report's tables; only a file of the REGISTRY can be written."""
    from ipseval.common.io import write_csv

    if Path(path).name not in REGISTRY:
        raise KeyError(
            f"{Path(path).name} is not registered with the disclosure step "
            "(ipseval.publication.publish.REGISTRY): say how what it shows is made safe to publish"
        )
    write_csv(frame, path)


def prepared(
    participants: pd.DataFrame,
    variables: Sequence[str],
    outcome_variables: Sequence[str],
    group: str | None,
    predictors: Mapping[str, Mapping[str, Any]],
    specifications: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """The participants as the attacker's variables: each shown variable as text (missing:
    the no-answer label), each outcome's coded variable, the group; and, in a namespace of
    their own, the model samples: each outcome variable again (sample:<variable>) and per
    specification a flag of complete cases (cc:<spec>)."""
    out = pd.DataFrame(index=participants.index)
    for v in {*variables, *outcome_variables, *([group] if group else [])}:
        out[v] = participants[v].astype(object).where(participants[v].notna(), NO_ANSWER)
        out[v] = out[v].astype(str)
    for spec, names in specifications.items():
        complete = np.ones(len(participants), dtype=bool)
        for name in names:
            p = Predictor.from_config(name, predictors[name])
            complete &= p.code(participants[p.column]).notna().to_numpy()
        out[f"cc:{spec}"] = np.where(complete, "1", "0")
    for v in outcome_variables:
        out[f"sample:{v}"] = out[v]
    return out


def levels_of(people: pd.DataFrame, orders: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Every level the attacker knows a variable may take: the codebook's, those found, and
    the no-answer label."""
    out = {}
    for col in people.columns:
        if col.startswith("cc:"):
            out[col] = ["0", "1"]
            continue
        base = col.removeprefix("sample:")
        known = [str(x) for x in orders.get(base, [])]
        found = sorted(set(people[col]) - set(known))
        out[col] = list(dict.fromkeys([*known, *found, NO_ANSWER]))
    return out


def build(
    participants: pd.DataFrame,
    params: Mapping[str, Any],
    orders: Mapping[str, Sequence[str]],
    source: Sequence[dc.Cell] = (),
    analysed: pd.DataFrame | None = None,
) -> tuple[dc.Publication, pd.DataFrame]:
    """Register every derived table of the report (and the source's known counts).

    The model samples live in a namespace of their own (sample:<outcome variable>, cc:<spec>)
    so that the attacker's program stays small: they share with the other tables only the
    outcome totals, which both show, twice registered as the same count. The programme
    comparison's counts (`analysed`: the participants each outcome's comparison analysed,
    with their outcome) live in a namespace of their own too (programme_id x mix:<outcome>),
    for the same reason: they share with the rest only their totals."""
    tables = params["participant_tables"]["variables"]
    group = outcome_group(participants, params)
    outcomes = {o: params["outcome_definitions"][o] for o in params["outcomes"]}
    out_vars = sorted({f"{d.get('variable', 'occupation')}_code" for d in outcomes.values()})
    specs = {s: params["specification_predictors"][s] for s in params["specifications"]}
    # the variables of the source's tables are the attacker's too, whether shown or not
    known = {v for c in source for v in c.variables if v not in out_vars}
    shown = list(dict.fromkeys([*tables, *sorted(known)]))
    people = prepared(participants, shown, out_vars, group, params["predictors"], specs)
    mixed = mix_columns(participants, analysed)
    for col in mixed.columns:
        people[col] = mixed[col].to_numpy()
    inside = sample_mask(participants, params.get("restrict") or {})
    # a run restricted to a sample (models.restrict) publishes that sample's counts; the
    # source's counts constrain them only where every participant they count is inside it
    source = [c for c in source if not (dc.members(people, c.where) & ~inside).any()]
    people = people[inside]
    pub = dc.Publication(levels_of(people, orders), source=list(source), total=len(people))

    for column, label in tables.items():
        cells = dc.crosstab_cells(people, f"participants: {label}", column, None, pub.levels)
        pub.register(cells[0].table, cells, f"Participants by {label}")

    # the groups with participants: a level the sample lacks (e.g. outside a restriction)
    # would be an empty group, 0 / 0
    present = set(people[group]) if group else set()
    groups = [g for g in pub.levels[group] if g != NO_ANSWER and g in present] if group else []
    for kind in ("events", ANSWERED):
        cells = []
        for name, d in outcomes.items():
            var = f"{d.get('variable', 'occupation')}_code"
            answered = [x for x in pub.levels[var] if x != NO_ANSWER]
            wanted = list(d["positive"]) if kind == "events" else answered
            for g in [*groups, dc.ALL]:
                where: dict[str, Any] = {var: wanted}
                if group:
                    where[group] = groups if g == dc.ALL else g
                cells.append(dc.count_cell(people, f"outcomes: {kind}", name, g, **where))
        pub.register(f"outcomes: {kind}", cells, f"Participants {kind} per outcome and group")

    for spec in specs:
        cells = []
        cc = {f"cc:{spec}": "1"}
        for name, d in outcomes.items():
            var = f"sample:{d.get('variable', 'occupation')}_code"
            answered = [x for x in pub.levels[var] if x != NO_ANSWER]
            table = f"model samples: {spec}"
            cells += [
                dc.count_cell(people, table, name, "analysed", **{var: answered}),
                dc.count_cell(people, table, name, "events", **{var: list(d["positive"])}),
                dc.count_cell(
                    people, table, name, "complete cases", "rounded", **{var: answered}, **cc
                ),
                dc.count_cell(
                    people,
                    table,
                    name,
                    "events, complete cases",
                    "rounded",
                    **{var: list(d["positive"])},
                    **cc,
                ),
            ]
        pub.register(f"model samples: {spec}", cells, f"Each model's sample ({spec})")
        pub.source += structural_zeros(specs, spec)
    for col in mixed.columns:
        if not col.startswith(MIX):
            continue
        analysed_here = people[col] != NOT_ANALYSED
        progs = sorted(set(people.loc[analysed_here, "programme_id"]))
        table = f"programmes: {col.removeprefix(MIX)}"
        levels = {"programme_id": progs, col: [EVENT, NO_EVENT]}
        cells = dc.crosstab_cells(people, table, "programme_id", col, levels)
        pub.register(
            table, cells, "Participants analysed per programme, with and without the outcome"
        )
    # what the source publishes of the outcome variables, in the samples' namespace too
    for c in list(pub.source):
        if c.variables and c.variables <= set(out_vars):
            where = tuple((f"sample:{v}", levels) for v, levels in c.where)
            pub.source.append(dc.Cell(c.table, c.row, c.column, c.value, where))
    return pub, people


MIX = "mix:"  # the programme comparison's namespace
EVENT, NO_EVENT, NOT_ANALYSED = "event", "no event", "not analysed"


def mix_columns(participants: pd.DataFrame, analysed: pd.DataFrame | None) -> pd.DataFrame:
    """The programme comparison's variables of each participant: programme_id, and per
    outcome compared mix:<outcome> = event, no event or not analysed (empty without a
    comparison)."""
    out = pd.DataFrame(index=participants.index)
    if analysed is None or not len(analysed):
        return out
    out["programme_id"] = participants["programme_id"].astype(str)
    for outcome, part in analysed.groupby("outcome", sort=False):
        y = participants["form_id"].map(part.set_index("form_id")["y"])
        out[f"{MIX}{outcome}"] = np.select([y == 1, y == 0], [EVENT, NO_EVENT], NOT_ANALYSED)
    return out


def programme_tables(
    pub: dc.Publication,
    status: Mapping[dc.Cell, str],
    threshold: int,
    comparison: pd.DataFrame,
    caterpillar: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """The programme comparison as published: per outcome and programme the participants
    analysed and the observed count as the disclosure step shows them; the expected count,
    the ratio, the tail probabilities, the position and the random-intercept effect only
    where both counts are shown (each is a function of the observed count); a programme
    none of whose counts may be shown is one row saying so."""
    rows, effects = [], []
    cat = caterpillar.set_index(["outcome", "programme"]) if len(caterpillar) else None
    cmp = comparison.assign(programme=comparison["programme"].astype(str)).set_index(
        ["outcome", "programme"]
    )
    for name in pub.tables:
        if not name.startswith("programmes: "):
            continue
        outcome = name.removeprefix("programmes: ")
        f = dc.frame(pub, status, name, threshold)
        wide = f.pivot(index="row", columns="column", values="shown")
        states = f.pivot(index="row", columns="column", values="status")
        for programme in [r for r in dict.fromkeys(f["row"]) if r != dc.ALL]:
            n, o = wide.loc[programme, dc.ALL], wide.loc[programme, EVENT]
            row: dict[str, Any] = {
                "outcome": outcome,
                "programme": programme,
                "n": n,
                "observed": o,
            }
            both = n.isdigit() and o.isdigit()
            worst = (
                states.loc[programme, EVENT] if not o.isdigit() else states.loc[programme, dc.ALL]
            )
            row["status"] = "shown" if both else worst
            if both and n != "0":
                c = cmp.loc[(outcome, programme)]
                row |= {k: c[k] for k in ("expected", "ratio", "p_above", "p_below", "position")}
                if cat is not None and (outcome, programme) in cat.index:
                    e = cat.loc[(outcome, programme)]
                    effects.append(
                        {
                            "outcome": outcome,
                            "programme": programme,
                            "effect": e["effect"],
                            "low": e["low"],
                            "high": e["high"],
                        }
                    )
            rows.append(row)
    columns = ["outcome", "programme", "n", "observed", "expected", "ratio", "p_above", "p_below"]
    columns += ["position", "status"]
    return {
        "programme_comparison": pd.DataFrame(rows).reindex(columns=columns),
        "programme_effects": pd.DataFrame(effects).reindex(
            columns=["outcome", "programme", "effect", "low", "high"]
        ),
    }


def leaver_tables(
    flow: pd.DataFrame,
    rates: pd.DataFrame,
    definitions: Mapping[str, Mapping[str, Any]],
    outcomes: Sequence[str],
    threshold: int,
    published: Mapping[str, int] | None = None,
) -> tuple[dict[str, pd.DataFrame], dc.Publication, dict[dc.Cell, str], list[dc.Finding]]:
    """The participants who had left, as published: the programme survey's counts by reason
    (the `all` row of the restricted flow) and, per outcome, the leavers it counts, through
    the disclosure step like any count (a Publication of their own: one row per leaver, no
    participant of the coach forms among them); the rate among everyone ever enrolled (its
    bounds) only where every count it uses is shown, from the stock's published counts
    (`rates`, the protected outcome rates). `published`: the source's own counts of leavers
    (text figure id -> value: ended_total, ended_<reason>), which the attacker has."""
    from ipseval.models.leavers import LEAVER_CODES

    total = (
        flow.set_index("programme_id").loc["all"] if "all" in set(flow["programme_id"]) else None
    )
    reasons = [r for r in LEAVER_CODES if f"left_{r}" in flow.columns]
    counts = [int(total[f"left_{r}"]) for r in reasons] if total is not None else []
    people = pd.DataFrame({"reason": np.repeat(np.array(reasons, dtype=object), counts)})
    pub = dc.Publication({"reason": reasons}, total=None)
    for key, value in (published or {}).items():
        which = reasons if key == "ended_total" else [key] if key in reasons else []
        if which:
            pub.source.append(
                dc.Cell("source", key, "value", int(value), dc.condition(reason=which))
            )
    pub.register(
        "leavers",
        dc.crosstab_cells(people, "leavers", "reason", None, pub.levels),
        "Leavers by reason",
    )
    cells = []
    for outcome in outcomes:
        positive = set(definitions[outcome]["positive"])
        mine = [r for r in reasons if LEAVER_CODES[r] in positive]
        cells.append(
            dc.count_cell(people, "leavers in the outcome", outcome, "events", reason=mine)
        )
    pub.register("leavers in the outcome", cells, "Leavers whose reason is in the outcome")
    status, audited = dc.protect(pub, people, threshold)
    by_reason = dc.frame(pub, status, "leavers", threshold)
    by_reason = by_reason.rename(columns={"row": "reason", "shown": "count"})[
        ["reason", "count", "status"]
    ]
    unknown = [r for r in reasons if LEAVER_CODES[r] is None]
    events = dc.frame(pub, status, "leavers in the outcome", threshold).set_index("row")
    shown = by_reason.set_index("reason")["count"]
    overall = rates[rates["group"] == dc.ALL].set_index("outcome") if len(rates) else rates
    rows = []
    for outcome in outcomes:
        k, left = events.loc[outcome, "shown"], shown.get(dc.ALL, "")
        u = [shown.get(r, "") for r in unknown]
        row: dict[str, Any] = {"outcome": outcome, "leavers": left, "leaver_events": k}
        row["leavers_status_unknown"] = (
            str(sum(int(x) for x in u)) if all(x.isdigit() for x in u) else "–"
        )
        stock = overall.loc[outcome] if outcome in overall.index else None
        numbers = [left, k, row["leavers_status_unknown"]]
        if stock is not None and all(
            str(x).isdigit() for x in [*numbers, stock["events"], stock["n"]]
        ):
            e, n, kk, ll, uu = (int(x) for x in (stock["events"], stock["n"], k, left, numbers[2]))
            row |= {
                "stock_rate": e / n,
                "ever_enrolled": n + ll,
                "rate_low": (e + kk) / (n + ll),
                "rate_high": (e + kk + uu) / (n + ll),
            }
        rows.append(row)
    columns = ["outcome", "leavers", "leaver_events", "leavers_status_unknown", "stock_rate"]
    columns += ["ever_enrolled", "rate_low", "rate_high"]
    tables = {"leaver_reasons": by_reason, "leavers": pd.DataFrame(rows).reindex(columns=columns)}
    return tables, pub, status, audited


def structural_zeros(specs: Mapping[str, Sequence[str]], spec: str) -> list[dc.Cell]:
    """What the attacker knows from the specifications themselves: a participant complete
    for a specification is complete for every specification with fewer predictors."""
    out = []
    for other, names in specs.items():
        if other != spec and set(names) < set(specs[spec]):
            zero = dc.condition(**{f"cc:{spec}": "1", f"cc:{other}": "0"})
            out.append(dc.Cell("specifications", "nested", other, 0, zero))
    return out


def tables(
    pub: dc.Publication,
    status: Mapping[dc.Cell, str],
    params: Mapping[str, Any],
    threshold: int,
) -> dict[str, pd.DataFrame]:
    """The report's derived tables as published: participant tables, outcome rates (a rate
    only where its counts are shown), model samples; hidden values are not in them."""
    alpha = float(params["alpha"])
    ptab = []
    for name in pub.tables:
        if name.startswith("participants: "):
            f = dc.frame(pub, status, name, threshold)
            ptab.append(f.assign(variable=name.removeprefix("participants: ")))
    participants = (
        pd.concat(ptab, ignore_index=True)
        if ptab
        else pd.DataFrame(columns=["row", "column", "shown", "status", "variable"])
    )
    participants = participants.rename(columns={"row": "level", "shown": "count"})[
        ["variable", "level", "count", "status"]
    ]
    events = dc.frame(pub, status, "outcomes: events", threshold)
    answered = dc.frame(pub, status, f"outcomes: {ANSWERED}", threshold)
    rows = []
    for e, n in zip(events.itertuples(), answered.itertuples(), strict=True):
        share = lo = hi = np.nan
        if e.shown.isdigit() and n.shown.isdigit() and int(n.shown):  # both counts shown
            k, m = int(e.shown), int(n.shown)
            ci = stats.binomtest(k, m).proportion_ci(1 - alpha, method="wilson")
            share, lo, hi = k / m, ci.low, ci.high
        rows.append(
            {
                "outcome": e.row,
                "group": e.column,
                "events": e.shown,
                "n": n.shown,
                "share": share,
                "ci_low": lo,
                "ci_high": hi,
                "status": e.status if e.status not in ("shown", "public") else n.status,
            }
        )
    samples = []
    for name in pub.tables:
        if name.startswith("model samples: "):
            f = dc.frame(pub, status, name, threshold)
            wide = f.pivot(index="row", columns="column", values="shown").reset_index()
            samples.append(wide.assign(specification=name.removeprefix("model samples: ")))
    flow = pd.concat(samples, ignore_index=True).rename(columns={"row": "outcome"})
    order = ["analysed", "events", "complete cases", "events, complete cases"]
    flow = flow[["outcome", "specification", *order]]
    flow.columns = [
        "outcome",
        "specification",
        "n_analysed",
        "events",
        "n_complete_case",
        "events_complete_case",
    ]
    return {
        "participant_tables": participants,
        "outcome_rates": pd.DataFrame(rows),
        "model_samples": flow,
    }


def source_cells(check: pd.DataFrame) -> list[dc.Cell]:
    """Socialstyrelsen 2013's published counts the attacker has, in the report's variables:
    Tabell 9 (age band x sex), Tabell 10 (diagnosis groups, as sums of its rows), Tabell 11
    (occupation x time band) and the text's occupation-by-sex figures; each as reproduced
    where it matches the publication."""
    from ipseval.data.derive import TIME_BANDS, diagnosis_group

    out: list[dc.Cell] = []
    matched = check[check["status"] == "match"]
    by_label = {label: code for code, label in OCCUPATION_ROWS.items()}
    bands = list(TIME_BANDS.values())
    for r in matched[matched["table"] == "Tabell 11"].itertuples():
        if r.column not in (*bands, "Totalt antal") or r.row not in (*by_label, "Totalt"):
            continue
        where = {
            "occupation_code": by_label[r.row] if r.row != "Totalt" else list(by_label.values())
        }
        where["time_band"] = r.column if r.column in bands else bands
        out.append(
            dc.Cell("Tabell 11", r.row, r.column, int(float(r.reproduced)), dc.condition(**where))
        )
    sexes = ("Kvinna", "Man")
    for r in matched[matched["table"] == "Tabell 9"].itertuples():
        if r.row == "Totalt":
            continue
        where = {"age_band": r.row}
        if r.column in sexes:
            where["sex"] = r.column
        out.append(
            dc.Cell("Tabell 9", r.row, r.column, int(float(r.reproduced)), dc.condition(**where))
        )
    groups: dict[str, list[int]] = {}
    rows10 = check[(check["table"] == "Tabell 10") & (check["column"] == "Antal")]
    for r in rows10[rows10["row"] != "Totalt"].itertuples():
        code = diagnosis_group(r.row)
        value = int(float(r.reproduced)) if r.status == "match" else None
        groups.setdefault(code, []).append(value)  # type: ignore[arg-type]
    for code, values in groups.items():
        if None not in values:  # a group is known only if every one of its rows matched
            where = dc.condition(diagnosis_group=code)
            out.append(dc.Cell("Tabell 10", code, "Antal", sum(values), where))
    text = {
        "regular_work_women": ("regular_work", "Kvinna"),
        "regular_work_men": ("regular_work", "Man"),
        "wage_subsidy_women": ("wage_subsidy_work", "Kvinna"),
        "wage_subsidy_men": ("wage_subsidy_work", "Man"),
    }
    for r in matched[(matched["table"] == "text") & matched["row"].isin(list(text))].itertuples():
        occ, sex = text[r.row]
        out.append(
            dc.Cell(
                "text",
                r.row,
                "",
                int(float(r.reproduced)),
                dc.condition(occupation_code=occ, sex=sex),
            )
        )
    return out


# Reproduction statuses whose reproduced value the publication itself determines: equal to
# the published value, or the value its documented inconsistencies imply (the registry in
# data/published/inconsistencies.csv is worked out from the published figures alone).
DETERMINED_BY_SOURCE = ("match", "source_inconsistent")


def public_reproduction(check: pd.DataFrame) -> pd.DataFrame:
    """The reproduction check as it may be published: a reproduced value that differs from
    the publication is a count of the microdata outside the disclosure step, so only its
    status is kept (the value stays in restricted/reproduction/check.csv)."""
    out = check.copy()
    keep = out["status"].astype(str).isin(DETERMINED_BY_SOURCE)
    out["reproduced"] = out["reproduced"].astype(object).where(keep, "")
    return out


def public_headline(head: pd.DataFrame) -> pd.DataFrame:
    """The headline percentages as they may be published (as `public_reproduction`)."""
    out = head.copy()
    keep = out["status"].astype(str).isin(DETERMINED_BY_SOURCE)
    out["reproduced_pct"] = out["reproduced_pct"].where(keep)
    return out


def cleaning_tables(
    accounting: pd.DataFrame, excluded: pd.DataFrame, threshold: int, seed: int = 20131219
) -> tuple[dict[str, pd.DataFrame], dc.Publication, dict[dc.Cell, str], list[dc.Finding]]:
    """The cleaning account through the disclosure step: excluded rows by reason and file
    (registered, protected and audited as any other table; no participant is in it, so it
    links to no other table), and per file the rows read, kept and excluded, where the rows
    read are shown only with their excluded rows (read = kept + excluded)."""
    files = [str(f) for f in accounting["file"]]
    # by rule (column and rule broken), never by the reason text, which holds the value
    people = pd.DataFrame(
        {"file": excluded["file"].astype(str), "reason": excluded["rule"].astype(str)}
    )
    reasons = list(dict.fromkeys(sorted(people["reason"])))
    pub = dc.Publication({"file": files, "reason": reasons})
    if reasons:
        cells = dc.crosstab_cells(people, "excluded rows", "reason", "file", pub.levels)
        pub.register("excluded rows", cells, "Excluded rows by reason and file")
        status, findings = dc.protect(pub, people, threshold, seed)
        long = dc.frame(pub, status, "excluded rows", threshold)
        long = long.rename(columns={"row": "reason", "column": "file", "shown": "rows"})
        by_file = {c.column: c for c in pub.cells if c.row == dc.ALL}
    else:
        status, findings, by_file = {}, [], {}
        long = pd.DataFrame(columns=["reason", "file", "rows", "status"])
    rows = []
    for r in accounting.itertuples():
        cell = by_file.get(str(r.file))
        if cell is None:  # nothing excluded from this file
            read, gone = str(r.rows_in), "0"
        else:
            gone = dc.shown_value(cell, status[cell], threshold)
            read = str(r.rows_in) if status[cell] in (dc.SHOWN, dc.PUBLIC) else dc.HIDDEN_MARK
        rows.append(
            {
                "file": r.file,
                "sha256": r.sha256,
                "rows_read": read,
                "rows_kept": str(r.rows_kept),
                "rows_excluded": gone,
                "notes": r.notes if isinstance(r.notes, str) else "",
            }
        )
    cleaning = pd.DataFrame(
        rows, columns=["file", "sha256", "rows_read", "rows_kept", "rows_excluded", "notes"]
    )
    return {"cleaning": cleaning, "excluded_reasons": long}, pub, status, findings
