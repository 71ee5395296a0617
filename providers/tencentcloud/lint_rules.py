"""The provider's lint rules: the stable name of each kind of lint finding (what a ``-lint``
policy file names) and the finding's summary. The one table of them."""

from __future__ import annotations

RULES = {
    # security_lint: weak or broken crypto, risky modes, weak keys, long lifetimes
    "weak-encryption": "Weak encryption algorithm",
    "no-encryption": "No encryption",
    "weak-integrity": "Weak integrity algorithm",
    "weak-dh-group": "Weak DH group",
    "pfs-off": "PFS disabled",
    "aggressive-mode": "Aggressive mode with a pre-shared key",
    "ikev1": "IKEv1 in use",
    "weak-psk": "Weak pre-shared key",
    "psk-reused": "Pre-shared key reused",
    "long-lifetime": "Long SA lifetime",
    # both_ends: the two ends of a tunnel rekey on different timers
    "lifetimes-differ": "Tunnel ends' lifetimes differ",
}
