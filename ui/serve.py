"""Start the dashboard, or refuse to: `python -m ui.serve [streamlit flags]` (make run).

Reads the address and the secrets exactly as `streamlit run` will (flags, environment,
.streamlit/config.toml, the secrets files) and exits with status 2 and one message
naming the setting to add when the app would serve beyond this machine without sign-in
(analysis/access.serving_problem); otherwise it becomes `streamlit run dashboard.py` with
the same flags. dashboard.py applies the same rule on every page, for a server started
with `streamlit run` directly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from analysis.access import serving_problem
from kernel.settings import ROOT, public_aggregates


def _flags(argv: Sequence[str]) -> dict[str, Any]:
    """`--section.option value` and `--section.option=value` pairs; an option that takes
    several values (secrets.files) collects them in a list, as `streamlit run` does."""
    from streamlit import config

    flags: dict[str, Any] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and "." in arg:
            name, eq, value = arg[2:].partition("=")
            if not eq and i + 1 < len(argv):
                value, i = argv[i + 1], i + 1
            option = config._config_options_template.get(name)
            if option is not None and option.multiple:
                flags.setdefault(name, []).append(value)
            else:
                flags[name] = value
        i += 1
    return flags


def settings(argv: Sequence[str]) -> tuple[str | None, Mapping[str, Any] | None]:
    """The address Streamlit will bind and the [auth] secrets it will use."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    flags = _flags(argv)
    env_address = os.environ.get("STREAMLIT_SERVER_ADDRESS")
    if "server.address" not in flags and env_address:
        flags["server.address"] = env_address
    config.get_config_options(force_reparse=True, options_from_flags=dict(flags))
    address = config.get_option("server.address")
    auth = secrets_singleton.get("auth") if secrets_singleton.load_if_toml_exists() else None
    return (str(address) if address else None), (auth if isinstance(auth, Mapping) else None)


def main(argv: Sequence[str]) -> int:
    os.chdir(ROOT)  # the .streamlit/ folder of the project, wherever this is started from
    address, auth = settings(argv)
    problem = serving_problem(address, auth, public_aggregates())
    if problem:
        print(f"psp-dashboard: {problem}", file=sys.stderr)
        return 2
    os.execv(sys.executable, [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), *argv])
    return 0  # unreachable: execv replaces this process


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
