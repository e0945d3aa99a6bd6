"""Deterministic simulation of the federation: the real antenne, relay mapping, chain rule and ledger in one
process, with simulated time, a lossy network, partitions and crashes; invariants checked after every step.
Run `python -m simulation --help`.
"""
