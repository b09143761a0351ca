"""ISO 2859-1 single sampling, normal inspection: the look-up against the standard's tables.

The expected values below are copied by hand from the standard's Table 1 (code letters) and Table 2-A
(single sampling plans for normal inspection), arrows followed by hand: ↓ → the first plan below in the same
column, ↑ → the first plan above, the sample size of the row where the plan is. They do not come from
gendan.quality.aql.
"""

import pytest

from gendan.quality.aql import AqlError, NoSamplingPlan, sampling_plan

# Table 1: lot-size band → code letter per level (S-1, S-2, S-3, S-4, I, II, III).
TABLE_1 = [
    ((2, 8), "A A A A A A B"),
    ((9, 15), "A A A A A B C"),
    ((16, 25), "A A B B B C D"),
    ((26, 50), "A B B C C D E"),
    ((51, 90), "B B C C C E F"),
    ((91, 150), "B B C D D F G"),
    ((151, 280), "B C D E E G H"),
    ((281, 500), "B C D E F H J"),
    ((501, 1200), "C C E F G J K"),
    ((1201, 3200), "C D E G H K L"),
    ((3201, 10000), "C D F G J L M"),
    ((10001, 35000), "C D F H K M N"),
    ((35001, 150000), "D E G J L N P"),
    ((150001, 500000), "D E G J M P Q"),
    ((500001, 10_000_000), "D E H K N Q R"),
]
LEVELS = ["S-1", "S-2", "S-3", "S-4", "I", "II", "III"]

# Level II, every lot-size band: for AQL 0.65, 1.0, 1.5, 2.5, 4.0, 6.5 → (plan letter, table sample size, Ac, Re).
# A plan letter other than the band's code letter is where an arrow of Table 2-A leads.
AQLS = ["0.65", "1.0", "1.5", "2.5", "4.0", "6.5"]
LEVEL_II = {
    # band       letter   0.65             1.0              1.5              2.5              4.0              6.5
    (2, 8): ("A", [("F", 20, 0, 1), ("E", 13, 0, 1), ("D", 8, 0, 1), ("C", 5, 0, 1), ("B", 3, 0, 1), ("A", 2, 0, 1)]),
    (9, 15): ("B", [("F", 20, 0, 1), ("E", 13, 0, 1), ("D", 8, 0, 1), ("C", 5, 0, 1), ("B", 3, 0, 1), ("A", 2, 0, 1)]),
    (16, 25): ("C", [("F", 20, 0, 1), ("E", 13, 0, 1), ("D", 8, 0, 1), ("C", 5, 0, 1), ("B", 3, 0, 1), ("D", 8, 1, 2)]),
    (26, 50): ("D", [("F", 20, 0, 1), ("E", 13, 0, 1), ("D", 8, 0, 1), ("C", 5, 0, 1), ("E", 13, 1, 2), ("D", 8, 1, 2)]),
    (51, 90): ("E", [("F", 20, 0, 1), ("E", 13, 0, 1), ("D", 8, 0, 1), ("F", 20, 1, 2), ("E", 13, 1, 2), ("E", 13, 2, 3)]),
    (91, 150): ("F", [("F", 20, 0, 1), ("E", 13, 0, 1), ("G", 32, 1, 2), ("F", 20, 1, 2), ("F", 20, 2, 3), ("F", 20, 3, 4)]),
    (151, 280): ("G", [("F", 20, 0, 1), ("H", 50, 1, 2), ("G", 32, 1, 2), ("G", 32, 2, 3), ("G", 32, 3, 4), ("G", 32, 5, 6)]),
    (281, 500): ("H", [("J", 80, 1, 2), ("H", 50, 1, 2), ("H", 50, 2, 3), ("H", 50, 3, 4), ("H", 50, 5, 6), ("H", 50, 7, 8)]),
    (501, 1200): ("J", [("J", 80, 1, 2), ("J", 80, 2, 3), ("J", 80, 3, 4), ("J", 80, 5, 6), ("J", 80, 7, 8), ("J", 80, 10, 11)]),
    (1201, 3200): ("K", [("K", 125, 2, 3), ("K", 125, 3, 4), ("K", 125, 5, 6), ("K", 125, 7, 8), ("K", 125, 10, 11), ("K", 125, 14, 15)]),
    (3201, 10000): ("L", [("L", 200, 3, 4), ("L", 200, 5, 6), ("L", 200, 7, 8), ("L", 200, 10, 11), ("L", 200, 14, 15), ("L", 200, 21, 22)]),
    (10001, 35000): ("M", [("M", 315, 5, 6), ("M", 315, 7, 8), ("M", 315, 10, 11), ("M", 315, 14, 15), ("M", 315, 21, 22), ("L", 200, 21, 22)]),
    (35001, 150000): ("N", [("N", 500, 7, 8), ("N", 500, 10, 11), ("N", 500, 14, 15), ("N", 500, 21, 22), ("M", 315, 21, 22), ("L", 200, 21, 22)]),
    (150001, 500000): ("P", [("P", 800, 10, 11), ("P", 800, 14, 15), ("P", 800, 21, 22), ("N", 500, 21, 22), ("M", 315, 21, 22), ("L", 200, 21, 22)]),
    (500001, 10_000_000): ("Q", [("Q", 1250, 14, 15), ("Q", 1250, 21, 22), ("P", 800, 21, 22), ("N", 500, 21, 22), ("M", 315, 21, 22), ("L", 200, 21, 22)]),
}  # fmt: skip


