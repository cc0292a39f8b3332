"""pytest plugin of the conformance suite (options and result collection)."""
