"""Ask a running letters-qa web UI over HTTP, with gradio_client, and print the JSON.

    letters-qa serve                                  # in another terminal
    python examples/api_client.py http://127.0.0.1:7860/

The endpoints return the DESIGN.md JSON: /ask an answer with citations and ratings,
/search ranked passages, /ratings the extracted table. For a server started with
--auth, set LETTERS_QA_AUTH=USER:PASSWORD here too.
"""

import json
import os
import sys

from gradio_client import Client


def main(url: str) -> None:
    user, _, password = os.environ.get("LETTERS_QA_AUTH", "").partition(":")
    client = Client(url, auth=(user, password) if password else None, verbose=False)
    answer = client.predict("Which councils perform adequately?", api_name="/ask")
    hits = client.predict("private fostering", k=3, council="Trafford", api_name="/search")
    ratings = client.predict(council="Stoke-on-Trent", api_name="/ratings")
    print(json.dumps({"ask": answer, "search": hits, "ratings": ratings}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860/")
