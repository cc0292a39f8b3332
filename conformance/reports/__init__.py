"""Reports of a run: JSON, HTML, JUnit, audits, baselines and the diff of two recordings."""
