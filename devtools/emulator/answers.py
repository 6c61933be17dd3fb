"""What the emulator answers: fixture locations, canned provider errors, request checks."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "providers"
GRAPH_VERSION = "v25.0"
FAILURE_MODES = {
    "whatsapp": {"500", "timeout", "130429", "131047", "slow"},
    "messenger": {"500", "timeout", "2018278", "slow"},
    "twilio": {"500", "timeout", "21610", "429", "slow"},
}
# Where the fixtures' media ids and URLs point (fixtures README): id -> file in media/.
MEDIA_FILES = {
    "1266798744318251": "sample.jpg",
    "1785563390114270": "sample.pdf",
    "ME2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b": "sample.jpg",
    "ME7d9f1b3c5e7a9d1f3b5c7e9a1d3f5b7c": "sample.png",
}
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}
# Real provider hosts in the fixtures -> the emulator path standing in for them.
HOST_PREFIXES = {
    "https://lookaside.fbsbx.com": "/lookaside",
    "https://scontent.xx.fbcdn.net": "/fbcdn",
    "https://api.twilio.com": "/twilio",
}
# Meta's Graph API writes its own error code into the message text, as "(#code) ...".
WHATSAPP_131047 = {
    "error": {
        "message": "(#131047) Re-engagement message",
        "type": "OAuthException",
        "code": 131047,
        "error_data": {
            "messaging_product": "whatsapp",
            "details": "Message failed to send because more than 24 hours have passed "
            "since the customer last replied to this number.",
        },
        "fbtrace_id": "AEmuReEngage0000000000",
    }
}
GRAPH_5XX = {"error": {"message": "(#2) Service temporarily unavailable", "code": 2}}
GRAPH_BAD_TOKEN = {"error": {"message": "Invalid OAuth access token", "code": 190}}
TWILIO_5XX = {"code": 20500, "message": "Internal Server Error", "status": 500}
TWILIO_AUTH = {"code": 20003, "message": "Authenticate", "status": 401}
TWILIO_429 = {"code": 20429, "message": "Too Many Requests", "status": 429}

Reply = tuple[int, bytes, dict[str, str]]


def json_reply(status: int, body: object, headers: dict[str, str] | None = None) -> Reply:
    return (
        status,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def graph_invalid(message: str) -> Reply:
    return json_reply(
        400, {"error": {"message": f"(#100) {message}", "type": "OAuthException", "code": 100}}
    )


def whatsapp_problem(payload: dict) -> str | None:
    """Why a send body is not what the Cloud API accepts, or None."""
    kind = payload.get("type", "text")
    content = payload.get(kind)
    if payload.get("messaging_product") != "whatsapp" or not payload.get("to"):
        return "messaging_product 'whatsapp' and 'to' are required"
    if not isinstance(content, dict):
        return f"Parameter '{kind}' is required"
    if kind == "text" and not content.get("body"):
        return "text.body is required"
    if kind in ("image", "video", "audio", "document", "sticker"):
        if not (content.get("link") or content.get("id")):
            return f"{kind}.link or {kind}.id is required"
        if kind in ("audio", "sticker") and "caption" in content:
            return f"{kind} takes no caption"
    if kind == "template":
        return template_problem(content)
    return None


def template_problem(template: dict) -> str | None:
    """Why a `template` object is not the Cloud API's shape: name, language.code, and
    components of {type, parameters: [{type: text, text}]}."""
    if not isinstance(template.get("name"), str) or not template["name"]:
        return "template.name is required"
    language = template.get("language")
    if not isinstance(language, dict) or not language.get("code"):
        return "template.language.code is required"
    for component in template.get("components", []):
        if not isinstance(component, dict) or component.get("type") not in (
            "header",
            "body",
            "button",
        ):
            return "template.components[].type must be header, body or button"
        for parameter in component.get("parameters", []):
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                return "only text parameters are emulated"
            if not isinstance(parameter.get("text"), str) or not parameter["text"]:
                return "a text parameter needs a non-empty text"
    return None
