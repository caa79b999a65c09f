import http.server
import json
import socket
import threading
import unittest

from macpool_neutron.client import MacPoolClient, MacPoolError, MacPoolUnavailable


class Recorder(http.server.BaseHTTPRequestHandler):
    """A scripted HTTP peer on loopback: what the client sends, and how it handles answers."""

    protocol_version = 'HTTP/1.1'
    seen = []
    answers = {}

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        Recorder.seen.append((self.command, self.path, self.headers.get('Authorization'), body, self.client_address[1]))
        status, payload = Recorder.answers.get((self.command, self.path), (404, {'error': {'code': 'not_found', 'message': 'nope'}}))
        raw = b'' if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = 'http://127.0.0.1:%d' % cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        Recorder.seen = []
        Recorder.answers = {}
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.close()

    def client(self, url=None, token='t', timeout=2):
        client = MacPoolClient(url or self.url, token, timeout=timeout)
        self.clients.append(client)
        return client

    def test_reserve_sends_json_with_bearer_token_over_one_kept_alive_nodelay_connection(self):
        Recorder.answers[('POST', '/v1/allocations')] = (201, {'mac': '02:00:00:00:00:01'})
        client = self.client(token='s3cret')
        self.assertEqual(client.reserve({'portId': 'p1'})['mac'], '02:00:00:00:00:01')
        self.assertEqual(client.reserve({'portId': 'p2'})['mac'], '02:00:00:00:00:01')
        (m1, p1, auth, body, port1), (_, _, _, _, port2) = Recorder.seen
        self.assertEqual((m1, p1, auth), ('POST', '/v1/allocations', 'Bearer s3cret'))
        self.assertEqual(json.loads(body), {'portId': 'p1'})
        self.assertEqual(port1, port2, 'second call should reuse the connection')
        sock = client._idle[0].sock
        self.assertEqual(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)

    def test_connections_are_shared_across_threads(self):
        # neutron-server runs each API request in a new green thread: they must reuse connections.
        Recorder.answers[('POST', '/v1/allocations')] = (201, {'mac': '02:00:00:00:00:01'})
        client = self.client()
        for i in range(3):
            t = threading.Thread(target=client.reserve, args=({'portId': 'p%d' % i},))
            t.start()
            t.join()
        self.assertEqual(len({seen[4] for seen in Recorder.seen}), 1)
        self.assertEqual(len(client._idle), 1)

    def test_commit_and_release_quote_the_port_id(self):
        Recorder.answers[('POST', '/v1/allocations/a%2Fb/commit')] = (200, {'state': 'allocated'})
        Recorder.answers[('DELETE', '/v1/allocations/a%2Fb')] = (204, None)
        client = self.client()
        self.assertEqual(client.commit('a/b'), {'state': 'allocated'})
        self.assertIsNone(client.release('a/b'))

    def test_error_shape_becomes_exceptions(self):
        error = {'code': 'pool_exhausted', 'message': 'no free MAC', 'details': {'poolsTried': ['a']}}
        Recorder.answers[('POST', '/v1/allocations')] = (409, {'error': error})
        client = self.client()
        with self.assertRaises(MacPoolError) as ctx:
            client.reserve({'portId': 'p'})
        self.assertNotIsInstance(ctx.exception, MacPoolUnavailable)
        self.assertEqual((ctx.exception.status, ctx.exception.code, ctx.exception.details), (409, 'pool_exhausted', {'poolsTried': ['a']}))
        Recorder.answers[('POST', '/v1/allocations')] = (503, {'error': {'code': 'x', 'message': 'db down'}})
        with self.assertRaises(MacPoolUnavailable):
            client.reserve({'portId': 'p'})

    def test_unreachable_service_is_unavailable_and_names_the_url(self):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        client = self.client('http://127.0.0.1:%d' % port, 'secret-token', timeout=1)
        with self.assertRaises(MacPoolUnavailable) as ctx:
            client.reserve({'portId': 'p'})
        self.assertIn('127.0.0.1:%d' % port, ctx.exception.message)
        self.assertNotIn('secret-token', ctx.exception.message)

    def test_refuses_a_bad_url(self):
        with self.assertRaises(ValueError):
            MacPoolClient('ftp://x', 't')


if __name__ == '__main__':
    unittest.main()
