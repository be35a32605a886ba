"""Agreement figures against hand computations, scikit-learn and the krippendorff package."""

import csv
import io
import itertools
import random

import krippendorff
import pytest
from sklearn.metrics import cohen_kappa_score

from coding.agreement import (
    NOT_APPLICABLE,
    Coding,
    SourceInfo,
    agreement_csv,
    compute_agreement,
    kappa,
)


def only_pair(results, code_index=0):
    (pair,) = results.codes[code_index].pairs
    return pair


def test_overlapping_codings_by_two_coders():
    # Source of 20 characters; A coded 0-10, B coded 5-15.
    # both = 5 (5-10), A only = 5 (0-5), B only = 5 (10-15), neither = 5 (15-20).
    # All text: agreement (5 + 5) / 20 = 50 %; pe = (10*10 + 10*10) / 20² = 0.5,
    #   kappa = (0.5 - 0.5) / (1 - 0.5) = 0.
    # Coded text (15 characters): agreement 5 / 15; pe = (10*10 + 5*5) / 15² = 5/9,
    #   kappa = (1/3 - 5/9) / (4/9) = -0.5.
    results = compute_agreement(
        {"s": SourceInfo(20)}, [("A", "s", "goals", 0, 10), ("B", "s", "goals", 5, 15)]
    )
    pair = only_pair(results)
    assert (pair.all_text.both, pair.all_text.only_a, pair.all_text.only_b) == (5, 5, 5)
    assert pair.all_text.neither == 5
    assert pair.all_text.percent == pytest.approx(50.0)
    assert pair.all_text.kappa == pytest.approx(0.0)
    assert pair.coded_text.percent == pytest.approx(100 / 3)
    assert pair.coded_text.kappa == pytest.approx(-0.5)


def test_nvivo_help_example():
    # NVivo's example: 1000 characters, 50 coded by both, 150 by one only, 800 by neither:
    # agreement (800 + 50) / 1000 = 85 %. A coded 200, B coded 50:
    # pe = (200*50 + 800*950) / 1000² = 0.77, kappa = (0.85 - 0.77) / 0.23 = 0.3478...
    results = compute_agreement(
        {"doc": SourceInfo(1000)}, [("A", "doc", "c", 0, 200), ("B", "doc", "c", 0, 50)]
    )
    pair = only_pair(results)
    assert pair.all_text.percent == pytest.approx(85.0)
    assert pair.all_text.kappa == pytest.approx(0.08 / 0.23)
    # Coded text: 200 characters, 50 agreed: 25 %. A coded all of it, so pe = po and kappa 0.
    assert pair.coded_text.percent == pytest.approx(25.0)
    assert pair.coded_text.kappa == pytest.approx(0.0)


def test_code_kappa_is_averaged_over_sources_by_length():
    # s1 (100 chars): both coded 0-50 -> po 1, pe 0.5, kappa 1.
    # s2 (300 chars): A 0-100, B 50-150 -> both 50, A only 50, B only 50, neither 150;
    #   po = 200/300, pe = (100*100 + 200*200) / 300² = 5/9, kappa = (1/9) / (4/9) = 0.25.
    # Code kappa = (100 * 1 + 300 * 0.25) / 400 = 0.4375.
    # Agreement pooled: (50 + 50 + 50 + 150) / 400 = 75 %.
    sources = {"s1": SourceInfo(100), "s2": SourceInfo(300)}
    codings = [
        ("A", "s1", "c", 0, 50),
        ("B", "s1", "c", 0, 50),
        ("A", "s2", "c", 0, 100),
        ("B", "s2", "c", 50, 150),
    ]
    results = compute_agreement(sources, codings, codes=["c", "unused"])
    pair = only_pair(results)
    assert pair.all_text.kappa == pytest.approx(0.4375)
    assert pair.all_text.percent == pytest.approx(75.0)
    assert pair.by_source["s1"].kappa == pytest.approx(1.0)
    assert pair.by_source["s2"].kappa == pytest.approx(0.25)

    unused = only_pair(results, 1)
    assert unused.all_text.kappa is None
    assert unused.coded_text.kappa is None
    assert unused.all_text.percent == pytest.approx(100.0)
    # Overall: the unused code's rows are undefined and left out -> same as code c.
    (overall,) = results.overall_pairs
    assert overall.all_text.kappa == pytest.approx(0.4375)

    # NVivo's convention counts "neither coded" as kappa 1:
    # overall = (100*1 + 300*0.25 + 100*1 + 300*1) / 800 = 0.71875.
    nvivo = compute_agreement(sources, codings, codes=["c", "unused"], neither_as_agreement=True)
    assert only_pair(nvivo, 1).all_text.kappa == 1.0
    assert nvivo.overall_pairs[0].all_text.kappa == pytest.approx(0.71875)


