"""A small, real OpenAI-compatible HTTP server for tests and the client benchmark.

    python tests/generate/openai_server.py --port 0 [--fail-first 2] [--fail-substring X] [--delay-substring Y --delay 5]

Raw asyncio HTTP/1.1 with keep-alive (uvloop when installed), so it costs little CPU and the
client benchmark measures the client. It implements POST /v1/completions and /v1/chat/completions
with `n`, `seed` and `usage`, and answers deterministically: the same (prompt, seed, n) gives the
same choices. Failure injection:
  --fail-first K         each distinct request fails its first K attempts with HTTP 500
  --fail-substring S     requests whose prompt contains S always fail with HTTP 500
  --delay-substring S    requests whose prompt contains S wait --delay seconds first (timeouts)
  --slow SECONDS         every request waits this long (keeps a run going for kill tests)
  --no-n                 refuse n > 1 with HTTP 400 (a server without n support)
  --reasoning-split      chat: answer with reasoning_content + content, as servers with a reasoning parser
  --misbehave MODE       answer every request with HTTP 200 and a broken body (see MISBEHAVIOURS)
  --body-mb M            size of the body for the `brackets` and `huge_text` misbehaviours
  --no-length            send bodies without Content-Length, ending them by closing the connection
GET /stats returns the counts of responses by status. Prints "PORT <port>" once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from collections import Counter


def answer_text(prompt: str, seed: int | None, index: int, max_tokens: int) -> tuple[str, str, int]:
    """A deterministic completion: (text, finish_reason, completion_tokens)."""
    digest = hashlib.sha256(f"{prompt}|{seed}|{index}".encode()).hexdigest()
    value = int(digest[:6], 16) % 100
    words = [f"step{digest[i:i + 2]}" for i in range(0, 2 * (3 + value % 5), 2)]
    words += ["</think>", "The", "answer", "is", f"\\boxed{{{value}}}."]
    if len(words) > max_tokens:
        return " ".join(words[:max_tokens]), "length", max_tokens
    return " ".join(words), "stop", len(words)


def _valid(n: int, text: str = "x </think> \\boxed{1}", **usage) -> dict:
    choices = [{"index": i, "text": text, "finish_reason": "stop"} for i in range(n)]
    return {"choices": choices, "usage": {"prompt_tokens": 3, "completion_tokens": 4 * n, **usage}}


# name -> body(n, megabytes): what a broken, overloaded or hostile server may answer with HTTP 200
MISBEHAVIOURS = {
    "json_list": lambda n, mb: b"[1, 2, 3]",
    "usage_string": lambda n, mb: json.dumps(_valid(n, completion_tokens="ten")).encode(),
    "usage_negative": lambda n, mb: json.dumps(_valid(n, prompt_tokens=-5, completion_tokens=-7)).encode(),
    "usage_huge": lambda n, mb: json.dumps(_valid(n, completion_tokens=10**12)).encode(),
    "text_null": lambda n, mb: json.dumps(_valid(n)).replace('"text": "x </think> \\\\boxed{1}"', '"text": null').encode(),
    "bad_utf8": lambda n, mb: json.dumps(_valid(n)).encode().replace(b"x </think>", b"\xff\xfe </think>"),
    "brackets": lambda n, mb: b"[" * int(mb * 2**20),
    "huge_text": lambda n, mb: json.dumps(_valid(n, text="y" * int(mb * 2**20 / max(n, 1)))).encode(),
    "choices_not_list": lambda n, mb: b'{"choices": {"0": "x"}}',
    "index_repeated": lambda n, mb: json.dumps({"choices": [{"index": 0, "text": "a"}] * n}).encode(),
    "message_not_object": lambda n, mb: json.dumps({"choices": [{"index": i, "message": "hi"} for i in range(n)]}).encode(),
}


class Server:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.attempts: Counter = Counter()
        self.stats: Counter = Counter()

    async def handle(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if method == "GET" and path == "/stats":
            return 200, json.dumps(dict(self.stats)).encode()
        if method != "POST" or path not in ("/v1/completions", "/v1/chat/completions"):
            return 404, b'{"error": "not found"}'
        try:
            req = json.loads(body)
        except json.JSONDecodeError:
            return 400, b'{"error": "bad json"}'
        chat = path.endswith("chat/completions")
        prompt = json.dumps(req["messages"]) if chat else req["prompt"]
        if chat and bool(req.get("continue_final_message")) != (req["messages"][-1]["role"] == "assistant"):
            # as vLLM: continuing a turn needs a final assistant message, and the flag to continue it
            return 400, b'{"error": "continue_final_message needs a final assistant message"}'
        reasoning_split = chat and self.args.reasoning_split
        n, seed, max_tokens = int(req.get("n", 1)), req.get("seed"), int(req.get("max_tokens", 16))
        if self.args.no_n and n > 1:
            return 400, b'{"error": "n > 1 not supported"}'
        key = f"{prompt}|{seed}|{n}"
        self.attempts[key] += 1
        if self.args.misbehave:
            return 200, MISBEHAVIOURS[self.args.misbehave](n, self.args.body_mb)
        if self.args.slow:
            await asyncio.sleep(self.args.slow)
        if self.args.delay_substring and self.args.delay_substring in prompt:
            await asyncio.sleep(self.args.delay)
        if (self.args.fail_substring and self.args.fail_substring in prompt) or self.attempts[key] <= self.args.fail_first:
            return 500, b'{"error": "injected failure"}'
        choices, completion_tokens = [], 0
        for i in range(n):
            text, reason, tokens = answer_text(prompt, seed, i, max_tokens)
            completion_tokens += tokens
            choice = {"index": i, "finish_reason": reason}
            if reasoning_split:  # like a server with a reasoning parser: the thinking comes apart
                thinking, _, answer = text.partition(" </think> ")
                choice["message"] = {"role": "assistant", "reasoning_content": thinking, "content": answer}
            else:
                choice.update({"message": {"role": "assistant", "content": text}} if chat else {"text": text})
            choices.append(choice)
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": completion_tokens}
        usage["total_tokens"] = usage["prompt_tokens"] + completion_tokens
        return 200, json.dumps({"id": "cmpl-1", "object": "text_completion", "model": req.get("model"),
                                "choices": choices, "usage": usage}).encode()


class HttpProtocol(asyncio.Protocol):
    """Minimal HTTP/1.1: Content-Length bodies, keep-alive, pipelining-safe buffer."""

    def __init__(self, server: Server):
        self.server = server
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1").split("\r\n")
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4 : head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length :]
            method, path, _ = head[0].split(" ", 2)
            asyncio.ensure_future(self.respond(method, path, body))

    async def respond(self, method: str, path: str, body: bytes) -> None:
        status, payload = await self.server.handle(method, path, body)
        self.server.stats[str(status)] += 1
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}[status]
        if self.transport.is_closing():
            return
        if self.server.args.no_length:  # the body ends where the connection does: no size known up front
            self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n%s"
                                 % (status, reason.encode(), payload))
            self.transport.close()
            return
        self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (status, reason.encode(), len(payload), payload))


async def serve(args: argparse.Namespace) -> None:
    server = Server(args)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: HttpProtocol(server), "127.0.0.1", args.port, backlog=4096)
    print(f"PORT {srv.sockets[0].getsockname()[1]}", flush=True)
    async with srv:
        await srv.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--fail-substring", default="")
    parser.add_argument("--delay-substring", default="")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--no-n", action="store_true")
    parser.add_argument("--reasoning-split", action="store_true", help="chat: return reasoning_content apart")
    parser.add_argument("--misbehave", choices=sorted(MISBEHAVIOURS), default="")
    parser.add_argument("--body-mb", type=float, default=50.0)
    parser.add_argument("--no-length", action="store_true", help="no Content-Length: close to end a body")
    args = parser.parse_args(argv)
    try:
        import uvloop  # optional: a cheaper event loop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    try:
        runner(serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
