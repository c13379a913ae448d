"""What went wrong on a guarded connection (the `check` prober's HEAD, dispatch's POSTs),
without importing httpx (a fifth of a short command's start-up).

The names and the grouping are httpx's (a timeout is a TransportError, a policy refusal is
not), so these are classified the way httpx's own errors would be."""

from __future__ import annotations


class RequestError(Exception):
    """Something went wrong with a request; nothing here is an HTTP status."""


class InvalidURL(RequestError):
    pass


class TransportError(RequestError):
    """The connection or the exchange failed: may be transient."""


class TimeoutException(TransportError):
    pass


class ConnectTimeout(TimeoutException):
    pass


class ReadTimeout(TimeoutException):
    pass


class WriteTimeout(TimeoutException):
    pass


class NetworkError(TransportError):
    pass


class ConnectError(NetworkError):
    pass


class ReadError(NetworkError):
    pass


class WriteError(NetworkError):
    pass


class ProtocolError(TransportError):
    pass


class LocalProtocolError(ProtocolError):
    """We would have sent something invalid (e.g. a header with a line break)."""


class RemoteProtocolError(ProtocolError):
    """The server's answer is not valid HTTP/1.1."""


class UnsupportedProtocol(TransportError):
    pass
