"""Hostile input: what an attacker, or an unlucky file, puts in front of jimu."""