@pytest.mark.parametrize(("band", "letters"), TABLE_1)
def test_code_letters_of_every_band_and_level_follow_table_1(band, letters):
    # Given both ends of a lot-size band, when each level is looked up, then the letter is the standard's
    for lot_size in band:
        for level, letter in zip(LEVELS, letters.split(), strict=True):
            plan = sampling_plan(lot_size=lot_size, level=level, aql="0")
            assert plan.code_letter == letter, (lot_size, level)


@pytest.mark.parametrize("band", list(LEVEL_II))
def test_level_ii_plans_of_every_band_follow_table_2a_including_arrows(band):
    letter, expected = LEVEL_II[band]
    for lot_size in band:
        for aql, (plan_letter, n, ac, re) in zip(AQLS, expected, strict=True):
            # When the plan of this lot at level II and this AQL is looked up
            plan = sampling_plan(lot_size=lot_size, level="II", aql=aql)
            # Then code letter, the row the arrows lead to, its sample size and Ac/Re are the standard's
            assert (
                plan.code_letter,
                plan.plan_code_letter,
                plan.table_sample_size,
                plan.accept,
                plan.reject,
            ) == (
                letter,
                plan_letter,
                n,
                ac,
                re,
            ), (lot_size, aql)
            # And a sample at least as large as the lot means inspecting every unit
            assert plan.sample_size == min(n, lot_size)
            assert plan.full_inspection == (n >= lot_size)


def test_arrows_change_the_sample_size():
    # Given a lot of 2,000 at level II (code K, n=125)
    # When the AQL sits under an up arrow (K at 15 is ↑)
    plan = sampling_plan(lot_size=2000, level="II", aql="15")
    # Then the plan is the one above the arrow, with that row's sample size
    assert (plan.code_letter, plan.plan_code_letter, plan.sample_size, plan.accept, plan.reject) == (
        "K",
        "J",
        80,
        21,
        22,
    )
    # And under a down arrow (G at 1.0 ↓) the sample grows to the row below (H, 50)
    plan = sampling_plan(lot_size=200, level="II", aql="1.0")
    assert (plan.code_letter, plan.plan_code_letter, plan.sample_size, plan.accept, plan.reject) == (
        "G",
        "H",
        50,
        1,
        2,
    )


def test_an_arrow_to_a_sample_as_large_as_the_lot_means_100_percent_inspection():
    # Given a lot of 10 (code B) at AQL 0.65: the arrow leads to F (n=20) which exceeds the lot
    plan = sampling_plan(lot_size=10, level="II", aql="0.65")
    # Then every unit is inspected, with the plan's Ac/Re
    assert (plan.plan_code_letter, plan.table_sample_size, plan.sample_size, plan.accept) == ("F", 20, 10, 0)
    assert plan.full_inspection


@pytest.mark.parametrize(
    ("lot_size", "level", "aql", "expected"),
    [
        # (code letter from Table 1, row of the plan in Table 2-A, its sample size, Ac, Re)
        (1000, "I", "2.5", ("G", "G", 32, 2, 3)),
        (1000, "III", "2.5", ("K", "K", 125, 7, 8)),
        (1000, "S-4", "2.5", ("F", "F", 20, 1, 2)),
        (1000, "S-3", "2.5", ("E", "F", 20, 1, 2)),  # E at 2.5 is ↓ → F 1/2
        (1000, "S-2", "4.0", ("C", "B", 3, 0, 1)),  # C at 4.0 is ↑ → B 0/1
        (1000, "S-1", "1.0", ("C", "E", 13, 0, 1)),  # C at 1.0 is ↓ → E 0/1
        (800, "II", "0.10", ("J", "K", 125, 0, 1)),  # J at 0.10 is ↓ → K 0/1
        (3000, "II", "0.15", ("K", "J", 80, 0, 1)),  # K at 0.15 is ↑ → J 0/1
        (3000, "II", "0.25", ("K", "L", 200, 1, 2)),  # K at 0.25 is ↓ → L 1/2
        (600_000, "III", "0.025", ("R", "R", 2000, 1, 2)),
        (600_000, "III", "0.010", ("R", "Q", 1250, 0, 1)),  # R at 0.010 is ↑ → Q 0/1
        (100, "II", "100", ("F", "E", 13, 21, 22)),  # F at 100 is ↑ → E 21/22
        (5, "II", "1000", ("A", "A", 2, 30, 31)),
    ],
)
def test_other_levels_and_columns(lot_size, level, aql, expected):
    plan = sampling_plan(lot_size=lot_size, level=level, aql=aql)
    assert (
        plan.code_letter,
        plan.plan_code_letter,
        plan.table_sample_size,
        plan.accept,
        plan.reject,
    ) == expected


