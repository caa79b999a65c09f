"""Commits of reserved MACs, sent after the port create has answered (standard library only).

The commit only turns a reservation into an allocation; the port already has its MAC. Sending it
inside the port-create request made every create wait for a second round trip, so AFTER_CREATE
hands the port id to one background worker instead. A commit that is lost (queue full, service
down, neutron-server stopped first) is repaired by the service's reconciliation, which commits a
reservation whose port exists in Neutron; a reservation whose port never came to be expires.

`threading` and `queue` may be monkey-patched by eventlet in neutron-server: the worker is then a
green thread and the queue a green queue, and the code below works the same either way.
"""
import os
import queue
import threading

from macpool_neutron.client import MacPoolError

CAPACITY = 10000


class SynchronousCommitter:
    """Commits inside the caller: for unit tests of the hook, and tools without a worker."""

    def __init__(self, client, log=None):
        self.client = client
        self.log = log

    def submit(self, port_id):
        commit_or_warn(self.client, port_id, self.log)
        return True

    def cancel(self, port_id):
        pass


class BackgroundCommitter:
    """One daemon worker sends the commits in submission order from a bounded queue.

    The worker starts with the first submit in each process: neutron-server loads the plugin and
    then forks its API workers, and a thread started before the fork would not run in them.
    """

    def __init__(self, client, log=None, capacity=CAPACITY):
        self.client = client
        self.log = log
        self.capacity = capacity
        self._lock = threading.Lock()
        self._pid = None
        self._queue = None
        # Port ids submitted and not yet done; a release takes its port out so the commit is skipped.
        self._pending = set()
        self._outstanding = 0
        self._idle = threading.Condition(self._lock)

    def submit(self, port_id):
        """Queues the commit; False (with a warning) when the queue is full and it was dropped."""
        with self._lock:
            self._start_in_this_process()
            try:
                self._queue.put_nowait(port_id)
                self._pending.add(port_id)
                self._outstanding += 1
                return True
            except queue.Full:
                pass
        self._warn('commit queue full (%d): commit of port %s dropped; reconciliation will commit it', self.capacity, port_id)
        return False

    def cancel(self, port_id):
        """The port is being deleted: a commit still queued for it is not sent."""
        with self._lock:
            self._pending.discard(port_id)

    def wait_idle(self, timeout):
        """True once every submitted commit is done (sent, failed or skipped) within timeout seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    def _start_in_this_process(self):
        if self._pid == os.getpid():
            return
        # First use here, or a forked child: a new queue and worker (the parent's worker is not
        # running in this process, and commits queued there belong to the parent).
        self._pid = os.getpid()
        self._queue = queue.Queue(self.capacity)
        self._pending = set()
        self._outstanding = 0
        worker = threading.Thread(target=self._run, args=(self._queue,), name='macpool-commit', daemon=True)
        worker.start()

    def _run(self, commits):
        while True:
            port_id = commits.get()
            try:
                self._commit(port_id)
            finally:
                with self._idle:
                    self._outstanding -= 1
                    self._idle.notify_all()

    def _commit(self, port_id):
        with self._lock:
            if port_id not in self._pending:
                return  # released before its turn: the release wins, nothing to commit
        try:
            self.client.commit(port_id)
        except MacPoolError as err:
            with self._lock:
                released_meanwhile = port_id not in self._pending
            if not released_meanwhile:
                # A commit reaching the service after the release changes nothing there (404).
                warn_commit_failed(self.log, port_id, err)
        except Exception as err:  # the worker must outlive any surprise, or no commit is ever sent again
            self._warn('commit of port %s failed unexpectedly (%r); reconciliation will fix it', port_id, err)
        finally:
            with self._lock:
                self._pending.discard(port_id)

    def _warn(self, msg, *args):
        if self.log is not None:
            self.log.warning(msg, *args)


def commit_or_warn(client, port_id, log):
    try:
        client.commit(port_id)
    except MacPoolError as err:
        warn_commit_failed(log, port_id, err)


def warn_commit_failed(log, port_id, err):
    # The reservation stays until it expires; reconciliation commits it if the port exists.
    if log is not None:
        log.warning('commit of port %s failed (%s); reconciliation will fix it', port_id, err.message)
