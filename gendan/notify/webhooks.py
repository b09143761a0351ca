"""Group-robot message formats (WeCom, DingTalk, Feishu), their signatures, and one HTTP POST.

Formats, as documented by each platform:
- WeCom 企业微信 群机器人: POST {"msgtype": "markdown", "markdown": {"content": …}} to
  https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; answers {"errcode": 0, "errmsg": "ok"}.
- DingTalk 钉钉 自定义机器人: POST {"msgtype": "markdown", "markdown": {"title": …, "text": …}} to
  https://oapi.dingtalk.com/robot/send?access_token=…; with 加签 the query also carries `timestamp`
  (ms) and `sign` = urlencode(base64(HmacSHA256(key=secret, msg=f"{timestamp}\\n{secret}")));
  answers {"errcode": 0, "errmsg": "ok"}.
- Feishu 飞书 自定义机器人: POST {"msg_type": "text", "content": {"text": …}} to
  https://open.feishu.cn/open-apis/bot/v2/hook/…; with 签名校验 the body also carries `timestamp`
  (s, as a string) and `sign` = base64(HmacSHA256(key=f"{timestamp}\\n{secret}", msg=b""));
  answers {"code": 0, "msg": "success"} (older robots: {"StatusCode": 0}).
All three answer HTTP 200 with a non-zero code on failure (bad sign, keyword missing, rate limit).
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from gendan.notify.models import WebhookEndpoint

TIMEOUT_SECONDS = 10
WECOM_MARKDOWN_MAX_BYTES = 4096  # documented limit of markdown.content
DINGTALK_TEXT_MAX_BYTES = 18000  # documented body limit is 20000 bytes; leave room for the title
FEISHU_TEXT_MAX_BYTES = 18000  # documented request body limit is 20 KB


class WebhookError(Exception):
    """The robot did not accept the message (network error, HTTP error or an error code)."""


@dataclass(frozen=True)
class Message:
    title: str
    body: str = ""
    link: str = ""
    link_label: str = "Open"
    recipients: str = ""
    recipients_label: str = "To"


def _truncate(text: str, max_bytes: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    return raw[: max_bytes - 3].decode("utf-8", errors="ignore") + "…"


def payload_build(kind: str, message: Message) -> dict[str, Any]:
    """The JSON body for one robot kind, unsigned (signatures need a fresh timestamp per attempt)."""
    if kind == WebhookEndpoint.Kind.WECOM:
        lines = [f"**{message.title}**"]
        if message.body:
            lines.append(message.body)
        if message.recipients:
            lines.append(f"> {message.recipients_label}: {message.recipients}")
        if message.link:
            lines.append(f"[{message.link_label}]({message.link})")
        content = _truncate("\n".join(lines), WECOM_MARKDOWN_MAX_BYTES)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if kind == WebhookEndpoint.Kind.DINGTALK:
        parts = [f"#### {message.title}"]
        if message.body:
            parts.append(message.body)
        if message.recipients:
            parts.append(f"> {message.recipients_label}: {message.recipients}")
        if message.link:
            parts.append(f"[{message.link_label}]({message.link})")
        text = _truncate("\n\n".join(parts), DINGTALK_TEXT_MAX_BYTES)
        return {"msgtype": "markdown", "markdown": {"title": message.title[:100], "text": text}}
    if kind == WebhookEndpoint.Kind.FEISHU:
        lines = [message.title]
        if message.body:
            lines.append(message.body)
        if message.recipients:
            lines.append(f"{message.recipients_label}: {message.recipients}")
        if message.link:
            lines.append(message.link)
        return {"msg_type": "text", "content": {"text": _truncate("\n".join(lines), FEISHU_TEXT_MAX_BYTES)}}
    raise ValueError(f"unknown webhook kind {kind!r}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HmacSHA256(key=secret, msg="{timestamp}\\n{secret}")); URL-encoding happens in the query."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """base64(HmacSHA256(key="{timestamp}\\n{secret}", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def request_build(
    *, kind: str, url: str, secret: str, payload: dict[str, Any], now: float | None = None
) -> tuple[str, dict[str, Any]]:
    """Sign when a secret is set: DingTalk in the query string, Feishu in the body. WeCom has no signing."""
    now = time.time() if now is None else now
    if secret and kind == WebhookEndpoint.Kind.DINGTALK:
        timestamp_ms = int(now * 1000)
        query = urllib.parse.urlencode(
            {"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)}
        )
        url = f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}{query}"
    elif secret and kind == WebhookEndpoint.Kind.FEISHU:
        timestamp_s = int(now)
        payload = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    return url, payload


def _answer_check(kind: str, raw: bytes) -> None:
    try:
        answer = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookError(f"unexpected answer: {raw[:200]!r}") from exc
    if not isinstance(answer, dict):
        raise WebhookError(f"unexpected answer: {raw[:200]!r}")
    if kind == WebhookEndpoint.Kind.FEISHU:
        code = answer.get("code", answer.get("StatusCode"))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code = answer.get("errcode")
        message = answer.get("errmsg", "")
    if code is None:
        raise WebhookError(f"answer without a result code: {raw[:200]!r}")
    if code != 0:
        raise WebhookError(f"error code {code}: {message}")


def post(*, endpoint: WebhookEndpoint, payload: dict[str, Any]) -> None:
    """Send once; raise WebhookError unless the robot accepted the message."""
    if urllib.parse.urlsplit(endpoint.url).scheme not in ("http", "https"):
        raise WebhookError("the webhook URL must start with http:// or https://")
    url, body = request_build(kind=endpoint.kind, url=endpoint.url, secret=endpoint.secret, payload=payload)
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # scheme checked above
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        detail = exc.read(200).decode("utf-8", errors="replace") if exc.fp else ""
        raise WebhookError(f"HTTP {exc.code}: {detail}".strip()) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise WebhookError(f"network error: {exc}") from exc
    _answer_check(endpoint.kind, raw)
