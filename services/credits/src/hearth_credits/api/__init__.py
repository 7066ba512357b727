"""Credits' HTTP API (OpenAPI at /docs), one router per family: a person's ledger, progress and
transcript (`ledger`); certificates and their public verification (`certificates`); self-reported
activities (`self_reports`). `documents` renders transcripts and certificates (PDF, CSV): it is
presentation, so it lives here, beside the routes that serve it."""

from __future__ import annotations

from hearth_shared.service_access import behind_token

from . import certificates, export, ledger, self_reports

# Every route behind a service token: a route added to any of these routers needs one too.
ROUTERS = [behind_token([ledger.router, certificates.router, self_reports.router, export.router])]
