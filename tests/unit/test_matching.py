"""Best matches: a 0-100 score from budget and rate (40), industry (30) and languages (30)."""

from domain.matching import ContractorOffer, JobNeeds, Ranked, budget_fit, match_score, rank

NEEDS = JobNeeds(
    budget_min_cents=4000,
    budget_max_cents=6000,
    industry="Fintech",
    languages=frozenset({"English", "Spanish"}),
)


def offer(rate: int, industries: set[str], languages: set[str]) -> ContractorOffer:
    return ContractorOffer(rate, frozenset(industries), frozenset(languages))


def test_budget_fit_is_full_inside_the_range_and_falls_to_zero_at_half_outside() -> None:
    assert [budget_fit(NEEDS, rate) for rate in (4000, 5000, 6000)] == [1.0, 1.0, 1.0]
    assert budget_fit(NEEDS, 6600) == 0.8  # 10% above the top
    assert budget_fit(NEEDS, 3000) == 0.5  # 25% below the bottom
    assert [budget_fit(NEEDS, rate) for rate in (2000, 9000, 20000, 0)] == [0.0, 0.0, 0.0, 0.0]


def test_match_score_weighs_budget_40_industry_30_languages_30() -> None:
    assert match_score(NEEDS, offer(5000, {"fintech"}, {"english", "SPANISH"})) == 100
    assert match_score(NEEDS, offer(5000, {"retail"}, {"English", "Spanish"})) == 70
    assert match_score(NEEDS, offer(5000, {"Fintech"}, {"French"})) == 70
    assert match_score(NEEDS, offer(6600, {"Fintech"}, {"English"})) == 32 + 30 + 15
    assert match_score(NEEDS, offer(9000, {"retail"}, set())) == 0


def test_a_job_post_wanting_no_language_gives_every_contractor_the_language_points() -> None:
    needs = JobNeeds(4000, 6000, "fintech", frozenset())
    assert match_score(needs, offer(5000, {"retail"}, set())) == 70


def test_rank_puts_the_best_first_and_breaks_ties_by_contractor_id() -> None:
    offers = {
        "u_c": offer(5000, {"retail"}, {"English", "Spanish"}),
        "u_a": offer(5000, {"retail"}, {"English", "Spanish"}),
        "u_b": offer(5000, {"fintech"}, {"English", "Spanish"}),
        "u_d": offer(20000, {"retail"}, set()),
    }
    assert rank(NEEDS, offers) == [
        Ranked("u_b", 100),
        Ranked("u_a", 70),
        Ranked("u_c", 70),
        Ranked("u_d", 0),
    ]
    assert rank(NEEDS, {}) == []
