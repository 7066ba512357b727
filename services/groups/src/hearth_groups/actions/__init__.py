"""Groups' write paths, one module per aggregate; each function is one transaction's work."""
