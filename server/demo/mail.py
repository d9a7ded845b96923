"""The demo's stand-in for an SMTP server: each e-mail the app would send to
an asker is written to the log instead, whole (the demo's askers are made
up). Only ``doithoai demo`` uses it, and only while DOITHOAI_SMTP_URL is
unset: a production node never writes an e-mail, or an address, to its log."""

from __future__ import annotations

import logging
from email.message import EmailMessage

log = logging.getLogger(__name__)


class LogMailer:
    async def send(self, message: EmailMessage) -> None:
        headers = "\n".join(f"{k}: {message[k]}" for k in ("From", "To", "Subject"))
        log.info(
            "the e-mail an SMTP server would send (DOITHOAI_SMTP_URL is unset):\n%s\n\n%s",
            headers,
            message.get_content(),
        )
