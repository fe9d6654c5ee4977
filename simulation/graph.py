"""The social graph: creators, followers, follow edges and friendships.

The model runs on a :class:`Market`, a set of flat arrays (CSR edge lists), because a
day's update is array arithmetic over every edge; :func:`generate_market` builds a
synthetic one. NetworkX conversion and graph files (``build_graph``, ``to_networkx``,
``market_from_graph``, ``load_graph``, ``save_graph``) are in :mod:`simulation.graph_io`
(see ``docs/GRAPH_FORMAT.md`` for the attribute conventions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .boundary import check_memory
from .params import BY_KEY, NICHES, TIERS, resolve

REFERENCE_FOLLOWERS = 10_000.0  # creator traits are quoted at this follower count
MAX_FAKE_SHARE = BY_KEY["creators.fake_share_ref"].high  # no creator is more fake than the declared bound
TRUST_FLOOR = 0.01  # initial trust is at least this: a follower who follows trusts a little
REDRAW_ROUNDS = 50  # audience shortfalls are redrawn at most this often (a few rounds suffice in practice)
BIG_AUDIENCE_DIVISOR = 5  # audiences above 1/5 of all followers are drawn without replacement
MIN_SAMPLING_WEIGHT = 1e-300  # keeps log(u) / weight finite for a follower with no interest in a niche


@dataclass
class Market:
    """Everything static about a simulated market, as arrays.

    Followers are indexed ``0..n_followers-1`` and creators ``0..n_creators-1``.
    Follow edges are sorted by creator: creator ``c``'s audience is
    ``follow_follower[follow_indptr[c]:follow_indptr[c+1]]``.
    """

    population: float
    # followers
    interests: np.ndarray  # (N, K) shares over NICHES, rows sum to 1
    skepticism: np.ndarray  # (N,)
    price_sensitivity: np.ndarray  # (N,)
    attention: np.ndarray  # (N,)
    # creators
    niche: np.ndarray  # (C,) index into NICHES
    followers: np.ndarray  # (C,) real follower count (people, fakes included)
    tier: np.ndarray  # (C,) index into TIERS
    relatability: np.ndarray
    authenticity: np.ndarray
    responsiveness: np.ndarray
    reach: np.ndarray  # share of real audience seeing one post
    fake_share: np.ndarray
    ad_load: np.ndarray
    fee: np.ndarray  # USD per sponsored post
    # edges
    follow_indptr: np.ndarray  # (C+1,)
    follow_follower: np.ndarray  # (E,)
    trust: np.ndarray  # (E,) initial trust on each follow edge
    friend_indptr: np.ndarray  # (N+1,)
    friend_index: np.ndarray  # (2M,) both directions
    labels: dict[str, Any] = field(default_factory=dict)  # original node labels, if loaded

    @property
    def n_followers(self) -> int:
        return len(self.skepticism)

    @property
    def n_creators(self) -> int:
        return len(self.niche)

    @property
    def people_per_agent(self) -> float:
        return self.population / self.n_followers

    # Arrays derived from the market alone, computed on first use and shared (read-only) by
    # every model built on this market: a market is not changed once built.
    @cached_property
    def follow_creator(self) -> np.ndarray:
        """Creator index of each follow edge."""
        return _frozen(np.repeat(np.arange(self.n_creators, dtype=np.int32), np.diff(self.follow_indptr)))

    @cached_property
    def follows_per_follower(self) -> np.ndarray:
        """How many creators each follower follows."""
        return _frozen(np.bincount(self.follow_follower, minlength=self.n_followers))

    @cached_property
    def follow_fit(self) -> np.ndarray:
        """Interest fit of each follow edge: the creator's niche for its follower (:func:`interest_fit`)."""
        return _frozen(interest_fit(self.interests, self.follow_follower, self.niche[self.follow_creator]))

    @cached_property
    def friend_count(self) -> np.ndarray:
        """How many friends each follower has."""
        return _frozen(np.diff(self.friend_indptr))

    @cached_property
    def follows_by_follower(self) -> tuple[np.ndarray, np.ndarray]:
        """Follow edges grouped by follower, as CSR ``(indptr, edges)``: follower ``i``'s edges
        are ``edges[indptr[i]:indptr[i + 1]]``."""
        edges = np.argsort(self.follow_follower, kind="stable")
        return _frozen(csr_indptr(self.follow_follower[edges], self.n_followers)), _frozen(edges)

    def audience(self, creator: int) -> np.ndarray:
        """Follower indices of one creator."""
        return self.follow_follower[self.follow_indptr[creator] : self.follow_indptr[creator + 1]]

    def friends(self, follower: int) -> np.ndarray:
        return self.friend_index[self.friend_indptr[follower] : self.friend_indptr[follower + 1]]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


