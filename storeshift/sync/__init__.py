"""Many sites: a site's changes travel as a bundle file and merge, idempotently, into another database."""

from .bundle import BundleRefused, Manifest, export_bundle, read_manifest
from .merge import Conflict, MergeReport, TableCounts, merge_bundles

__all__ = ["BundleRefused", "Conflict", "Manifest", "MergeReport", "TableCounts", "export_bundle",
           "merge_bundles", "read_manifest"]
