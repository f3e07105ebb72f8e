"""The HTTP/1.1 protocol `award-ledger serve` runs: uvicorn's httptools parser, with one exception handed to h11.

httptools (llhttp) is uvicorn's fast parser: a claim costs the server 8-15 % less CPU under it than under h11
(bench/RESULTS.md, issue 17, ninth pass). But a request that offers a protocol upgrade uvicorn does not take (not
WebSocket) loses its body under it: httptools tells llhttp to skip the body of any request with `Connection:
Upgrade`, and the body's bytes come back as the new protocol's (uvicorn #2722). Java's `HttpClient` offers `Upgrade:
h2c` on plain-HTTP requests, so its POSTs arrived empty.

Here such a request is not answered by httptools: its head is written out again as it came, with what followed it,
to uvicorn's h11 protocol, which ignores the offer and reads the body; the connection stays with h11 from then on
(a client that offered an upgrade once may offer it again). A connection that never offers one never meets h11.
If an earlier request on the connection is still being answered (pipelining), the hand-over waits for its answer,
reading nothing meanwhile, so the answers leave in order (tests/api/test_java_clients.py).

A request's head is bounded as h11 bounds it (`HEAD_LIMIT`, its default): llhttp sets no bound of its own, so a
client sending header lines without end would otherwise grow the server's memory until it stopped. The bound holds
for a head that arrives whole in one read as for one that never ends: the request line and headers are counted as
the parser hands them over, and so are the bytes of a head still unfinished. Past the bound the answer is 431 and
the connection is closed; a request the parser cannot read at all is 400. Both are problem+json with a stable code
and a detail in the reader's language, as every other refusal is (tests/api/test_edge.py).

A request's head is bounded in time as well (`head_seconds`, LEDGER_BODY_SECONDS, 30 s by default): from the
connection's opening, or from the first byte of a later request on it, to the end of its headers. A client that
opens connections and trickles a header line now and then (slowloris) held each connection for ever, since uvicorn
times only the pause between requests; past the bound the answer is 408 and the connection is closed (a connection
that sent nothing at all is closed without one).

Every timer that closes a connection takes a last look first (`LAST_LOOK`): when it fires it waits one more short
while, in which the loop reads the socket, and closes only if nothing arrived. uvloop runs a turn's timers before it
reads the sockets, so after the worker stalled for longer than a timeout (the CPU taken by other processes, a pause
of the machine) the timer fired before the request sent meanwhile was read, and closing then dropped a request the
client had sent in time: every kept-alive connection's next request, after a stall longer than uvicorn's 5 s
keep-alive timeout, was reset unanswered (tests/ops/test_stalled_worker.py)."""
from __future__ import annotations

import json
import re

import h11
import httptools
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api import language
from api.problems import MEDIA_TYPE, TYPE_BASE

LAST_LOOK = 0.1  # seconds a timer that would close a connection waits, the socket read meanwhile, before it does
HEAD_LIMIT = 16 * 1024  # bytes of a request line and headers: h11's own default (h11 DEFAULT_MAX_INCOMPLETE_EVENT_SIZE)
# The refusals made before there is a request for the app to answer: (status line, code, title and detail in
# English and in Chinese).
UNREADABLE = (b"HTTP/1.1 400 Bad Request", "bad_request", ("Bad request", "请求有误"), (
    "the request cannot be read as HTTP/1.1 (its request line, a header or the chunked body is malformed); send a"
    " well-formed request, as an HTTP library writes it",
    "无法按 HTTP/1.1 读取该请求（请求行、某个请求头或分块请求体格式有误）；请按 HTTP 客户端库的标准格式发送请求"))
HEAD_TIMEOUT = (b"HTTP/1.1 408 Request Timeout", "request_timeout", ("Request timeout", "请求超时"), (
    "the request line and headers did not arrive within the time allowed (LEDGER_BODY_SECONDS); send the whole"
    " head at once",
    "请求行与请求头未在限定时间内到齐（LEDGER_BODY_SECONDS）；请一次发送完整的请求头"))
