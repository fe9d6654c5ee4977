"""What the model reports: DataCollector reporters and tidy result tables.

Counts of people and events are scaled from agents to the real population
(``people_per_agent``), money is in USD, so results do not drift with the number of
agents. Definitions (per brand, over a run):

- impressions: sponsored-post views; unique reach: people who left "unaware"
  (saw a post or heard from a friend); post reach: people who saw a post
- engagement rate = engagements / impressions; CTR = clicks / impressions
- conversions = direct (after a sponsored post) + word of mouth
- ROI = (revenue x margin - spend) / spend; CPA = spend / conversions;
  CPM = 1000 x spend / impressions; CPE = spend / engagements
- audience overlap = 1 - |union of hired audiences| / sum of their sizes
- unspent budget = budget - spend; share aware = unique reach / population;
  aware, not bought = people who heard of the product and did not buy (what a reach
  campaign leaves for later); cost per thousand reached = 1000 x spend / unique reach
- mean status posted: status of the creators whose sponsored posts went up, weighted
  by posts; status weight clicked: mean weight of status in the message (omega) over
  the followers who clicked (docs/MODEL.md 3.3.12)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .agents import STEP_TALLIES, Funnel
from .params import NICHES, TIERS

if TYPE_CHECKING:
    from .agents import BrandAgent
    from .model import InfluencerModel

STEP_COLUMNS = (
    "step",
    "day",
    "brand",
    *STEP_TALLIES,
    "unique_reach",
    "post_reach",
    "aware",
    "interested",
    "purchased",
    "mean_trust_hired",
    "mean_trust",
    "market_share",
)


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    return float((values * weights).sum()) / total if total > 0 else float("nan")


def _div(a: float, b: float) -> float:
    """``a / b``; NaN when ``b`` is zero, or so small (a denormal fee) that the ratio overflows."""
    if not b:
        return float("nan")
    with np.errstate(over="ignore"):
        ratio = np.float64(a) / np.float64(b)
    return float(ratio) if np.isfinite(ratio) else float("nan")


# Model-level reporters for Mesa's DataCollector: plain functions of the model.
def total_conversions(model: InfluencerModel) -> float:
    """People who bought from any brand (seeded buyers excluded)."""
    return (
        sum(float(((b.state == Funnel.PURCHASED) & (b.channel != 3)).sum()) for b in model.brands)
        * model.people_per_agent
    )


def total_unique_reach(model: InfluencerModel) -> float:
    return sum(float((b.state > Funnel.UNAWARE).sum()) for b in model.brands) * model.people_per_agent


def mean_trust(model: InfluencerModel) -> float:
    """Mean trust over all follow edges."""
    return float(model.trust.mean()) if len(model.trust) else float("nan")


def total_spend(model: InfluencerModel) -> float:
    return sum(b.spend for b in model.brands)


MODEL_REPORTERS = {
    "conversions": total_conversions,
    "unique_reach": total_unique_reach,
    "mean_trust": mean_trust,
    "spend": total_spend,
}


def step_row(model: InfluencerModel, brand: BrandAgent) -> dict:
    """One row of the per-step table for one brand."""
    k = model.people_per_agent
    row = {"step": model.steps, "day": model.day, "brand": brand.name}
    for key in STEP_TALLIES:
        value = brand.tally[key]
        row[key] = value if key in ("spend", "revenue") else value * k
    state = brand.state
    row["unique_reach"] = float((state > Funnel.UNAWARE).sum()) * k
    row["post_reach"] = float(brand.post_reached.sum()) * k
    row["aware"] = float((state == Funnel.AWARE).sum()) * k
    row["interested"] = float((state == Funnel.INTERESTED).sum()) * k
    row["purchased"] = float((state == Funnel.PURCHASED).sum()) * k
    row["mean_trust_hired"] = float(model.trust[brand.hired_edges].mean()) if len(brand.hired_edges) else float("nan")
    row["mean_trust"] = mean_trust(model)
    row["market_share"] = market_share(model, brand)
    return row


def _buyers(brand: BrandAgent) -> int:
    """Followers who bought the brand's product (seeded buyers excluded)."""
    return int(((brand.state == Funnel.PURCHASED) & (brand.channel != 3)).sum())


def market_share(model: InfluencerModel, brand: BrandAgent) -> float:
    """The brand's share of its category's buyers so far: its buyers over the buyers of every
    brand of its niche (substitutes) in the market; nan before anyone bought."""
    category = _buyers(brand) + sum(_buyers(rival) for rival in model.rivals[brand.name])
    return _div(_buyers(brand), category)


CREATOR_STEP_COLUMNS = (
    "step",
    "day",
    "brand",
    "creator",
    "posts",
    "spend",
    "impressions",
    "engagements",
    "clicks",
    "conversions",
    "mean_trust",
)


def creator_step_rows(model: InfluencerModel, brand: BrandAgent) -> list[dict]:
    """Rows of the per-step creator table: cumulative tallies of each hired creator."""
    k = model.people_per_agent
    m = model.market
    bc = brand.by_creator
    rows = []
    for c in brand.campaign.creators.tolist():
        lo, hi = m.follow_indptr[c], m.follow_indptr[c + 1]
        rows.append(
            {
                "step": model.steps,
                "day": model.day,
                "brand": brand.name,
                "creator": c,
                "posts": bc["posts"][c],
                "spend": bc["spend"][c],
                **{key: bc[key][c] * k for key in ("impressions", "engagements", "clicks", "conversions")},
                "mean_trust": float(model.trust[lo:hi].mean()) if hi > lo else float("nan"),
            }
        )
    return rows


