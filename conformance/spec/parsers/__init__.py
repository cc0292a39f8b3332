"""One parser per vendor document; ``conformance.providers`` names each provider's."""
