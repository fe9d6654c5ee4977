"""The behaviour rules, in one place.

Every rule is a pure function of arrays (scalars work too): the model applies each
to all followers or all edges at once. Symbols, used throughout docs/MODEL.md:

====================  =========================================================
``T``                 trust of a follower in a creator (follow edge), 0-1
``R``, ``A``          creator relatability and authenticity, 0-1
``phi``               interest fit: the niche's interest share over the
                      follower's favourite niche's share, 0-1
``s``                 follower ad skepticism, 0-1
``beta``              follower price sensitivity
``k``                 sponsored views of this brand the follower has had
``dt``                step length in days
====================  =========================================================

Probabilities quoted "per day" are turned into per-step probabilities with
:func:`per_step`, so a shorter step leaves daily rates unchanged.
"""

from __future__ import annotations

import numpy as np


def per_step(p_day, dt):
    """Per-step chance of an event with daily chance ``p_day``: ``1 - (1 - p_day) ** dt``.

    Examples
    --------
    >>> round(float(per_step(0.5, 0.5)), 4)
    0.2929
    >>> round(float(per_step(0.3, 1.0)), 12)
    0.3
    """
    return 1.0 - (1.0 - np.asarray(p_day, dtype=float)) ** dt


def view_probability(reach, attention, n_follows):
    """Chance a follower sees one post of a creator they follow.

    ``P(view) = reach_c * min(1, attention_i / n_follows_i)``: reach falls with audience
    size (``reach_c`` is set per creator), and a follower who follows more creators than
    their attention covers sees proportionally less of each.

    Examples
    --------
    >>> float(view_probability(0.3, 8.0, 16))
    0.15
    """
    return reach * np.minimum(1.0, attention / np.maximum(n_follows, 1))


def engagement_probability(rate, trust, relatability, fit, sponsored=False, authenticity=1.0, discount=0.0):
    """Chance a follower who saw a post engages (like, save, comment).

    ``P(engage | view) = rate * T * R * phi * d``, where ``d = 1`` for organic posts and
    ``d = 1 - discount * (1 - A)`` for sponsored ones: sponsored content is discounted,
    less so from authentic creators.

    Examples
    --------
    >>> float(engagement_probability(0.2, 0.5, 0.5, 1.0))
    0.05
    >>> round(float(engagement_probability(0.2, 0.5, 0.5, 1.0, sponsored=True, authenticity=0.5, discount=0.5)), 6)
    0.0375
    """
    d = 1.0 - discount * (1.0 - authenticity) if sponsored else 1.0
    return rate * trust * relatability * fit * d


def ad_acceptance(skepticism, authenticity):
    """How much of a sponsored message a follower accepts: ``1 - s * (1 - A)``.

    A skeptic discounts ads from inauthentic creators; an authentic creator's
    recommendation passes almost whole.
    """
    return 1.0 - skepticism * (1.0 - authenticity)


def wearout(views, scale):
    """Effect of the ``k``-th sponsored view relative to the first: ``exp(-(k - 1) / scale)``.

    Examples
    --------
    >>> float(wearout(1, 3.0))
    1.0
    >>> round(float(wearout(4, 3.0)), 4)
    0.3679
    """
    return np.exp(-(np.maximum(views, 1) - 1) / scale)


def click_probability(rate, trust, relatability, creator_fit, product_fit, acceptance, wear):
    """Chance a sponsored view makes the follower click (aware -> interested).

    ``P(click | view) = rate * T * R * f_c * phi_b * (1 - s (1 - A)) * w(k)``,
    with ``f_c = 1`` when the product is in the creator's niche and ``off_niche_fit``
    otherwise, ``phi_b`` the follower's interest fit for the product's niche and
    ``w(k)`` the wear-out of repeated exposure.

    Examples
    --------
    >>> round(float(click_probability(0.2, 0.8, 0.6, 1.0, 1.0, 1.0, 1.0)), 4)
    0.096
    """
    return rate * trust * relatability * creator_fit * product_fit * acceptance * wear


