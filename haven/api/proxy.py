"""Which peers may tell Haven the client's address (`X-Forwarded-For`) and scheme
(`X-Forwarded-Proto`).

uvicorn trusts those headers from 127.0.0.1 by default, so anyone on the host (or a client
of a proxy that passes the header through) could forge the address the login throttle counts
and the audit log records. Haven trusts them from nobody unless `HAVEN_TRUSTED_PROXIES` (or
`haven serve --trusted-proxies`) lists the proxies' addresses.
"""

import os
from typing import Any

ENV = "HAVEN_TRUSTED_PROXIES"


def uvicorn_options(trusted: str | None = None) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run`: forwarded headers only from the configured
    proxies (comma-separated addresses or networks; `*` trusts every peer), none by default.
    No `server: uvicorn` header either: it only helps an attacker pick exploits."""
    proxies = (trusted if trusted is not None else os.environ.get(ENV, "")).strip()
    options: dict[str, Any] = {"server_header": False}
    if proxies:
        options.update(proxy_headers=True, forwarded_allow_ips=proxies)
    else:
        # forwarded_allow_ips must be set too: None makes uvicorn read FORWARDED_ALLOW_IPS.
        options.update(proxy_headers=False, forwarded_allow_ips="")
    return options
