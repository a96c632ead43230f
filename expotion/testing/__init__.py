"""Test support with known ground truth: synthetic controls and videos, tiny random models.

Nothing here runs in the normal pipeline; tests and benchmarks import it.
"""
