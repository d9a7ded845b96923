"""API.md's error body, in the request's language, for every failure.

Handlers raise ``Refused`` (from the domain) or ``ApiError``; Redis being
unreachable becomes 503 ``unavailable``; nothing escapes as a bare 500 page.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain.lifecycle import Refused
from .access_log import redact

log = logging.getLogger(__name__)

STATUS = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "proof_required": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "not_accepting": 409,
    "too_large": 413,
    "rate_limited": 429,
    "internal": 500,
    "unavailable": 503,
}

#: The Vietnamese sentence for a code when the error has none of its own.
MESSAGES_VI = {
    "invalid": "Dữ liệu không hợp lệ.",
    "unauthenticated": "Vui lòng đăng nhập.",
    "forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "proof_required": "Vui lòng gửi lại để trình duyệt hoàn tất bước xác minh chống gửi tự động.",
    "not_found": "Không tìm thấy.",
    "method_not_allowed": "Phương thức không được hỗ trợ.",
    "conflict": "Câu hỏi vừa được người khác thay đổi; hãy tải lại và thử lại.",
    "not_accepting": "Cuộc đối thoại hiện không nhận câu hỏi.",
    "too_large": "Nội dung gửi lên quá lớn.",
    "rate_limited": "Bạn gửi quá nhanh; vui lòng thử lại sau ít phút.",
    "internal": "Đã có lỗi; vui lòng thử lại.",
    "unavailable": "Hệ thống tạm thời gián đoạn; vui lòng thử lại sau ít giây.",
}


#: Seconds a 429 asks the client to wait when its limit named no time of its own.
RETRY_AFTER_DEFAULT = "60"


class ApiError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        *,
        message_vi: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.message_vi = message_vi
        self.headers = headers or {}


def language(request: Request, *, header: bool = True) -> str:
    """``vi`` unless English is asked for: ``?lang=``, the ``lang`` cookie the
    language switch sets, and (``header=True``, for API clients) the
    Accept-Language header. Pages pass ``header=False``: a Vietnamese citizen
    on a phone set to English still gets the Vietnamese dialogue first."""
    choice = request.query_params.get("lang") or request.cookies.get("lang")
    if choice in ("vi", "en"):
        return choice
    if not header:
        return "vi"
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(
    request: Request,
    code: str,
    message: str,
    field: str | None = None,
    message_vi: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    text = message if language(request) == "en" else (message_vi or MESSAGES_VI[code])
    if STATUS[code] == 429 and "Retry-After" not in (headers or {}):
        # API.md: every 429 says when to come back; a limit that forgot to, waits a minute.
        headers = {**(headers or {}), "Retry-After": RETRY_AFTER_DEFAULT}
    return JSONResponse(error_body(code, text, field), STATUS[code], headers=headers)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return error_response(request, exc.code, exc.message, exc.field, exc.message_vi)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.code, exc.message, exc.field, exc.message_vi, exc.headers)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "invalid"
    )
    return error_response(request, code, str(exc.detail))


async def _redis_down(request: Request, exc: Exception) -> Response:
    log.warning("Redis unreachable: %s", exc)
    return error_response(
        request,
        "unavailable",
        "The service is briefly unavailable; try again.",
        headers={"Retry-After": "5"},
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact(request.url.path))
    return error_response(request, "internal", "Something went wrong; please try again.")


HANDLERS = {
    Refused: _refused,
    ApiError: _api_error,
    HTTPException: _http,
    RedisConnectionError: _redis_down,
    RedisTimeoutError: _redis_down,
    Exception: _unexpected,
}


#: Half of a UTF-16 pair. JSON may spell one alone (``"\udc00"``) and
#: Python decodes it into a str that is no text: it cannot be encoded to
#: UTF-8, so it would fail deep inside (Redis, hashing, the response).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def lone_surrogate(value: Any) -> str | None:
    """The field (``name``, ``contact.phone``, ``ids.2``) of the first string
    in ``value``, a decoded JSON body, that holds a lone surrogate: ``body``
    for the body itself or a key of its top level; None when there is none."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path or "body"
        elif isinstance(item, dict):
            for key, inner in item.items():
                if _SURROGATE.search(key):
                    return path or "body"
                pending.append((f"{path}.{key}" if path else key, inner))
        elif isinstance(item, list):
            pending.extend((f"{path}.{i}" if path else str(i), x) for i, x in enumerate(item))
    return None


async def read_json(request: Request, max_body: int) -> Any:
    """The request's JSON body, or ApiError: 413 over ``max_body``, 400 if not
    JSON (NaN and Infinity are not) or if a string in it is not text."""
    declared = request.headers.get("content-length")
    if declared is not None and (
        not (declared.isascii() and declared.isdigit()) or int(declared) > max_body
    ):
        raise ApiError("too_large", f"the body is over {max_body} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise ApiError("too_large", f"the body is over {max_body} bytes")
    if not body:
        return {}
    try:
        # ValueError: a JSON number with more digits than Python converts.
        value = json.loads(body, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(
            "invalid",
            "the body is not valid JSON",
            "body",
            message_vi="Nội dung gửi lên không phải JSON hợp lệ.",
        ) from None
    field = lone_surrogate(value)
    if field is not None:
        raise ApiError(
            "invalid",
            f"{field} holds a lone surrogate (half of a UTF-16 pair), which is not text",
            field,
            message_vi="Dữ liệu gửi lên có ký tự không hợp lệ (nửa cặp UTF-16 đứng riêng).",
        )
    return value


async def read_object(request: Request, max_body: int) -> dict[str, Any]:
    body = await read_json(request, max_body)
    if not isinstance(body, dict):
        raise ApiError(
            "invalid",
            "the body must be a JSON object",
            "body",
            message_vi="Nội dung gửi lên phải là một đối tượng JSON.",
        )
    return body
