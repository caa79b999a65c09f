"""HTTP client for the mac-pool allocation API (standard library only).

Kept-alive connections with TCP_NODELAY in a small shared pool: without NODELAY, Nagle's algorithm
and delayed ACKs add ~40 ms to every call; and neutron-server serves each API request in a new
green thread, so per-thread connections would mean a TCP handshake (and a leaked socket) per port.
"""
import http.client
import json
import socket
import threading
import urllib.parse

MAX_IDLE = 8


class MacPoolError(Exception):
    """The service answered with an error (4xx/5xx) in its {"error": {code, message}} shape."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class MacPoolUnavailable(MacPoolError):
    """The service could not be reached, timed out, or failed (5xx)."""


class MacPoolClient:
    def __init__(self, url, token, timeout=5.0):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ('http', 'https') or not parsed.hostname:
            raise ValueError('[macpool] url must be http(s)://host[:port], got %r' % url)
        self.url = url
        self._https = parsed.scheme == 'https'
        self._host = parsed.hostname
        self._port = parsed.port or (443 if self._https else 80)
        self._base = parsed.path.rstrip('/')
        self._token = token
        self._timeout = timeout
        self._idle = []
        self._lock = threading.Lock()

    def reserve(self, request):
        return self._request('POST', '/v1/allocations', request)

    def commit(self, port_id):
        return self._request('POST', '/v1/allocations/%s/commit' % _quote(port_id))

    def release(self, port_id):
        return self._request('DELETE', '/v1/allocations/%s' % _quote(port_id))

    def close(self):
        """Closes the idle connections (later calls open new ones)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _checkout(self):
        with self._lock:
            if self._idle:
                return self._idle.pop()
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self._timeout)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _checkin(self, conn):
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def _request(self, method, path, body=None):
        payload = None if body is None else json.dumps(body).encode()
        headers = {'Authorization': 'Bearer %s' % self._token, 'Accept': 'application/json'}
        if payload is not None:
            headers['Content-Type'] = 'application/json'
        # A kept-alive connection may have been closed by the server meanwhile: one fresh retry.
        # Every call is idempotent on the server (reserve is keyed by port id), so a retry is safe.
        for attempt in (1, 2):
            conn = None
            try:
                conn = self._checkout()
                conn.request(method, self._base + path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, ConnectionError, socket.timeout, OSError) as err:
                if conn is not None:
                    conn.close()
                if attempt == 2 or isinstance(err, socket.timeout):
                    raise MacPoolUnavailable(0, 'unreachable', 'mac-pool service at %s unreachable: %s' % (self.url, err))
        if response.will_close:
            conn.close()
        else:
            self._checkin(conn)
        if response.status == 204:
            return None
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if response.status >= 400:
            error = (data or {}).get('error', {}) if isinstance(data, dict) else {}
            cls = MacPoolUnavailable if response.status >= 500 else MacPoolError
            raise cls(response.status, error.get('code', 'http_%d' % response.status),
                      error.get('message', 'HTTP %d from mac-pool' % response.status), error.get('details'))
        return data


def _quote(value):
    return urllib.parse.quote(str(value), safe='')
