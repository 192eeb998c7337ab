"""`python -m stripe_emulator --port 8420 --state-dir DIR`: localstripe with Connect, on 127.0.0.1."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from aiohttp import web

from stripe_emulator.connect import install


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="keep the state here (default: in memory)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--webhook-url", help="send every event here, signed (as Stripe does)")
    parser.add_argument("--webhook-secret", help="the signing secret of --webhook-url")
    args = parser.parse_args()
    if args.state_dir is not None:
        args.state_dir.mkdir(parents=True, exist_ok=True)
    app = install(args.state_dir)
    from localstripe.resources import store
    from localstripe.webhooks import register_webhook

    store.try_load_from_disk()
    if args.webhook_url:
        if not args.webhook_secret:
            parser.error("--webhook-url needs --webhook-secret")
        register_webhook("quartier", args.webhook_url, args.webhook_secret, None)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
