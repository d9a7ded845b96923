"""docs/api.md, the API's reference for people, rendered from the OpenAPI
document (``openapi.document()``): ``python -m server.web.apidoc`` (``make
docs``) writes it, ``--check`` fails when the file is not what the code gives.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .openapi import Schema, document
from .routing import TAGS

TARGET = Path(__file__).resolve().parent.parent.parent / "docs" / "api.md"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
REF = "#/components/schemas/"


def _anchor(heading: str) -> str:
    """The fragment a Markdown renderer gives ``heading`` (GitHub's way)."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def kind(schema: Schema) -> str:
    """A schema's type in words, with links to the named ones."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in schema:
        parts = [kind(s) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = len(parts) < len(schema["anyOf"])
        return " or ".join(parts) + (" or null" if nullable else "")
    if "const" in schema:
        return f'`"{schema["const"]}"`'
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    found = schema.get("type")
    if found == "array":
        return f"list of {kind(schema.get('items', {}))}"
    if found == "object" and "additionalProperties" in schema:
        inner = schema["additionalProperties"]
        return f"map of string to {kind(inner)}" if isinstance(inner, dict) else "object"
    if found is None:
        return "any"
    return " or ".join(found) if isinstance(found, list) else str(found)


def limits(schema: Schema) -> str:
    """A schema's bounds and form in words."""
    said = []
    inner = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    schema = inner[0] if len(inner) == 1 else schema
    for key, word in (
        ("minimum", "at least"), ("maximum", "at most"), ("minLength", "at least {} characters"),
        ("maxLength", "at most {} characters"), ("minItems", "at least {} items"),
        ("maxItems", "at most {} items"), ("pattern", "matches `{}`"), ("format", "{}"),
        ("default", "default `{}`"),
    ):  # fmt: skip
        if key in schema:
            value = json.dumps(schema[key], ensure_ascii=False).strip('"')
            if key == "default":
                value = json.dumps(schema[key], ensure_ascii=False)
            said.append(word.format(value) if "{}" in word else f"{word} {value}")
    return "; ".join(said)


def _about(schema: Schema) -> str:
    """What a field or parameter is: its description, then its bounds."""
    described, bounds = schema.get("description", ""), limits(schema)
    if described and bounds:
        return f"{described} ({bounds})"
    return described or bounds


def _fields(schema: Schema) -> list[str]:
    """The rows of an object's table of fields."""
    required = set(schema.get("required", ()))
    rows = ["| field | type | required | about |", "|---|---|---|---|"]
    for name, field in schema.get("properties", {}).items():
        about = _about(field)
        yes = "yes" if name in required else ""
        rows.append(f"| `{name}` | {_cell(kind(field))} | {yes} | {_cell(about)} |")
    return rows


def _parameters(parameters: list[Schema]) -> list[str]:
    rows = ["| parameter | in | type | about |", "|---|---|---|---|"]
    for p in parameters:
        about = _about({**p["schema"], "description": p.get("description", "")})
        rows.append(f"| `{p['name']}` | {p['in']} | {_cell(kind(p['schema']))} | {_cell(about)} |")
    return rows


def _operation(path: str, method: str, op: Schema, doc: Schema) -> list[str]:
    out = [f"### {method.upper()} {path}", "", f"{op['summary']} (`{op['operationId']}`).", ""]
    out += [op["description"], ""]
    if "widget" in op["tags"]:
        out += ["Open to the widget on the sites the dialogue lists (CORS).", ""]
    if "parameters" in op:
        out += [*_parameters(op["parameters"]), ""]
    if "requestBody" in op:
        body = op["requestBody"]["content"]["application/json"]["schema"]
        out += [f"**Body:** {kind(body)}", ""]
        if "$ref" in body:
            out += [*_fields(doc["components"]["schemas"][body["$ref"].removeprefix(REF)]), ""]
    answers = []
    for status, response in op["responses"].items():
        if "$ref" in response:
            continue
        content = response.get("content", {})
        if not content:
            answers.append(f"{status}, no body")
        for media, described in content.items():
            answers.append(f"{status} {media}: {kind(described['schema'])}")
    out += [f"**Answer:** {'; '.join(answers)}", ""]
    errors = [
        f"{status} ({', '.join(f'`{code}`' for code in codes)})"
        for status, codes in op["x-errors"].items()
    ]
    return [*out, f"**Errors:** {', '.join(errors)}", ""]


def _feed(path: str, feed: Schema, doc: Schema) -> list[str]:
    schemas = doc["components"]["schemas"]
    out = [f"### WS {path}", "", f"{feed['summary']} (`{feed['name']}`).", ""]
    out += [feed["description"], "", *_parameters(feed["parameters"]), ""]
    snapshot = schemas[feed["messages"]["snapshot"]["$ref"].removeprefix(REF)]
    out += [f"**Snapshot `data`:** {kind(snapshot['properties']['data'])}", ""]
    event = schemas[feed["messages"]["event"]["$ref"].removeprefix(REF)]
    out += ["| event `type` | `data` |", "|---|---|"]
    for group in event["anyOf"]:
        types = ", ".join(f"`{t}`" for t in group["properties"]["type"]["enum"])
        out.append(f"| {types} | {_cell(kind(group['properties']['data']))} |")
    return [*out, ""]


def render(doc: Schema | None = None) -> str:
    """docs/api.md for ``doc`` (the app's document by default)."""
    doc = doc or document()
    out = [
        "# The doithoai API (v1)",
        "",
        "<!-- Generated by `python -m server.web.apidoc` (`make docs`) from the OpenAPI",
        "document the app serves at `/api/v1/openapi.json`: edit the code, not this file. -->",
        "",
        doc["info"]["description"].rstrip(),
        "",
        "Each operation says who may call it, its parameters, its body, its answer",
        "and its errors; the shapes are under [Schemas](#schemas). Every operation may",
        "also answer 503 `unavailable` (Redis unreachable; nothing was half-written,",
        "retry after `Retry-After` seconds), 405 and 500, with the same error body.",
        "",
    ]
    by_tag: dict[str, list[tuple[str, str, Schema]]] = {tag: [] for tag in TAGS}
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                by_tag[item[method]["tags"][0]].append((path, method, item[method]))
    for tag, said in TAGS.items():
        if not by_tag[tag]:
            continue
        out += [f"## {tag.capitalize()}", "", said, ""]
        for path, method, op in by_tag[tag]:
            out += _operation(path, method, op, doc)
    out += ["## Feeds", ""]
    for path, feed in doc["x-websockets"].items():
        out += _feed(path, feed, doc)
    out += ["## Schemas", ""]
    envelopes = _envelopes(doc)
    for name, schema in sorted(doc["components"]["schemas"].items()):
        if name in envelopes:
            continue
        out += [f"### {name}", ""]
        if schema.get("description"):
            out += [schema["description"], ""]
        out += [*_fields(schema), ""] if "properties" in schema else [kind(schema), ""]
    return "\n".join(out).rstrip() + "\n"


def _envelopes(doc: Schema) -> set[str]:
    """The feeds' messages, shown with their feeds."""
    return {
        message["$ref"].removeprefix(REF)
        for feed in doc["x-websockets"].values()
        for message in feed["messages"].values()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.web.apidoc", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/api.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
