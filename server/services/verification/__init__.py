"""Verifying members as clinicians: the request/review workflow and its audit log, credential-number checks,
evidence files, optional online registry checks (online_checks), attestations this instance issues and those
it receives from others, and the verified badge shown on accounts."""
