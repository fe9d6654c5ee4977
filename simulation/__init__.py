"""influencer-sim: an agent-based simulation of influencer marketing.

One mega creator or many micro creators, at an equal budget? Followers, creators and
brands are Mesa agents on a NetworkX social graph; trust and relatability drive
purchases. Start with :func:`load_scenario` and :class:`InfluencerModel`.
"""

from .agents import BrandAgent, Channel, CreatorAgent, FollowerAgent, Funnel
from .graph import Market, generate_market
from .graph_io import build_graph, load_graph, market_from_graph, to_networkx
from .model import InfluencerModel
from .params import NICHES, PARAMETERS, STRATEGIES, TIERS, ScenarioError, load_scenario, resolve

__version__ = "0.1.0"

__all__ = [
    "BrandAgent",
    "Channel",
    "CreatorAgent",
    "FollowerAgent",
    "Funnel",
    "InfluencerModel",
    "Market",
    "NICHES",
    "PARAMETERS",
    "STRATEGIES",
    "TIERS",
    "ScenarioError",
    "build_graph",
    "generate_market",
    "load_graph",
    "load_scenario",
    "market_from_graph",
    "resolve",
    "to_networkx",
]
