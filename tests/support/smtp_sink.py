"""A real SMTP server for the mail tests: aiosmtpd (PyPI) accepting every message and writing
each, as one JSON line, to the file given; started and stopped by the tests.

    python smtp_sink.py PORT OUT_FILE [TLS CERT KEY LOGIN]

OUT_FILE "-" counts nothing and keeps nothing (benchmarks). With TLS "starttls" the server
demands STARTTLS before any mail, with "implicit" it speaks TLS from the first byte (port 465
style); either way with the certificate CERT and its key KEY (PEM), and it demands
authentication as LOGIN ("user:password") over the encrypted channel.

Recipients at @recusa.example are refused with a permanent 550 (the tests' permanent failure).
Prints "ready" once it listens.
"""

import asyncio
import json
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, path, tls):
        self.path = path
        self.tls = tls

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@recusa.example"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.path == "-":
            return "250 Message accepted"
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        line = json.dumps(
            {
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "data": envelope.original_content.decode("utf-8", "replace"),
                "tls": self.tls == "implicit" or session.ssl is not None,
                "login": login,
            }
        )
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
        return "250 Message accepted"


def authenticator(expected):
    user, password = expected.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, auth_data=auth_data if ok else None)

    return check


def main():
    # aiosmtpd itself still sets the deprecated Session.login_data after AUTH.
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    port, path = int(sys.argv[1]), sys.argv[2]
    tls = sys.argv[3] if len(sys.argv) > 3 else "plain"
    options = {}
    if tls != "plain":
        cert, key, login = sys.argv[4], sys.argv[5], sys.argv[6]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options = {
            "authenticator": authenticator(login),
            "auth_required": True,
            "auth_require_tls": True,
        }
        if tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            # aiosmtpd does not count a connection that is TLS from the start as TLS for its
            # AUTH rule (it looks for STARTTLS); every byte here is encrypted anyway.
            options.update(ssl_context=context, auth_require_tls=False)
    controller = Controller(
        Sink(path, tls), hostname="127.0.0.1", port=port, ready_timeout=10, **options
    )
    controller.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
