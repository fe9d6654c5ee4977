"""Word of mouth written the plain-Mesa way: the benchmarks' reference point.

The project's engine runs a day as array expressions over the active edges. This module
writes the same word-of-mouth rule the way Mesa's own examples write agents
(``mesa/examples/basic/virus_on_network``): followers are ``FixedAgent``s on a
``mesa.discrete_space.Network`` built from the friend graph, and each agent's ``step``
loops over its neighbours and draws from Mesa's ``self.random``. It exists to be timed
against the engine (:mod:`benchmarks.bench`) and to check that both give the same spread
(``tests/test_bench.py``); nothing else uses it.

The rule, as in :meth:`simulation.model.InfluencerModel._word_of_mouth` with the
independent-cascade settings (no persuasion, every buyer satisfied): a follower who
bought 1 to ``active_days`` days ago tells each friend who has not bought with chance
``tell_probability``; a told friend becomes aware and buys with chance ``conversion``.
"""

from __future__ import annotations

import mesa
import networkx as nx
from mesa.discrete_space import FixedAgent, Network

from simulation.agents import Funnel


class WordOfMouthAgent(FixedAgent):
    """A follower on the friend graph, with a funnel state and the step it bought at."""

    def __init__(self, model: PlainMesaWordOfMouth, cell):
        super().__init__(model)
        self.cell = cell
        self.state = Funnel.UNAWARE
        self.bought_step = -1

    def buy(self) -> None:
        self.state = Funnel.PURCHASED
        self.bought_step = self.model.steps

    def step(self) -> None:
        age = self.model.steps - self.bought_step
        if self.state is Funnel.PURCHASED and 1 <= age <= self.model.active_days:
            self.tell_friends()

    def tell_friends(self) -> None:
        for friend in self.cell.neighborhood.agents:
            if friend.state is not Funnel.PURCHASED and self.random.random() < self.model.tell_probability:
                friend.state = Funnel.AWARE
                if self.random.random() < self.model.conversion:
                    friend.buy()


class PlainMesaWordOfMouth(mesa.Model):
    """Word of mouth on a friend graph, one Python ``step`` per follower per day.

    Parameters
    ----------
    graph : networkx.Graph
        The friend graph; its nodes are the followers.
    seeds : iterable
        Nodes that have bought at the start (step 0); they tell friends on day 1.
    tell_probability, conversion : float
        Daily chance a buyer tells a friend; chance a told friend buys.
    active_days : int
        Days after buying during which a buyer keeps telling.
    rng : numpy.random.Generator, int or SeedSequence, optional
        Seeds Mesa's ``random`` (what the agents draw from).

    Examples
    --------
    >>> m = PlainMesaWordOfMouth(nx.star_graph(10), seeds=[0], tell_probability=1.0, rng=1)
    >>> m.run(3)
    >>> m.spread()
    11
    """

    def __init__(
        self,
        graph: nx.Graph,
        seeds,
        tell_probability: float = 0.1,
        conversion: float = 1.0,
        active_days: int = 1,
        rng=None,
    ):
        super().__init__(rng=rng)
        self.tell_probability = float(tell_probability)
        self.conversion = float(conversion)
        self.active_days = int(active_days)
        self.grid = Network(graph, capacity=1, random=self.random, layout=None)
        WordOfMouthAgent.create_agents(self, len(self.grid.all_cells), list(self.grid.all_cells))
        for node in seeds:
            self.grid[node].agents[0].buy()

    def step(self) -> None:
        self.agents.shuffle_do("step")

    def run(self, days: int) -> None:
        for _ in range(days):
            self.step()

    def spread(self) -> int:
        """Followers who have bought (seeds included)."""
        return sum(1 for agent in self.agents if agent.state is Funnel.PURCHASED)