def test_identical_coding_is_perfect_agreement():
    codings = [("A", "s", "c", 3, 9), ("B", "s", "c", 3, 6), ("B", "s", "c", 6, 9)]
    pair = only_pair(compute_agreement({"s": SourceInfo(30)}, codings))
    assert pair.all_text.kappa == 1.0
    # Over the coded text both coded everything: no variance, but perfect agreement.
    assert pair.coded_text.kappa == 1.0
    assert pair.coded_text.percent == 100.0


def test_kappa_table_edge_cases():
    assert kappa(0, 0, 0, 0) is None
    assert kappa(0, 0, 0, 10) is None
    assert kappa(0, 0, 0, 10, neither_as_one=True) == 1.0
    assert kappa(10, 0, 0, 0) == 1.0
    assert kappa(0, 5, 5, 0) == pytest.approx(-1.0)


def test_alpha_by_hand_with_three_coders():
    # Units of 10 characters; values (A, B, C) per unit:
    # u1: 1 1 1   u2: 1 1 0   u3: 0 0 0   u4: 1 0 0
    # Coincidences (each unit's pairs divided by m - 1 = 2):
    #   o11 = 3 (u1) + 1 (u2) = 4;  o00 = 3 (u3) + 1 (u4) = 4;
    #   o01 = 1 (u2) + 1 (u4) = 2.  n1 = 6, n0 = 6, n = 12.
    # alpha = 1 - (n - 1) * o01 / (n0 * n1) = 1 - 11 * 2 / 36 = 14/36.
    units = [(0, 10), (10, 20), (20, 30), (30, 40)]
    codings = [
        ("A", "s", "c", 2, 5),
        ("B", "s", "c", 0, 10),
        ("C", "s", "c", 5, 6),
        ("A", "s", "c", 12, 14),
        ("B", "s", "c", 15, 16),
        ("A", "s", "c", 33, 34),
    ]
    results = compute_agreement({"s": SourceInfo(40, units)}, codings)
    alpha = results.codes[0].alpha
    assert alpha.value == pytest.approx(14 / 36)
    assert alpha.units == 4
    assert len(results.codes[0].pairs) == 3
    reference = krippendorff.alpha(
        reliability_data=[[1, 1, 0, 1], [1, 1, 0, 0], [1, 0, 0, 0]],
        level_of_measurement="nominal",
    )
    assert alpha.value == pytest.approx(reference)


def test_coding_across_a_unit_boundary_counts_in_both_units():
    units = [(0, 10), (10, 20)]
    codings = [("A", "s", "c", 8, 12), ("B", "s", "c", 0, 3), ("B", "s", "c", 19, 20)]
    results = compute_agreement({"s": SourceInfo(20, units)}, codings)
    assert results.codes[0].alpha.value == 1.0  # everyone applied it everywhere


def test_alpha_undefined_for_unused_code():
    results = compute_agreement(
        {"s": SourceInfo(10)}, [("A", "s", "c", 0, 5), ("B", "s", "c", 1, 5)], codes=["x"]
    )
    assert results.codes[0].alpha.value is None
    assert results.overall_alpha.value is None


def test_overlapping_units_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        compute_agreement(
            {"s": SourceInfo(10, [(0, 6), (5, 10)])},
            [("A", "s", "c", 0, 5), ("B", "s", "c", 0, 5)],
        )


def test_one_coder_is_refused():
    with pytest.raises(ValueError, match="two coders"):
        compute_agreement({"s": SourceInfo(10)}, [("A", "s", "c", 0, 5)])


