"""The behaviour rules, against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation import rules

RNG = np.random.default_rng(2024)
N = 10_000


def uniform(low=0.0, high=1.0):
    return RNG.uniform(low, high, N)


# --------------------------------------------------------------------------- per_step
@pytest.mark.parametrize(
    ("p_day", "dt", "expected"),
    [
        (0.5, 0.5, 1 - math.sqrt(0.5)),  # 0.29289...
        (0.3, 1.0, 0.3),
        (0.19, 2.0, 1 - 0.81**2),  # two days of 19%: 34.39%
        (0.0, 0.1, 0.0),
        (1.0, 0.1, 1.0),
    ],
)
def test_per_step_values(p_day, dt, expected):
    assert float(rules.per_step(p_day, dt)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("p_day", [0.01, 0.2, 0.5, 0.9, 0.999])
@pytest.mark.parametrize("parts", [2, 4, 10, 20])
def test_per_step_composes_to_the_daily_rate(p_day, parts):
    q = float(rules.per_step(p_day, 1.0 / parts))
    over_the_day = 1 - (1 - q) ** parts
    assert over_the_day == pytest.approx(p_day, rel=1e-12)


def test_per_step_half_day_applied_twice_is_the_day():
    q = float(rules.per_step(0.5, 0.5))
    assert q == pytest.approx(0.2928932188, abs=1e-10)
    over_the_day = 1 - (1 - q) * (1 - q)
    assert over_the_day == pytest.approx(0.5, abs=1e-12)


def test_per_step_stays_in_unit_interval_and_grows_with_dt():
    p = uniform()
    small, big = rules.per_step(p, 0.1), rules.per_step(p, 0.9)
    assert ((small >= 0) & (small <= 1)).all() and ((big >= 0) & (big <= 1)).all()
    assert (big >= small).all()
    assert (small <= p).all()  # a shorter step has a smaller chance


# --------------------------------------------------------------------------- exposure
def test_view_probability_values():
    assert float(rules.view_probability(0.3, 8.0, 16)) == pytest.approx(0.15)
    # attention covers everyone followed: the creator's reach, unreduced
    assert float(rules.view_probability(0.3, 8.0, 4)) == pytest.approx(0.3)
    assert float(rules.view_probability(0.3, 8.0, 8)) == pytest.approx(0.3)
    # following nobody is treated as following one (no division by zero)
    assert float(rules.view_probability(0.3, 8.0, 0)) == pytest.approx(0.3)
    out = rules.view_probability(np.array([0.5, 0.5, 0.2]), np.array([2.0, 10.0, 1.0]), np.array([4, 4, 10]))
    np.testing.assert_allclose(out, [0.25, 0.5, 0.02])


def test_view_probability_falls_with_creators_followed():
    n_follows = np.arange(1, 200)
    p = rules.view_probability(0.4, 5.0, n_follows)
    assert (np.diff(p) <= 0).all()
    assert p[0] == pytest.approx(0.4) and p[-1] == pytest.approx(0.4 * 5 / 199)


# --------------------------------------------------------------------------- engagement
def test_engagement_probability_values():
    assert float(rules.engagement_probability(0.2, 0.5, 0.5, 1.0)) == pytest.approx(0.05)
    # sponsored, A = 0.5, discount 0.5: d = 1 - 0.5 * 0.5 = 0.75
    sponsored = rules.engagement_probability(0.2, 0.5, 0.5, 1.0, sponsored=True, authenticity=0.5, discount=0.5)
    assert float(sponsored) == pytest.approx(0.0375)
    # a wholly authentic creator's sponsored post is not discounted
    assert float(
        rules.engagement_probability(0.2, 0.5, 0.5, 1.0, sponsored=True, authenticity=1.0, discount=0.9)
    ) == pytest.approx(0.05)
    # a wholly inauthentic creator with full discount gets nothing
    assert float(rules.engagement_probability(0.2, 0.5, 0.5, 1.0, True, 0.0, 1.0)) == 0.0
    # the discount does not apply to organic posts
    assert float(rules.engagement_probability(0.2, 0.5, 0.5, 0.4, False, 0.0, 1.0)) == pytest.approx(0.02)


def test_engagement_probability_in_unit_interval():
    p = rules.engagement_probability(uniform(), uniform(), uniform(), uniform(), True, uniform(), uniform())
    assert ((p >= 0) & (p <= 1)).all()


def test_sponsored_discount_smaller_for_authentic_creators():
    a = np.linspace(0, 1, 11)
    p = rules.engagement_probability(0.2, 0.8, 0.6, 1.0, True, a, 0.5)
    assert (np.diff(p) > 0).all()


# --------------------------------------------------------------------------- funnel
def test_ad_acceptance_values():
    assert float(rules.ad_acceptance(0.4, 0.7)) == pytest.approx(0.88)
    assert float(rules.ad_acceptance(1.0, 0.0)) == 0.0
    assert float(rules.ad_acceptance(1.0, 1.0)) == 1.0
    assert float(rules.ad_acceptance(0.0, 0.2)) == 1.0
    p = rules.ad_acceptance(uniform(), uniform())
    assert ((p >= 0) & (p <= 1)).all()


def test_wearout_values_and_decrease():
    assert float(rules.wearout(1, 3.0)) == 1.0
    assert float(rules.wearout(4, 3.0)) == pytest.approx(math.exp(-1))
    assert float(rules.wearout(2, 0.5)) == pytest.approx(math.exp(-2))
    assert float(rules.wearout(0, 3.0)) == 1.0  # no view yet counts as the first
    w = rules.wearout(np.arange(1, 30), 3.0)
    assert (np.diff(w) < 0).all() and (w > 0).all() and (w <= 1).all()
    # a huge scale switches wear-out off
    assert float(rules.wearout(1000, 1e12)) == pytest.approx(1.0, abs=1e-8)


def test_click_probability_values():
    assert float(rules.click_probability(0.2, 0.8, 0.6, 1.0, 1.0, 1.0, 1.0)) == pytest.approx(0.096)
    # off-niche creator (fit 0.3), half interest, acceptance 0.88, second view at scale 3
    expected = 0.2 * 0.8 * 0.6 * 0.3 * 0.5 * 0.88 * math.exp(-1 / 3)
    p = rules.click_probability(0.2, 0.8, 0.6, 0.3, 0.5, rules.ad_acceptance(0.4, 0.7), rules.wearout(2, 3.0))
    assert float(p) == pytest.approx(expected)
    p = rules.click_probability(uniform(), uniform(), uniform(), uniform(), uniform(), uniform(), uniform())
    assert ((p >= 0) & (p <= 1)).all()


def test_price_factor_values():
    assert float(rules.price_factor(50.0, 1.0, 50.0)) == pytest.approx(math.exp(-1))
    assert float(rules.price_factor(40.0, 1.0, 50.0)) == pytest.approx(math.exp(-0.8))
    assert float(rules.price_factor(100.0, 0.5, 50.0)) == pytest.approx(math.exp(-1))
    assert float(rules.price_factor(0.0, 3.0, 50.0)) == 1.0  # free
    assert float(rules.price_factor(500.0, 0.0, 50.0)) == 1.0  # price-insensitive
    prices = np.linspace(1, 500, 50)
    kept = rules.price_factor(prices, 1.0, 50.0)
    assert (np.diff(kept) < 0).all() and (kept > 0).all() and (kept <= 1).all()


def test_social_proof_values():
    assert float(rules.social_proof(2, 4, 2.0)) == pytest.approx(2.0)  # 1 + 2 * 2/4
    assert float(rules.social_proof(0, 4, 2.0)) == 1.0
    assert float(rules.social_proof(0, 0, 2.0)) == 1.0  # no friends: no lift, no division by zero
    out = rules.social_proof(np.array([0, 1, 3, 0]), np.array([0, 2, 3, 5]), 1.0)
    np.testing.assert_allclose(out, [1.0, 1.5, 2.0, 1.0])
    assert np.isfinite(out).all()


def test_purchase_probability_values():
    assert float(rules.purchase_probability(0.5, 1.0, 1.0, 1.0, False, 0.5)) == 0.5
    assert float(rules.purchase_probability(0.5, 1.0, 1.0, 4.0, True, 0.5)) == 1.0  # capped: 0.5*4*0.5
    assert float(rules.purchase_probability(0.5, 1.0, 1.0, 1.0, True, 0.5)) == pytest.approx(0.25)
    p = rules.purchase_probability(0.2, 0.5, math.exp(-0.8), 1.5, False, 0.5)
    assert float(p) == pytest.approx(0.2 * 0.5 * math.exp(-0.8) * 1.5)  # 0.0674
    assert float(p) == pytest.approx(0.0674, abs=1e-4)


def test_purchase_probability_in_unit_interval():
    proof = rules.social_proof(RNG.integers(0, 10, N), RNG.integers(0, 10, N), 100.0)
    p = rules.purchase_probability(uniform(), uniform(), uniform(), proof, RNG.random(N) < 0.5, uniform())
    assert ((p >= 0) & (p <= 1)).all()
    assert (p == 1).any()  # the cap is reached with large social proof


def test_told_conversion_probability_values():
    assert float(rules.told_conversion_probability(0.3, 0.5, 0.8, True, 0.5)) == pytest.approx(0.06)
    assert float(rules.told_conversion_probability(0.3, 0.5, 0.8, False, 0.5)) == pytest.approx(0.12)
    # without persuasion: the independent cascade's constant, in the listeners' shape
    out = rules.told_conversion_probability(0.3, np.array([0.1, 0.9, 0.5]), 0.2, True, 0.9, persuasion=False)
    np.testing.assert_array_equal(out, [0.3, 0.3, 0.3])
    p = rules.told_conversion_probability(uniform(), uniform(), uniform(), RNG.random(N) < 0.5, uniform())
    assert ((p >= 0) & (p <= 1)).all()


# --------------------------------------------------------------------------- trust
def organic(trust, authenticity, *, ad_load=0.0, engaged=False, responsiveness=0.0, gain=0.1, erosion=0.1):
    return rules.trust_after_organic_view(
        trust,
        authenticity=authenticity,
        ad_load=ad_load,
        engaged=engaged,
        responsiveness=responsiveness,
        gain=gain,
        erosion=erosion,
    )


def ad_view(trust, authenticity, *, off_niche=0, erosion=0.1):
    return rules.trust_after_ad_view(trust, authenticity=authenticity, off_niche=off_niche, erosion=erosion)


def test_trust_rules_docstring_values():
    assert float(organic(0.5, 1.0)) == pytest.approx(0.55)
    assert float(organic(0.5, 0.5, ad_load=0.5, gain=0.0)) == pytest.approx(0.4875)
    assert float(ad_view(0.5, 0.0, off_niche=1)) == pytest.approx(0.4)
    assert float(ad_view(0.5, 1.0, off_niche=1)) == 0.5


def test_trust_rules_take_keywords_only():
    with pytest.raises(TypeError):
        rules.trust_after_ad_view(0.5, 0.5, 1, 0.1)
    with pytest.raises(TypeError):
        rules.trust_after_organic_view(0.5, 0.6, 0.2, True, 0.5, 0.1, 0.1)


def test_trust_rules_hand_computed():
    # organic: up = 0.1*0.6*(1-0.5)*(1-0.2)*(1+0.5*1) = 0.036; down = 0.1*0.4*0.2*0.5 = 0.004
    assert float(organic(0.5, 0.6, ad_load=0.2, engaged=True, responsiveness=0.5)) == pytest.approx(0.532)
    # the same view without engagement: up = 0.024
    assert float(organic(0.5, 0.6, ad_load=0.2, engaged=False, responsiveness=0.5)) == pytest.approx(0.52)
    # two sponsored off-niche views, A = 0.5: T * (1 - 0.1*0.5*2)**2 = 0.5 * 0.81
    assert float(ad_view(ad_view(0.5, 0.5, off_niche=1), 0.5, off_niche=1)) == pytest.approx(0.405)
    # in-niche erodes half as fast: 0.5 * 0.95**2
    assert float(ad_view(ad_view(0.5, 0.5), 0.5)) == pytest.approx(0.45125)


def test_trust_rules_move_the_right_way():
    trust = uniform(0.01, 0.99)
    auth = uniform(0.05, 1.0)
    # authentic organic content without ads builds trust
    assert (organic(trust, auth, gain=0.05, erosion=0.05) > trust).all()
    # sponsored views erode it, unless the creator is wholly authentic
    assert (ad_view(trust, uniform(0.0, 0.95), erosion=0.05) < trust).all()
    np.testing.assert_allclose(ad_view(trust, 1.0, off_niche=1, erosion=0.05), trust)
    # off-niche ads erode more than in-niche ones
    assert (ad_view(trust, 0.3, off_niche=1) < ad_view(trust, 0.3, off_niche=0)).all()
    # engagement answered by a responsive creator builds more trust
    plain = organic(trust, auth, ad_load=0.1, engaged=False, responsiveness=0.8, gain=0.05, erosion=0.05)
    engaged = organic(trust, auth, ad_load=0.1, engaged=True, responsiveness=0.8, gain=0.05, erosion=0.05)
    assert (engaged > plain).all()


def test_trust_rules_stay_in_unit_interval():
    for _ in range(5):
        t = organic(
            uniform(),
            uniform(),
            ad_load=uniform(),
            engaged=RNG.integers(0, 2, N).astype(bool),
            responsiveness=uniform(),
            gain=uniform(),
            erosion=uniform(),
        )
        assert ((t >= 0) & (t <= 1)).all()
        t = ad_view(uniform(), uniform(), off_niche=RNG.integers(0, 2, N), erosion=uniform())
        assert ((t >= 0) & (t <= 1)).all()
    # extreme rates: still clipped into [0, 1]
    assert float(organic(0.99, 1.0, engaged=True, responsiveness=1.0, gain=1.0, erosion=1.0)) <= 1.0
    assert float(ad_view(0.5, 0.0, off_niche=1, erosion=1.0)) >= 0.0


def test_trust_fixed_points():
    # full trust is kept by organic views from an ad-free authentic creator; zero trust stays zero under ads
    assert float(organic(1.0, 1.0, engaged=True, responsiveness=1.0)) == 1.0
    assert float(ad_view(0.0, 0.0, off_niche=1)) == 0.0


def test_disappointment_values():
    assert float(rules.disappointment(0.8, 0.3)) == pytest.approx(0.56)
    assert float(rules.disappointment(0.8, 0.0)) == pytest.approx(0.8)
    assert float(rules.disappointment(0.8, 1.0)) == 0.0


# --------------------------------------------------------------------------- word of mouth
def test_mean_field_tell_probability_values():
    # q = 5 * 1 / 100 = 0.05; P = 1 - 0.95**10
    assert rules.mean_field_tell_probability(5.0, 1.0, 10, 101) == pytest.approx(1 - 0.95**10)
    assert rules.mean_field_tell_probability(5.0, 1.0, 10, 101) == pytest.approx(0.40126, abs=1e-5)
    assert rules.mean_field_tell_probability(5.0, 0.5, 1, 101) == pytest.approx(0.025)
    assert rules.mean_field_tell_probability(5.0, 1.0, 0, 101) == 0.0
    assert rules.mean_field_tell_probability(1e6, 1.0, 1, 101) == 1.0  # q capped at 1
