"""Parity: the results of several targets of one vendor, reduced to what compares, and set side by side."""
