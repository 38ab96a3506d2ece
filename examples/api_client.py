"""Ask a running letters-qa server over its JSON API, with the standard library only, and print the JSON.

    letters-qa serve                                  # in another terminal
    python examples/api_client.py http://127.0.0.1:7860/

POST /api/ask gives an answer with citations and ratings, GET /api/search ranked passages,
GET /api/ratings the extracted table (the DESIGN.md JSON). For a server started with
--auth, set LETTERS_QA_AUTH=USER:PASSWORD here too. A 4xx reply carries {"error": "..."}.
"""

import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(base: str, path: str, params: dict | None = None, body: dict | None = None):
    url = base.rstrip("/") + "/api/" + path + ("?" + urllib.parse.urlencode(params) if params else "")
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    credentials = os.environ.get("LETTERS_QA_AUTH", "")
    if ":" in credentials:
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            reason = json.load(exc)["error"]
        except (ValueError, KeyError, TypeError):
            reason = exc.reason
        raise SystemExit(f"{path}: HTTP {exc.code}: {reason}") from None


def main(url: str) -> None:
    answer = call(url, "ask", body={"question": "Which councils perform adequately?"})
    hits = call(url, "search", {"q": "private fostering", "k": 3, "council": "Trafford"})
    ratings = call(url, "ratings", {"council": "Stoke-on-Trent"})
    print(json.dumps({"ask": answer, "search": hits, "ratings": ratings}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860/")
