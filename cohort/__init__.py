"""cohort: the paperwork of a cohort programme, from a folder of YAML files."""

__version__ = "0.1.0"
