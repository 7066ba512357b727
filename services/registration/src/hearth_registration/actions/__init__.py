"""Registration's write paths, one module per aggregate. Each function is one transaction's work
(`work: Work`): load, decide with `domain`, write through `store`, publish through the outbox.

Seat decisions for one gathering are serialised on its row: a purchase that finds the gathering
full locks it before joining the line, and every freed seat is handed on under the same lock, so a
seat is never sold twice, never left empty while someone waits.
"""
