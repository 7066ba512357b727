"""Groups' pure rules: kinds as data, the two visibilities, formation, proposals' edits,
membership and meetings. No I/O may ever be imported here."""
