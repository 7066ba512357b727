"""Credits' write paths, one module per aggregate; each function is one transaction's work (load,
decide with `domain`, write through `store`, publish through `work`)."""
