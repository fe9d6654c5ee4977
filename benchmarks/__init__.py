"""Benchmarks of influencer-sim: speed and memory by size, and the engine beside its peers.

Tooling for the project's developers, kept out of the package users install (the
wheel ships ``simulation`` only). From a source checkout, ``influencer-sim bench`` or
``make bench`` runs :func:`benchmarks.bench.run_benchmarks`; the peers are plain Mesa
(:mod:`benchmarks.baselines`), NDlib and CyNetDiff (the ``reference`` extra; their
drivers are the validation's, in :mod:`simulation.validation.cascade`).
"""
