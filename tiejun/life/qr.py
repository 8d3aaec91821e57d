"""The sign-in QR code as an SVG data URL: drawn on the server, so no script and no CDN."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg


def svg_data_url(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
