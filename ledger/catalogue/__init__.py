"""The policy as versioned data: one TOML file per policy version, chosen by date."""
from ledger.catalogue.load import CatalogueError, catalogues, current, in_force, load_file, parse
from ledger.catalogue.model import Cap, CapScope, Catalogue, Kind, OncePer, Policy, Programme, Tier

__all__ = ["Cap", "CapScope", "Catalogue", "CatalogueError", "Kind", "OncePer", "Policy", "Programme", "Tier",
           "catalogues", "current", "in_force", "load_file", "parse"]
