"""The spec layer: the vendor documents, what is derived from them, and the requirement catalogue."""
