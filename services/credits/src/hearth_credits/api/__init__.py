"""Credits' HTTP API (OpenAPI at /docs), one router per family: a person's ledger, progress and
transcript (`ledger`); certificates and their public verification (`certificates`); self-reported
activities (`self_reports`). `documents` renders transcripts and certificates (PDF, CSV): it is
presentation, so it lives here, beside the routes that serve it."""
