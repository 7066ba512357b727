"""The staff web UI: one router per family of pages, flat route functions, dependencies from
`deps`. Every route but health, the login pages, the language switch and static files needs a
signed-in staff member whose role grants the route's permission."""
