"""storeshift's benchmark suite: each figure measured beside its physical floor in the same run."""