def price_factor(price, sensitivity, price_ref):
    """Purchase odds kept at a given price: ``exp(-beta * price / price_ref)``."""
    return np.exp(-sensitivity * price / price_ref)


def social_proof(friends_bought, friends, weight):
    """Lift from friends who bought: ``1 + weight * bought / friends`` (1 with no friends)."""
    share = np.divide(
        friends_bought, friends, out=np.zeros_like(friends_bought, dtype=float), where=np.asarray(friends) > 0
    )
    return 1.0 + weight * share


def purchase_probability(rate, trust, price_kept, proof, warned, negative_effect):
    """Chance an interested follower buys now.

    ``P(buy) = min(1, rate * T * exp(-beta p / p_ref) * (1 + sp * share_bought) * (1 - neg * warned))``:
    trust in the recommending creator, price, social proof and negative word of mouth.

    Examples
    --------
    >>> float(purchase_probability(0.5, 1.0, 1.0, 1.0, False, 0.5))
    0.5
    >>> float(purchase_probability(0.5, 1.0, 1.0, 4.0, True, 0.5))
    1.0
    """
    p = rate * trust * price_kept * proof * (1.0 - negative_effect * np.asarray(warned, dtype=float))
    return np.minimum(p, 1.0)


def told_conversion_probability(conversion, product_fit, price_kept, warned, negative_effect, persuasion=True):
    """Chance a friend who was told about a product buys it at once.

    ``P = conversion * phi_b * exp(-beta p / p_ref) * (1 - neg * warned)`` with persuasion,
    or the constant ``conversion`` without it (the independent cascade).
    """
    if not persuasion:
        return np.full(np.shape(product_fit), float(conversion))
    return conversion * product_fit * price_kept * (1.0 - negative_effect * np.asarray(warned, dtype=float))


def trust_after_organic_view(trust, *, authenticity, ad_load, engaged, responsiveness, gain, erosion):
    """Trust after one organic view of a creator's content (a share ``ad_load`` of which is
    other brands' ads).

    ``T' = clip(T + gain * A * (1 - T) * (1 - ad_load) * (1 + resp * engaged)
    - erosion * (1 - A) * ad_load * T, 0, 1)``: authentic content builds trust, more so
    when the creator answers the follower's engagement; the background ads erode it.

    Examples
    --------
    >>> round(float(trust_after_organic_view(
    ...     0.5, authenticity=1.0, ad_load=0.0, engaged=False, responsiveness=0.0, gain=0.1, erosion=0.1)), 4)
    0.55
    >>> round(float(trust_after_organic_view(
    ...     0.5, authenticity=0.5, ad_load=0.5, engaged=False, responsiveness=0.0, gain=0.0, erosion=0.1)), 4)
    0.4875
    """
    up = gain * authenticity * (1.0 - trust) * (1.0 - ad_load) * (1.0 + responsiveness * engaged)
    down = erosion * (1.0 - authenticity) * ad_load * trust
    return np.clip(trust + (up - down), 0.0, 1.0)


def trust_after_ad_view(trust, *, authenticity, off_niche, erosion):
    """Trust after one view of a brand's sponsored post (ad erosion).

    ``T' = T * (1 - erosion * (1 - A) * (1 + off_niche))``, ``off_niche`` 1 when the product
    is outside the creator's niche and 0 otherwise: an inauthentic creator's ads cost trust,
    off-niche ads twice as much. Stays in [0, 1] for ``erosion`` at most 1/2.

    Examples
    --------
    >>> round(float(trust_after_ad_view(0.5, authenticity=0.0, off_niche=1, erosion=0.1)), 4)
    0.4
    >>> float(trust_after_ad_view(0.5, authenticity=1.0, off_niche=1, erosion=0.1))
    0.5
    """
    return np.clip(trust * (1.0 - erosion * (1.0 - authenticity) * (1.0 + off_niche)), 0.0, 1.0)


def disappointment(trust, loss):
    """Trust left in a creator whose recommended product disappointed: ``T * (1 - loss)``."""
    return trust * (1.0 - loss)