# ----------------------------------------------------------------------------
# generation
# ----------------------------------------------------------------------------


def tier_of(followers: np.ndarray, bounds: dict[str, float]) -> np.ndarray:
    """Tier index (0 nano .. 3 mega) of each follower count, given ``{tier}_min`` bounds.

    Examples
    --------
    >>> tier_of(np.array([5_000, 50_000, 500_000, 5_000_000]),
    ...         {"micro_min": 10_000, "macro_min": 100_000, "mega_min": 1_000_000}).tolist()
    [0, 1, 2, 3]
    """
    edges = [bounds["micro_min"], bounds["macro_min"], bounds["mega_min"]]
    return np.searchsorted(edges, followers, side="right").astype(np.int8)


def truncated_pareto(rng: np.random.Generator, low: float, high: float, alpha: float, size: int) -> np.ndarray:
    """Draws from a Pareto(alpha) law truncated to [low, high], by inverting its CDF."""
    u = rng.random(size)
    ratio = (low / high) ** alpha
    return low * (1.0 - u * (1.0 - ratio)) ** (-1.0 / alpha)


def creator_traits(followers: np.ndarray, p: dict[str, Any], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Traits of creators that scale with audience size (see docs/MODEL.md, "Creators").

    ``trait = ref * (F / 10,000) ** -exponent * lognormal(trait_sd)``, clipped to [0, 1];
    reach and fake share follow the same reference point; the fee follows the rate card.
    """
    n = len(followers)
    x = followers / REFERENCE_FOLLOWERS
    sd = p["trait_sd"]

    def noisy(ref, exponent):
        noise = np.exp(sd * rng.standard_normal(n) - sd * sd / 2)
        return np.clip(ref * x ** (-exponent) * noise, 0.0, 1.0)

    fee_noise = np.exp(p["fee_sd"] * rng.standard_normal(n) - p["fee_sd"] ** 2 / 2)
    return {
        "relatability": noisy(p["relatability_ref"], p["relatability_exponent"]),
        "authenticity": noisy(p["authenticity_ref"], p["authenticity_exponent"]),
        "responsiveness": noisy(p["responsiveness_ref"], p["responsiveness_exponent"]),
        "reach": np.clip(p["reach_ref"] * x ** (-p["reach_exponent"]), 0.0, 1.0),
        "fake_share": np.clip(p["fake_share_ref"] + p["fake_share_per_decade"] * np.log10(x), 0.0, MAX_FAKE_SHARE),
        "ad_load": np.clip(
            p["ad_load"] * np.exp(p["ad_load_sd"] * rng.standard_normal(n) - p["ad_load_sd"] ** 2 / 2), 0.0, 1.0
        ),
        "fee": p["fee_per_follower"] * REFERENCE_FOLLOWERS * x ** p["fee_exponent"] * fee_noise,
    }


def _creator_population(p: dict[str, Any], rng: np.random.Generator):
    shares = np.array([p[f"share_{t}"] for t in TIERS], dtype=float)
    counts = np.floor(shares / shares.sum() * p["count"] + 0.5).astype(int)
    minimum = p["min_per_niche"] * len(NICHES)
    counts = np.where(shares > 0, np.maximum(counts, minimum), 0)
    bounds = [p["nano_min"], p["micro_min"], p["macro_min"], p["mega_min"], p["mega_max"]]
    niche, followers, tier = [], [], []
    for t, n in enumerate(counts):
        if n == 0:
            continue
        cyclic = np.arange(minimum) % len(NICHES)
        rest = rng.integers(0, len(NICHES), n - minimum)
        niche.append(np.concatenate([cyclic, rest]))
        followers.append(truncated_pareto(rng, bounds[t], bounds[t + 1], p["size_alpha"], n))
        tier.append(np.full(n, t))
    return (
        np.concatenate(niche).astype(np.int8),
        np.concatenate(followers),
        np.concatenate(tier).astype(np.int8),
    )


def follower_traits(p: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Traits of ``n`` followers drawn from the ``followers`` parameters: interests (Dirichlet
    shares over NICHES), skepticism, price sensitivity and attention, keyed as on :class:`Market`."""
    k = len(NICHES)
    interests = rng.dirichlet(np.full(k, p["interest_concentration"]), size=n)
    # rows of tiny Dirichlet draws can underflow to all-zero; give them a uniform taste
    bad = ~np.isfinite(interests).all(axis=1) | (interests.sum(axis=1) <= 0)
    interests[bad] = 1.0 / k
    skepticism = np.clip(p["skepticism_mean"] + p["skepticism_sd"] * rng.standard_normal(n), 0, 1)
    price = np.clip(p["price_sensitivity_mean"] + p["price_sensitivity_sd"] * rng.standard_normal(n), 0, None)
    attention = p["attention"] * np.exp(p["attention_sd"] * rng.standard_normal(n))
    return {"interests": interests, "skepticism": skepticism, "price_sensitivity": price, "attention": attention}


def stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round each value up with probability equal to its fractional part (unbiased)."""
    base = np.floor(x)
    return (base + (rng.random(len(x)) < x - base)).astype(np.int64)


def _sample_audiences(
    sizes: np.ndarray, niche: np.ndarray, weights_by_niche: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``sizes[c]`` distinct followers for each creator, weighted by niche interest.

    Creators of one niche are drawn together, with replacement, then duplicates are
    dropped and the shortfall drawn again; creators wanting more than a fifth of all
    followers are drawn without replacement by Efraimidis-Spirakis keys.
    Returns (creator, follower) pairs sorted by creator, then follower.
    """
    n = weights_by_niche.shape[1]
    out_c, out_f = [], []
    big = sizes > n // BIG_AUDIENCE_DIVISOR
    for c in np.flatnonzero(big):
        w = weights_by_niche[niche[c]]
        keys = np.log(rng.random(n)) / np.maximum(w, MIN_SAMPLING_WEIGHT)
        chosen = np.argpartition(-keys, sizes[c] - 1)[: sizes[c]]
        out_c.append(np.full(len(chosen), c, dtype=np.int64))
        out_f.append(chosen.astype(np.int64))
    for k in range(len(NICHES)):
        members = np.flatnonzero((niche == k) & ~big & (sizes > 0))
        if len(members) == 0:
            continue
        cdf = np.cumsum(weights_by_niche[k])
        cdf /= cdf[-1]
        need = sizes[members].copy()
        have = np.empty(0, dtype=np.int64)  # sorted keys creator * n + follower
        got = np.zeros(len(sizes), dtype=np.int64)
        for _ in range(REDRAW_ROUNDS):
            if need.sum() == 0:
                break
            owners = np.repeat(members, need)
            draws = np.searchsorted(cdf, rng.random(len(owners)), side="right")
            draws = np.minimum(draws, n - 1)
            have, added = _merge_unique(have, owners * n + draws)
            got += np.bincount(added // n, minlength=len(sizes))
            need = np.maximum(sizes[members] - got[members], 0)
        out_c.append(have // n)
        out_f.append(have % n)
    creators = np.concatenate(out_c) if out_c else np.empty(0, dtype=np.int64)
    followers = np.concatenate(out_f) if out_f else np.empty(0, dtype=np.int64)
    keys = np.sort(creators * n + followers)  # pairs are distinct: one sort orders both columns
    return keys // n, keys % n


def sorted_unique(values: np.ndarray, return_first: bool = False):
    """Sorted distinct ``values`` (with ``return_first``, also where each first occurs), by sorting.

    The result of ``np.unique(values, return_index=return_first)``, faster: numpy >= 2.3
    dedupes a plain ``unique`` with a hash table, ~50x slower than a sort on millions of
    scattered int64 keys, and ``return_index`` uses a stable argsort, several times slower
    than one int64 sort of ``value * n + position`` (the position keeps each value's first
    occurrence first).

    Examples
    --------
    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    >>> [a.tolist() for a in sorted_unique(np.array([3, 1, 3, 2]), return_first=True)]
    [[1, 2, 3], [1, 3, 0]]
    """
    if not return_first:
        values = np.sort(values)
        return values[_starts_of_runs(values)]
    n = len(values)
    if n == 0 or int(values.max()) >= np.iinfo(np.int64).max // n - 1:
        return np.unique(values, return_index=True)
    key = values.astype(np.int64) * n + np.arange(n)
    key.sort()
    value = key // n
    keep = _starts_of_runs(value)
    return value[keep].astype(values.dtype, copy=False), key[keep] % n


def _starts_of_runs(sorted_values: np.ndarray) -> np.ndarray:
    """True where a sorted array's value differs from the one before (and at 0)."""
    keep = np.ones(len(sorted_values), dtype=bool)
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=keep[1:])
    return keep


def _merge_unique(have: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of the sorted unique ``have`` with ``new``: (union, keys that were added).

    Costs one copy of ``have`` plus a sort of ``new``, so redrawing a small shortfall
    does not re-sort everything drawn before.
    """
    new = sorted_unique(new)
    if len(have):
        at = np.searchsorted(have, new)
        present = have[np.minimum(at, len(have) - 1)] == new
        new, at = new[~present], at[~present]
        return np.insert(have, at, new), new
    return new, new


def friendship_csr(favourite: np.ndarray, p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Friend graph of tight-knit, niche-homophilous communities, as CSR arrays.

    Followers are sorted by favourite niche and cut into communities of about
    ``community_size``. Each follower makes Poisson(``friends_within``) ties to
    random members of its community and Poisson(``friends_across``) ties outside it,
    to a follower of the same favourite niche with probability ``friend_homophily``.
    Ties are undirected; duplicates and self-loops are dropped.
    """
    n = len(favourite)
    order = np.lexsort((rng.random(n), favourite))  # followers grouped by niche
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    size = max(2, int(p["community_size"]))
    community_start = (position // size) * size
    community_len = np.minimum(size, n - community_start)
    niche_start = np.searchsorted(favourite[order], favourite, side="left")
    niche_len = np.searchsorted(favourite[order], favourite, side="right") - niche_start

    k_in = rng.poisson(p["friends_within"], n)
    src_in = np.repeat(np.arange(n), k_in)
    dst_in = order[community_start[src_in] + rng.integers(0, community_len[src_in])]

    k_out = rng.poisson(p["friends_across"], n)
    src_out = np.repeat(np.arange(n), k_out)
    same = rng.random(len(src_out)) < p["friend_homophily"]
    pos = np.where(
        same,
        niche_start[src_out] + (rng.random(len(src_out)) * niche_len[src_out]).astype(np.int64),
        rng.integers(0, n, len(src_out)),
    )
    dst_out = order[pos]

    src = np.concatenate([src_in, src_out])
    dst = np.concatenate([dst_in, dst_out])
    return undirected_csr(src, dst, n)


def csr_indptr(rows: np.ndarray, n: int) -> np.ndarray:
    """Row pointers of a CSR array whose entries, sorted by row, have these row indices.

    Examples
    --------
    >>> csr_indptr(np.array([0, 0, 2]), 4).tolist()
    [0, 2, 2, 3, 3]
    """
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr


def csr_row_entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated ``range(indptr[r], indptr[r + 1])`` for each row ``r`` of a CSR array.

    Examples
    --------
    >>> csr_row_entries(np.array([0, 2, 2, 5]), np.array([2, 0])).tolist()
    [2, 3, 4, 0, 1]
    """
    starts = indptr[rows]
    lens = indptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    return np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)


def undirected_csr(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Friendship CSR arrays (both directions, by row then column) of ties ``src[i] - dst[i]``
    among ``n`` followers; duplicates and self-loops are dropped."""
    keep = src != dst
    lo = np.minimum(src[keep], dst[keep]).astype(np.int64)
    hi = np.maximum(src[keep], dst[keep]).astype(np.int64)
    pairs = sorted_unique(lo * n + hi)
    lo, hi = pairs // n, pairs % n
    keys = np.sort(np.concatenate([lo * n + hi, hi * n + lo]))  # both directions, by row then column
    rows, cols = keys // n, keys % n
    indptr = csr_indptr(rows, n)
    return indptr, cols.astype(np.int32)


def initial_trust(authenticity: np.ndarray, relatability: np.ndarray, sd: float, rng) -> np.ndarray:
    """Initial trust on follow edges: ``clip(sqrt(authenticity * relatability) + sd * z, TRUST_FLOOR, 1)``."""
    return np.clip(np.sqrt(authenticity * relatability) + sd * rng.standard_normal(len(authenticity)), TRUST_FLOOR, 1.0)


def interest_fit(interests: np.ndarray, follower: np.ndarray, niche: np.ndarray) -> np.ndarray:
    """How much a niche matters to a follower, relative to their favourite niche (0-1)."""
    return interests[follower, niche] / interests.max(axis=1)[follower]


def generate_market(params: dict[str, Any] | None = None, seed=None) -> Market:
    """Generate a synthetic market from resolved scenario parameters.

    Parameters
    ----------
    params : dict, optional
        Resolved parameters (``simulation.params.resolve``); defaults when omitted.
    seed : int, SeedSequence or Generator, optional
        Source of all randomness.

    Examples
    --------
    >>> m = generate_market(resolve({"market": {"followers": 2000}}), seed=1)
    >>> m.n_followers, m.n_creators > 0, bool((m.trust <= 1).all())
    (2000, True, True)
    """
    params = params if params is not None else resolve()
    check_memory(params)  # refuse a market that cannot fit before building any of it
    rng = np.random.default_rng(seed)
    mp, fp, cp, tp = params["market"], params["followers"], params["creators"], params["trust"]
    n = int(mp["followers"])
    niche, followers, tier = _creator_population(cp, rng)
    traits = creator_traits(followers, cp, rng)
    people = follower_traits(fp, n, rng)

    agents_per_person = n / mp["population"]
    sizes = stochastic_round(followers * (1 - traits["fake_share"]) * agents_per_person, rng)
    sizes = np.minimum(sizes, n)
    h = cp["homophily"]
    weights_by_niche = h * people["interests"].T * len(NICHES) + (1 - h)
    creators, audience = _sample_audiences(sizes, niche, weights_by_niche, rng)
    trust = initial_trust(traits["authenticity"][creators], traits["relatability"][creators], tp["initial_sd"], rng)
    favourite = people["interests"].argmax(axis=1)
    return build_market(
        population=mp["population"],
        follower_traits=people,
        niche=niche,
        followers=followers,
        tier=tier,
        creator_traits=traits,
        follow_creator=creators,
        follow_follower=audience,
        trust=trust,
        friends=friendship_csr(favourite, fp, rng),
    )


def build_market(
    *,
    population: float,
    follower_traits: dict[str, np.ndarray],
    niche: np.ndarray,
    followers: np.ndarray,
    tier: np.ndarray,
    creator_traits: dict[str, np.ndarray],
    follow_creator: np.ndarray,
    follow_follower: np.ndarray,
    trust: np.ndarray,
    friends: tuple[np.ndarray, np.ndarray],
    labels: dict[str, Any] | None = None,
) -> Market:
    """A :class:`Market` from its parts, in the dtypes the model expects.

    ``follower_traits`` and ``creator_traits`` are keyed as :func:`follower_traits` and
    :func:`creator_traits` return them; follow edges (``follow_creator``, ``follow_follower``,
    ``trust``) come sorted by creator; ``friends`` is ``(friend_indptr, friend_index)``.
    """
    return Market(
        population=float(population),
        niche=niche,
        followers=followers,
        tier=tier,
        follow_indptr=csr_indptr(follow_creator, len(niche)),
        follow_follower=np.asarray(follow_follower).astype(np.int32),
        trust=trust,
        friend_indptr=friends[0],
        friend_index=friends[1],
        labels=labels if labels is not None else {},
        **follower_traits,
        **creator_traits,
    )