def brand_summary(model: InfluencerModel, brand: BrandAgent) -> dict:
    """Totals and ratios of a run for one brand (people and USD)."""
    k = model.people_per_agent
    bc = brand.by_creator
    impressions = bc["impressions"].sum() * k
    engagements = bc["engagements"].sum() * k
    clicks = bc["clicks"].sum() * k
    bought = brand.state == Funnel.PURCHASED
    clicked = brand.source_edge >= 0
    aware = brand.state > Funnel.UNAWARE  # everyone who left "unaware": the unique reach
    reached = float(aware.sum()) * k
    direct = float((bought & (brand.channel == 1)).sum()) * k
    wom = float((bought & (brand.channel == 2)).sum()) * k
    conversions = direct + wom
    spend = brand.spend
    camp = brand.campaign
    return {
        "brand": brand.name,
        "strategy": brand.strategy,
        "creators_hired": len(camp.creators),
        "posts": int(bc["posts"].sum()),  # posts that went up (a run may end before the plan does)
        "goal": brand.goal,
        "budget": brand.budget,
        "spend": spend,
        "planned_spend": camp.spend,  # what the booked posts cost; spend lags it if the run ends first
        "unspent_budget": brand.budget - spend,
        "spend_share": _div(spend, brand.budget),
        "impressions": impressions,
        "unique_reach": reached,
        "post_reach": float(brand.post_reached.sum()) * k,
        "share_aware": float(aware.mean()) if len(aware) else float("nan"),
        "aware_not_bought": float((aware & ~bought).sum()) * k,
        "cost_per_thousand_reached": _div(1000 * spend, reached),
        "engagements": engagements,
        "engagement_rate": _div(engagements, impressions),
        "clicks": clicks,
        "ctr": _div(clicks, impressions),
        "conversions": conversions,
        "conversions_direct": direct,
        "conversions_wom": wom,
        "conversion_rate": conversions / model.market.population,
        "revenue": brand.revenue,
        "profit": brand.profit,
        "roi": _div(brand.profit, spend),
        "cpa": _div(spend, conversions),
        "cpm": _div(1000 * spend, impressions),
        "cpe": _div(spend, engagements),
        "mean_trust_hired": float(model.trust[brand.hired_edges].mean()) if len(brand.hired_edges) else float("nan"),
        "audience_overlap": brand.overlap,
        "market_share": market_share(model, brand),
        # why a strategy wins (docs/MODEL.md 3.3.12): the status of the creators whose posts
        # went up, and how much status weighed for the people who clicked
        "mean_status_posted": _weighted_mean(model.creator_status, bc["posts"]),
        "status_weight_clicked": float(brand.status_weight[clicked].mean()) if clicked.any() else float("nan"),
    }


def summary_table(model: InfluencerModel) -> pd.DataFrame:
    return pd.DataFrame([brand_summary(model, b) for b in model.brands])


def creator_table(model: InfluencerModel) -> pd.DataFrame:
    """Per creator: traits, organic engagement rate per follower per post, campaign tallies.

    ``organic_engagement_rate`` is engagements / (real followers x posts): the figure the
    published engagement-by-tier rates measure.
    """
    m, k = model.market, model.people_per_agent
    org = model.organic
    audience = np.diff(m.follow_indptr)
    trust_sum = np.bincount(model.creator_of_edge, weights=model.trust, minlength=m.n_creators)
    df = pd.DataFrame(
        {
            "creator": np.arange(m.n_creators),
            "tier": [TIERS[t] for t in m.tier],
            "niche": [NICHES[n] for n in m.niche],
            "followers": m.followers,
            "audience_agents": audience,
            "fee": m.fee,
            "authenticity": m.authenticity,
            "relatability": m.relatability,
            "fake_share": m.fake_share,
            "mean_trust": np.divide(trust_sum, audience, out=np.full(m.n_creators, np.nan), where=audience > 0),
            "organic_posts": org["posts"],
            "organic_engagement_rate": np.divide(
                org["engagements"] * k,
                m.followers * org["posts"],
                out=np.full(m.n_creators, np.nan),
                where=org["posts"] > 0,
            ),
        }
    )
    for brand in model.brands:
        prefix = "" if len(model.brands) == 1 else f"{brand.name}_"
        tallies = {key: values * (1.0 if key in ("posts", "spend") else k) for key, values in brand.by_creator.items()}
        for key, values in tallies.items():
            df[prefix + key] = values
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = {
                "engagement_rate": tallies["engagements"] / tallies["impressions"],
                "ctr": tallies["clicks"] / tallies["impressions"],
                "cpa": tallies["spend"] / tallies["conversions"],
                "cpm": 1000 * tallies["spend"] / tallies["impressions"],
                "cpe": tallies["spend"] / tallies["engagements"],
            }
        for key, values in ratios.items():
            df[prefix + key] = np.where(np.isfinite(values), values, np.nan)
        if brand.name in model.portfolios:  # what the optimiser expected of each creator it chose
            chosen = model.portfolios[brand.name].table.set_index("creator")
            df[prefix + "in_portfolio"] = df["creator"].isin(chosen.index).to_numpy()
            for key in PORTFOLIO_COLUMNS:  # a creator left out adds nothing (its value per USD is 0 / 0)
                filler = np.nan if key == "marginal_value_per_1000_usd" else 0.0
                df[prefix + key] = chosen[key].reindex(df["creator"], fill_value=filler).to_numpy()
    return df


#: columns of an optimised portfolio (:class:`simulation.portfolio.Portfolio`) in the creator table
PORTFOLIO_COLUMNS = ("expected_contribution", "marginal_value", "marginal_value_per_1000_usd", "expected_events")
