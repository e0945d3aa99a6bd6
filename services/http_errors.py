"""How every service turns errors into HTTP answers: one table per service, one sentence per answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eventsourcing.persistence import IntegrityError, PersistenceError
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def install_error_handlers(app: FastAPI, statuses: Mapping[type[Exception], int]) -> None:
    """Map domain errors to statuses (the most specific class in `statuses` wins) and word 422s."""
    handler = _domain_error_handler(statuses)
    for error_class in statuses:
        app.add_exception_handler(error_class, handler)
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(PersistenceError, _store_refused)  # type: ignore[arg-type]
    _document_invalid_requests(app)


# What `_invalid_request` answers, as the OpenAPI document must say (FastAPI documents its own shape).
INVALID_REQUEST_SCHEMA = {
    "title": "HTTPValidationError",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "title": "Detail", "description": "Every problem, in one sentence."},
        "errors": {
            "type": "array",
            "title": "Errors",
            "items": {"$ref": "#/components/schemas/ValidationError"},
        },
    },
    "required": ["detail"],
}


def _document_invalid_requests(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = INVALID_REQUEST_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _domain_error_handler(
    statuses: Mapping[type[Exception], int],
) -> Callable[[Request, Exception], JSONResponse]:
    def handle(request: Request, error: Exception) -> JSONResponse:
        code = next(statuses[cls] for cls in type(error).__mro__ if cls in statuses)
        return JSONResponse(status_code=code, content={"detail": str(error)})

    return handle


def _store_refused(request: Request, error: PersistenceError) -> JSONResponse:
    """The store refused the write (disk full, read-only, database down): nothing was recorded."""
    if isinstance(error, IntegrityError):  # another request changed the same thing first
        code, what = status.HTTP_409_CONFLICT, "it was changed by another request at the same moment"
    else:
        code, what = status.HTTP_503_SERVICE_UNAVAILABLE, f"the store refused to write ({_first_line(error)})"
    return JSONResponse(status_code=code, content={"detail": f"nothing was recorded: {what}; try again"})


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """One readable sentence in `detail` (like every other error), the full list in `errors`."""
    problems = [f"{_field(problem['loc'])}: {problem['msg']}" for problem in error.errors()]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "; ".join(problems), "errors": jsonable_encoder(error.errors())},
    )


def _field(location: tuple[str | int, ...]) -> str:
    # ("body", "quarters") -> "quarters"; a missing body is just "body".
    return ".".join(str(part) for part in location[1:]) or str(location[0])