def mean_field_tell_probability(contacts, dt, tellers, population):
    """Chance a given person hears from at least one of ``tellers`` in a step, mean field.

    Each teller talks to ``contacts * dt`` random people a step, so each pair meets with
    ``q = contacts * dt / (N - 1)`` and ``P = 1 - (1 - q) ** tellers``. With conversion 1
    this is the imitation term ``q F dt`` of the Bass model.
    """
    q = min(1.0, contacts * dt / max(population - 1, 1))
    return 1.0 - (1.0 - q) ** tellers


# ----------------------------------------------------------------------------
# When does a large creator win? (docs/MODEL.md, "Where each strategy wins")
# ----------------------------------------------------------------------------


def creator_status(followers, floor, full):
    """A creator's status (celebrity, aspirational appeal) from audience size, 0-1.

    ``S = clip(ln(F / F_0) / ln(F_1 / F_0), 0, 1)``: zero for the smallest creators
    (``F_0 = creators.nano_min``), one at ``F_1 = creators.status_full`` followers, and
    growing with each tenfold of audience in between. Status is what a celebrity lends a
    product beyond the message itself (Doshi, Ranganathan & Rao 2021).

    Examples
    --------
    >>> [round(float(s), 2) for s in creator_status([1_000, 10_000, 1_000_000, 5e7], 1_000, 1e7)]
    [0.0, 0.25, 0.75, 1.0]
    """
    ratio = np.maximum(np.asarray(followers, dtype=float), floor) / floor
    return np.clip(np.log(ratio) / np.log(full / floor), 0.0, 1.0)


def involvement(category_interest, product_fit):
    """How involved a follower is with the product: ``iota = c * phi_b``, 0-1.

    ``c`` is the customers' interest in the product category (``brand.category_interest``)
    and ``phi_b`` the follower's interest fit for the product's niche.

    Examples
    --------
    >>> float(involvement(0.5, 0.8))
    0.4
    """
    return category_interest * product_fit


def status_weight(luxury, involvement):
    """Share of a sponsored message's appeal that comes from the creator's status.

    ``omega = 1 - (1 - lambda) * iota``. Two published regularities meet here:

    - luxury and aspirational products (``lambda`` towards 1) sell on status, everyday
      products on similarity (Doshi, Ranganathan & Rao 2021: as the product moves from
      luxury to non-luxury, celebrities' performance declines and nano-influencers'
      improves);
    - a follower little involved with the product (``iota`` small) is persuaded by
      peripheral cues such as the source's fame, an involved one by the source's
      relevance (Petty, Cacioppo & Schumann 1983, the elaboration likelihood model),
      so as customers' interest falls celebrities gain (Doshi et al. 2021).

    Examples
    --------
    >>> float(status_weight(0.0, 1.0)), float(status_weight(1.0, 1.0)), float(status_weight(0.0, 0.25))
    (0.0, 1.0, 0.75)
    """
    return 1.0 - (1.0 - luxury) * involvement


def source_appeal(relatability, status, weight):
    """Persuasive appeal of the creator behind a sponsored post: ``a = (1 - omega) R + omega S``.

    Relatability ``R`` (similarity) carries the message for an everyday product and an
    involved follower; status ``S`` for a luxury product or a follower who hardly cares.
    The appeal takes the place of ``R`` in :func:`click_probability`, so relatability is
    not counted twice; trust ``T`` (credibility) enters separately, as before.

    Examples
    --------
    >>> float(source_appeal(0.6, 0.2, 0.0)), float(source_appeal(0.6, 0.2, 1.0)), float(source_appeal(0.6, 0.2, 0.5))
    (0.6, 0.2, 0.4)
    """
    return (1.0 - weight) * relatability + weight * status


def tie_weakening(base, customization, familiarity, customization_effect, familiarity_effect):
    """How steeply a larger audience weakens engagement with sponsored content.

    ``q = q_0 * (1 - e_c * kappa) * (1 - e_f * (1 - nu))``: content customization ``kappa``
    and an unfamiliar brand (low ``nu``) signal that the creator values the relationship
    with followers and flatten the curve (Wies, Bleier & Edeling 2023).

    Examples
    --------
    >>> float(tie_weakening(1.6, 0.0, 1.0, 0.5, 0.5)), float(tie_weakening(1.6, 1.0, 0.0, 0.5, 0.5))
    (1.6, 0.4)
    """
    return base * (1.0 - customization_effect * customization) * (1.0 - familiarity_effect * (1.0 - familiarity))


