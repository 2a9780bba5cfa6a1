"""Reliability and security suite: faults, bad input and attacks, with nothing lost."""