def test_aql_written_differently_is_the_same_aql_and_zero_means_zero_tolerance():
    assert sampling_plan(lot_size=300, level="ii", aql="2.50").accept == 3
    s3 = sampling_plan(lot_size=300, level="S3", aql=" 1 ")  # S-3 → D; D at 1.0 is ↓ → E 0/1
    assert (s3.level, s3.code_letter, s3.plan_code_letter, s3.accept) == ("S-3", "D", "E", 0)
    # AQL 0: Ac 0 / Re 1 on the code letter's sample
    zero = sampling_plan(lot_size=300, level="II", aql="0")
    assert (zero.sample_size, zero.accept, zero.reject) == (50, 0, 1)


def test_pass_or_fail_follows_ac_and_re():
    plan = sampling_plan(lot_size=1000, level="II", aql="2.5")  # J, n=80, Ac 5, Re 6
    assert plan.passes(5) is True
    assert plan.passes(6) is False


@pytest.mark.parametrize(
    ("lot_size", "level", "aql", "code"),
    [
        (0, "II", "2.5", "aql_bad_lot_size"),
        (-5, "II", "2.5", "aql_bad_lot_size"),
        ("abc", "II", "2.5", "aql_bad_lot_size"),
        (100, "IV", "2.5", "aql_unknown_level"),
        (100, "S-5", "2.5", "aql_unknown_level"),
        (100, "II", "3.0", "aql_unknown_aql"),
        (100, "II", "0.3", "aql_unknown_aql"),
        (100, "II", "NaN", "aql_unknown_aql"),
        (100, "II", "-2.5", "aql_unknown_aql"),
        # the two cells whose arrow points off Table 2-A: no plan is invented
        (5, "II", "10", "aql_no_plan"),
        (600_000, "III", "0.015", "aql_no_plan"),
    ],
)
def test_bad_parameters_are_refused_with_a_code(lot_size, level, aql, code):
    with pytest.raises(AqlError) as info:
        sampling_plan(lot_size=lot_size, level=level, aql=aql)
    assert info.value.code == code
    assert info.value.status == 400
    if code == "aql_no_plan":
        assert isinstance(info.value, NoSamplingPlan)


# --- the API ------------------------------------------------------------------------------------------


def test_api_answers_code_letter_sample_size_ac_re(api):
    response = api("qc").get("/quality/aql", lot_size=1000, level="II", aql="2.5")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["code_letter"], body["sample_size"], body["ac"], body["re"]) == ("J", 80, 5, 6)
    assert body["full_inspection"] is False

    # an arrow: lot 200 (G) at AQL 1.0 → H, n=50
    body = api("m1").get("/quality/aql", lot_size=200, level="II", aql="1.0").json()
    assert (body["code_letter"], body["plan_code_letter"], body["sample_size"], body["ac"]) == (
        "G",
        "H",
        50,
        1,
    )
    # a special level
    body = api("m1").get("/quality/aql", lot_size=1000, level="S-3", aql="2.5").json()
    assert (body["code_letter"], body["sample_size"], body["ac"], body["re"]) == ("E", 20, 1, 2)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"lot_size": 0, "level": "II", "aql": "2.5"}, 422, "validation_error"),
        ({"lot_size": -1, "level": "II", "aql": "2.5"}, 422, "validation_error"),
        ({"lot_size": 2**63, "level": "II", "aql": "2.5"}, 422, "validation_error"),
        ({"lot_size": 100, "level": "IV", "aql": "2.5"}, 422, "validation_error"),
        ({"lot_size": 100, "level": "II", "aql": "abc"}, 422, "validation_error"),
        ({"lot_size": 100, "level": "II", "aql": "3.0"}, 400, "aql_unknown_aql"),
        ({"lot_size": 100, "level": "II", "aql": "0.3"}, 400, "aql_unknown_aql"),
        ({"lot_size": 5, "level": "II", "aql": "10"}, 400, "aql_no_plan"),
        ({"level": "II", "aql": "2.5"}, 422, "validation_error"),
    ],
)
def test_api_bad_parameters_get_a_4xx(api, params, status, code):
    response = api("qc").get("/quality/aql", **params)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