def relationship_strength(followers, tie_scale, weakening):
    """Engagement kept on a sponsored post for the follower-creator relationship:
    ``m = (1 + F / F_tie) ** -q``.

    A larger audience means broader reach but cues a weaker relationship that lowers each
    follower's chance to engage with sponsored content (Wies, Bleier & Edeling 2023).
    Sponsored engagements per post grow as ``F^0.8`` from reach and organic engagement, so
    with ``q`` above about 0.8 they rise, peak near ``F_tie * 0.8 / (q - 0.8)`` and fall:
    the inverted U of follower count. Organic posts are not affected.

    Examples
    --------
    >>> float(relationship_strength(0.0, 1e6, 1.6)), round(float(relationship_strength(1e6, 1e6, 1.0)), 3)
    (1.0, 0.5)
    """
    return (1.0 + np.asarray(followers, dtype=float) / tie_scale) ** (-weakening)


def recommender_pull(trust, status, weight):
    """What the recommending creator adds to an interested follower's decision to buy:
    ``pull = (1 - omega) T + omega S``.

    The purchase stage mirrors the click (:func:`source_appeal`): for an everyday product
    and an involved follower the recommendation is as good as the follower's trust in
    the creator (credibility); for a luxury product, or a follower who hardly cares,
    owning what a celebrity shows is part of the purchase, so the creator's status
    ``S`` carries it (Doshi, Ranganathan & Rao 2021: celebrities' conversions rise as the
    product moves towards luxury). At ``omega = 0`` this is the trust factor of
    :func:`purchase_probability` as before.

    Examples
    --------
    >>> float(recommender_pull(0.6, 0.9, 0.0)), float(recommender_pull(0.6, 0.9, 1.0)), float(recommender_pull(0.6, 0.9, 0.5))
    (0.6, 0.9, 0.75)
    """
    return (1.0 - weight) * trust + weight * status


def out_of_market(rival_bought_step, step, repurchase_steps):
    """Whether a follower is out of the market for a product: they bought a substitute (a
    rival brand's product of the same niche) less than ``repurchase_steps`` steps ago.

    ``out = OR_r [b_r >= 0 and step - b_r < L]`` over the rivals' purchase steps ``b_r``
    (-1: never bought), one row per rival; ``L = 0`` puts nobody out.

    Examples
    --------
    >>> out_of_market([[-1, 3, 3, 11], [-1, -1, 20, -1]], 20, 10).tolist()
    [False, False, True, True]
    >>> out_of_market([5], 5, 0).tolist()
    [False]
    """
    bought = np.atleast_2d(np.asarray(rival_bought_step))
    return ((bought >= 0) & (step - bought < repurchase_steps)).any(axis=0)


def eventual_purchase_probability(now, later, fade):
    """Chance a follower who just clicked buys at all: at once, or later before losing interest.

    ``P = b0 + (1 - b0) * q / (q + (1 - q) d)``: buy at once with ``b0``; otherwise each
    later step buy with ``q``, or (not buying) lose interest with ``d``, until one happens
    (the consideration phase, :func:`purchase_probability` and ``funnel.interest_decay``
    per step), over an open horizon. ``q = d = 0`` never decides: ``P = b0``.

    Examples
    --------
    >>> float(eventual_purchase_probability(0.5, 0.1, 0.1))  # 0.5 + 0.5 * 0.1 / 0.19
    0.763157894736842
    >>> float(eventual_purchase_probability(0.2, 0.0, 0.0))
    0.2
    """
    later = np.asarray(later, dtype=float)
    decided = later + (1.0 - later) * np.asarray(fade, dtype=float)
    eventually = np.divide(later, decided, out=np.zeros(np.broadcast(later, decided).shape), where=decided > 0)
    return now + (1.0 - now) * eventually