def random_study(seed, coders=("A", "B", "C"), codes=("x", "y", "z")):
    rng = random.Random(seed)
    sources = {}
    for index in range(3):
        length = rng.randint(50, 400)
        cuts = sorted(rng.sample(range(1, length), 6))
        bounds = [0, *cuts, length]
        sources[f"s{index}"] = SourceInfo(length, list(itertools.pairwise(bounds)))
    codings = []
    for _ in range(40):
        source = rng.choice(list(sources))
        start = rng.randrange(sources[source].length)
        end = min(sources[source].length, start + rng.randint(1, 60))
        codings.append(Coding(rng.choice(coders), source, rng.choice(codes), start, end))
    return sources, codings


def character_values(codings, coder, code, source, length):
    values = [0] * length
    for c in codings:
        if (c.coder, c.code, c.source) == (coder, code, source):
            for i in range(c.start, c.end):
                values[i] = 1
    return values


def unit_values(codings, coder, code, sources):
    row = []
    for source, info in sources.items():
        chars = character_values(codings, coder, code, source, info.length)
        row.extend(int(any(chars[start:end])) for start, end in info.units)
    return row


@pytest.mark.parametrize("seed", range(8))
def test_alpha_matches_krippendorff_package(seed):
    sources, codings = random_study(seed)
    coders, codes = ("A", "B", "C"), ("x", "y", "z")
    results = compute_agreement(sources, codings, coders, codes)
    pooled = [[] for _ in coders]
    for code, result in zip(codes, results.codes, strict=True):
        data = [unit_values(codings, coder, code, sources) for coder in coders]
        for row, values in zip(pooled, data, strict=True):
            row.extend(values)
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert result.alpha.value == pytest.approx(expected)
    expected = krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal")
    assert results.overall_alpha.value == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(8))
def test_kappa_per_source_matches_scikit_learn(seed):
    sources, codings = random_study(seed, coders=("A", "B"))
    results = compute_agreement(sources, codings, ("A", "B"), ("x", "y", "z"))
    compared = 0
    for code_result in results.codes:
        pair = code_result.pairs[0]
        for source, info in sources.items():
            a = character_values(codings, "A", code_result.code, source, info.length)
            b = character_values(codings, "B", code_result.code, source, info.length)
            if len(set(a)) > 1 or len(set(b)) > 1:
                expected = cohen_kappa_score(a, b)
                assert pair.by_source[source].kappa == pytest.approx(expected)
                compared += 1
            coded = [i for i in range(info.length) if a[i] or b[i]]
            kept_a, kept_b = [a[i] for i in coded], [b[i] for i in coded]
            if len(set(kept_a)) > 1 or len(set(kept_b)) > 1:
                figures = compute_agreement(
                    {source: info}, codings, ("A", "B"), [code_result.code]
                ).codes[0]
                assert figures.pairs[0].coded_text.kappa == pytest.approx(
                    cohen_kappa_score(kept_a, kept_b)
                )
    assert compared


def test_csv_lists_every_code_pair_and_alpha():
    sources = {"s": SourceInfo(20, [(0, 10), (10, 20)])}
    codings = [("A", "s", 1, 0, 10), ("B", "s", 1, 5, 15)]
    results = compute_agreement(sources, codings, codes=[1, 2])
    text = agreement_csv(results, code_names={1: "Goals", 2: "Barriers"}, coder_names={"A": "Ana"})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["code"], r["coder_a"], r["coder_b"]) for r in rows] == [
        ("Goals", "Ana", "B"),
        ("Goals", "all coders", ""),
        ("Barriers", "Ana", "B"),
        ("Barriers", "all coders", ""),
        ("overall", "Ana", "B"),
        ("overall", "all coders", ""),
    ]
    assert rows[0]["agreement_all_text_percent"] == "50.0000"
    assert rows[0]["kappa_coded_text"] == "-0.5000"
    assert rows[2]["kappa_all_text"] == NOT_APPLICABLE
    assert rows[3]["alpha"] == NOT_APPLICABLE
