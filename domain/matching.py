"""Best matches: how well a contractor fits a job post (budget and rate, industry, languages)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class JobNeeds:
    budget_min_cents: int
    budget_max_cents: int
    industry: str
    languages: frozenset[str]


@dataclass(frozen=True)
class ContractorOffer:
    hourly_rate_cents: int
    industries: frozenset[str]
    languages: frozenset[str]


BUDGET_WEIGHT = 40
INDUSTRY_WEIGHT = 30
LANGUAGE_WEIGHT = 30


def budget_fit(needs: JobNeeds, rate_cents: int) -> float:
    """1 inside the budget range, falling linearly to 0 at 50% outside it."""
    low, high = needs.budget_min_cents, needs.budget_max_cents
    if low <= rate_cents <= high:
        return 1.0
    edge = low if rate_cents < low else high
    distance = abs(rate_cents - edge) / max(edge, 1)
    return max(0.0, 1.0 - 2 * distance)


def match_score(needs: JobNeeds, offer: ContractorOffer) -> int:
    """0..100, higher is better."""
    industry = 1.0 if needs.industry.lower() in {i.lower() for i in offer.industries} else 0.0
    wanted = {lang.lower() for lang in needs.languages}
    spoken = {lang.lower() for lang in offer.languages}
    languages = len(wanted & spoken) / len(wanted) if wanted else 1.0
    score = (
        BUDGET_WEIGHT * budget_fit(needs, offer.hourly_rate_cents)
        + INDUSTRY_WEIGHT * industry
        + LANGUAGE_WEIGHT * languages
    )
    return round(score)


@dataclass(frozen=True)
class Ranked:
    contractor_id: str
    score: int


def rank(needs: JobNeeds, offers: dict[str, ContractorOffer]) -> list[Ranked]:
    """Every contractor, best score first; equal scores by contractor id, so pages are stable."""
    scored = [Ranked(cid, match_score(needs, offer)) for cid, offer in offers.items()]
    return sorted(scored, key=lambda r: (-r.score, r.contractor_id))
