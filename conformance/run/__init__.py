"""The run layer: settings, targets, the session, the pytest plugin and recording."""
