"""The conformance suite as pytest tests: one test per requirement and vendor.

Run it with ``conformance run``, or directly::

    pytest --pyargs conformance.suite --conformance-vendor alibaba --conformance-endpoint URL
"""