UNENCODED = (b"HTTP/1.1 400 Bad Request", "bad_request", ("Bad request", "请求有误"), (
    "the request's URL holds characters that are not percent-encoded (Chinese in a query, say: ?q=企业); encode"
    " them as UTF-8 percent escapes (?q=%E4%BC%81%E4%B8%9A), as an HTTP library does (curl: -G --data-urlencode"
    " 'q=企业')",
    "请求地址中含有未经百分号编码的字符（例如查询参数中的中文 ?q=企业）；请按 UTF-8 进行百分号编码"
    "（?q=%E4%BC%81%E4%B8%9A），HTTP 客户端库会自动编码（curl 可用 -G --data-urlencode 'q=企业'）"))
HEAD_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large", "headers_too_large",
                  ("Headers too large", "请求头过大"), (
                      f"the request line and headers are larger than {HEAD_LIMIT:,} bytes; send fewer or shorter"
                      " headers",
                      f"请求行与请求头合计超过 {HEAD_LIMIT:,} 字节；请减少请求头或缩短其内容"))


# A header as sent, found in the raw bytes of a head the parser has not handed over whole (it hands a header over
# only once the next one begins), and a request line with bytes outside ASCII.
_RAW_LANGUAGE = re.compile(rb"\r\naccept-language[ \t]*:[ \t]*([^\r\n]*)\r?\n", re.IGNORECASE)
_RAW_TARGET = re.compile(rb"(?:^|\n)[A-Z]+ [^ \r\n]*[\x80-\xff]")


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop reading a head past `HEAD_LIMIT`."""


def _refused(transport: object, default_headers: list, refusal: tuple, asked: bytes) -> None:
    """Write a refusal no route makes (problem+json, in Chinese where `asked`, the Accept-Language sent, asks for
    it) and close the connection."""
    status_line, code, titles, details = refusal
    lang = language.parse(asked.decode("latin-1"))
    chosen = 1 if lang == "zh" else 0
    body = json.dumps({"type": TYPE_BASE + code, "title": titles[chosen], "status": int(status_line.split()[1]),
                       "detail": details[chosen], "code": code}, ensure_ascii=False).encode()
    transport.write(b"".join([  # type: ignore[attr-defined]
        status_line, b"\r\n", *(name + b": " + value + b"\r\n" for name, value in default_headers),
        b"content-type: ", MEDIA_TYPE.encode(), b"\r\ncontent-language: ", lang.encode(),
        b"\r\ncontent-length: ", str(len(body)).encode(), b"\r\nconnection: close\r\n\r\n", body]))
    transport.close()  # type: ignore[attr-defined]


class _LastLook:
    """uvicorn's keep-alive timeout, closing a connection only if no request came in a last look (`LAST_LOOK`); and
    the request head's bound in time, which looks last too (`_head_pending`, `_head_refused`: each protocol's)."""
    _looked = False  # the keep-alive timer fired once: the next time, it closes
    _head_timer = None   # the TimerHandle that refuses a head still unfinished when it fires
    _head_looked = False  # it fired once (the last look): the next time, it refuses

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)  # type: ignore[misc]

    def _head_done(self) -> None:
        self._head_looked = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._head_pending():  # type: ignore[attr-defined]
            return
        if not self._head_looked:  # what is in the socket is read first: the head may be whole there
            self._head_looked = True
            self._head_timer = self.loop.call_later(LAST_LOOK, self._head_timed_out)  # type: ignore[attr-defined]
            return
        self._head_looked = False
        self._head_refused()

    def _head_pending(self) -> bool:
        raise NotImplementedError

    def _head_refused(self) -> None:
        raise NotImplementedError

    def _unset_keepalive_if_required(self) -> None:  # data came, or a response is complete: the timer starts over
        self._looked = False
        super()._unset_keepalive_if_required()  # type: ignore[misc]

    def timeout_keep_alive_handler(self) -> None:
        if self._looked or self.transport.is_closing():  # type: ignore[attr-defined]
            super().timeout_keep_alive_handler()  # type: ignore[misc]
            return
        self._looked = True
        self.timeout_keep_alive_task = self.loop.call_later(  # type: ignore[attr-defined]
            LAST_LOOK, self.timeout_keep_alive_handler)


class _H11(_LastLook, H11Protocol):
    """uvicorn's h11 protocol, which a connection offering an upgrade is handed to (every connection of Java's
    HttpClient), with what the httptools side keeps: the last look, a head bounded in size (`HEAD_LIMIT`, 431) and
    in time (`Protocol.head_seconds`, 408) from its first byte, blank lines before a request skipped and an idle
    connection closed whatever blank lines it sent, and a request it cannot read refused as problem+json in the
    reader's language (a probe found h11's connections open to a trickled head for ever, a 20 KB head answered, and
    "Invalid HTTP request received." in plain English)."""
    _raw = b""  # the head being read, as it came: what a refusal reads its language from

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # between requests: what came is (part of) the next head
            if not self.conn.trailing_data[0]:
                # Blank lines before a request line are skipped (RFC 9112 section 2.2), as llhttp skips them: h11
                # refused them with 400 and closed. Blank lines alone leave the connection as idle as before them
                # (its keep-alive timer runs on), and are not handed on: h11 reads no bytes as the end of input.
                data = data.lstrip(b"\r\n")
                if not data:
                    return
            pending = self._raw = self.conn.trailing_data[0] + data
            end = pending.find(b"\r\n\r\n")
            if (end == -1 and len(pending) > HEAD_LIMIT) or end > HEAD_LIMIT:
                self._head_done()
                _refused(self.transport, self.server_state.default_headers, HEAD_TOO_LARGE, _asked(pending))
                return
        super().data_received(data)
        if self.transport.is_closing():
            self._head_done()
            return
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0].strip():
            if self._head_timer is None:  # a head begun and not ended: timed from its first byte
                self._head_timer = self.loop.call_later(Protocol.head_seconds, self._head_timed_out)
            return
        self._head_done()
        if (self.conn.their_state is h11.IDLE and self.cycle is not None and self.cycle.response_complete
                and self.timeout_keep_alive_task is None):  # blank lines only: as idle as before them
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)

    def handle_events(self) -> None:
        """uvicorn's, with blank lines that came in the same read as the request before (after a POST's body, say)
        skipped first, as `data_received` skips those that come alone: h11 keeps what follows a request to read once
        its answer is sent, and answered a blank line there with 400 (a regression probe). h11 offers no way to drop
        bytes it holds: its buffer (h11 0.16's `_receive_buffer._data`) is trimmed where it is as found, else left."""
        buffer = getattr(self.conn, "_receive_buffer", None)
        held = getattr(buffer, "_data", None)
        if self.conn.their_state is h11.IDLE and isinstance(held, bytearray) and held[:1] in (b"\r", b"\n"):
            del held[:len(held) - len(bytes(held).lstrip(b"\r\n"))]
            buffer._next_line_search = buffer._multiple_lines_search = 0  # type: ignore[union-attr]
        super().handle_events()

    def _head_pending(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _head_refused(self) -> None:
        self.logger.warning("A request head still unfinished after %g s was refused.", Protocol.head_seconds)
        _refused(self.transport, self.server_state.default_headers, HEAD_TIMEOUT,
                 _asked(self.conn.trailing_data[0]))

    def send_400_response(self, msg: str) -> None:
        _refused(self.transport, self.server_state.default_headers,
                 UNENCODED if _RAW_TARGET.search(self._raw) else UNREADABLE, _asked(self._raw))


def _asked(raw: bytes) -> bytes:
    """The Accept-Language of a head as sent (unparsed, or broken), or nothing."""
    found = _RAW_LANGUAGE.search(raw)
    return found.group(1) if found else b""


class Protocol(_LastLook, HttpToolsProtocol):
    # The head (and anything after it) of a request that offered an upgrade, waiting for the connection's
    # earlier answers before h11 takes it; None while the connection is httptools' own.
    _held: bytes | None = None
    _offered = False  # the request being parsed offers an upgrade this server does not take
    _in_head = False  # between a request's first byte and the end of its headers
    _head_bytes = 0   # bytes received meanwhile (the whole of each chunk that held some of the head)

    _head_size = 0    # bytes of the request line and headers the parser has handed over
    _too_large = False
    head_seconds = 30.0  # api/app.py sets it from LEDGER_BODY_SECONDS in each worker
    _raw = b""           # the bytes of the head being read, as they came: what a refusal reads its language from
    _idle_since: float | None = None  # when blank lines first came on the idle connection (the loop's clock)

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        super().connection_made(transport)
        self._time_head()

    def _time_head(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_seconds, self._head_timed_out)

    def _head_pending(self) -> bool:
        return self._held is None  # a head held for h11 is h11's to time

    def _head_refused(self) -> None:
        if self._in_head:
            self.logger.warning("A request head still unfinished after %g s was refused.", self.head_seconds)
            self._refuse(HEAD_TIMEOUT)
        elif self.cycle is None:  # nothing sent since the connection opened
            self.transport.close()

    def on_message_begin(self) -> None:
        self._idle_since = None
        super().on_message_begin()
        self._in_head, self._head_bytes, self._head_size = True, 0, 0
        self._time_head()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # "name: value\r\n"
        super().on_header(name, value)

    def _count(self, size: int) -> None:
        self._head_size += size
        if self._head_size > HEAD_LIMIT:
            self._too_large = True
            raise _HeadTooLarge

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_done()
        self._offered = self.parser.should_upgrade() and not self._should_upgrade()
        if not self._offered:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._offered:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._offered:
            super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if self._held is not None:  # read while an earlier answer was sent (its cycle resumes reading): h11's
            self._held += data
            return
        self._unset_keepalive_if_required()
        # A head spread over several chunks is kept whole (it is refused past HEAD_LIMIT); otherwise the chunk,
        # which holds the start of any head it begins.
        self._raw = self._raw + data if self._in_head else data
        try:
            self.parser.feed_data(data)
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > HEAD_LIMIT:
                    self._refuse_head()
            elif self._idle():  # bytes that began no request (blank lines): the connection is as idle as before,
                # since the first of them: a blank line every few seconds restarted the timer for ever (a probe)
                now = self.loop.time()
                self._idle_since = self._idle_since if self._idle_since is not None else now
                left = self.timeout_keep_alive - (now - self._idle_since)
                self.timeout_keep_alive_task = self.loop.call_later(max(left, LAST_LOOK),
                                                                    self.timeout_keep_alive_handler)
        except httptools.HttpParserError:
            if self._too_large:
                self._refuse_head()
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
        except httptools.HttpParserUpgrade as upgrade:
            if self._offered:
                self._hand_over(self._head() + data[upgrade.args[0]:])
            elif self._should_upgrade():
                self.handle_websocket_upgrade()
            else:  # pragma: no cover - every other upgrade is offered (above)
                self._unsupported_upgrade_warning()

    def _idle(self) -> bool:
        """Kept alive between requests, with no timer to close it: the data just read (a stray CRLF, which llhttp
        skips before a request line) stopped the keep-alive timer and began no head to time, and a client sending
        one request and two bytes held the connection for ever (a probe)."""
        return (self.cycle is not None and self.cycle.response_complete and not self.pipeline
                and self.timeout_keep_alive_task is None and not self.transport.is_closing())

    def _refuse_head(self) -> None:
        self.logger.warning("A request head over %d bytes was refused.", HEAD_LIMIT)
        self._refuse(HEAD_TOO_LARGE)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request llhttp cannot parse, as problem+json (its own is plain English text); a URL
        with characters not percent-encoded is told so."""
        self._refuse(UNENCODED if _RAW_TARGET.search(self._raw) else UNREADABLE)

    def _refuse(self, refusal: tuple) -> None:
        """Answer a refusal no route makes and close: in Chinese if the headers read so far ask for it."""
        # as the parser handed it over, or as sent but not handed over (the head stopped, or broke, after it)
        asked = b",".join(v for n, v in getattr(self, "headers", []) if n == b"accept-language") or _asked(self._raw)
        _refused(self.transport, self.server_state.default_headers, refusal, asked)

    def _head(self) -> bytes:
        """The request's head as it came (header names lower-cased, as httptools gives them)."""
        lines = [self.parser.get_method(), b" ", self.url, b" HTTP/", self.parser.get_http_version().encode(),
                 b"\r\n"]
        for name, value in self.headers:
            lines += [name, b": ", value, b"\r\n"]
        lines.append(b"\r\n")
        return b"".join(lines)

    def _hand_over(self, received: bytes) -> None:
        if self.pipeline or (self.cycle is not None and not self.cycle.response_complete):
            self._held = received
            self.flow.pause_reading()
            return
        self._held = None
        self._head_done()
        self.connections.discard(self)
        self._unset_keepalive_if_required()
        taken = _H11(config=self.config, server_state=self.server_state, app_state=self.app_state)
        taken.connection_made(self.transport)
        self.transport.set_protocol(taken)
        self.transport.resume_reading()
        taken.data_received(received)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._held is not None and not self.transport.is_closing():
            self._hand_over(self._held)
