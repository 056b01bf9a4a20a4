"""Compile a catalogue of public-service procedures into a site, a feed and figures."""

__version__ = "0.1.0"
