"""samdok: YAML case files about inter-municipal cooperation to Word and PDF documents."""

__version__ = "0.1.0"
