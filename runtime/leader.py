"""Leader election through the database: a duty that one process of a deployment performs.

Several ``aduan run`` processes may share one PostgreSQL database. The reminder engine's jobs
must run on exactly one of them (a reminder sent by two is a reminder sent twice), and so does
the sender (Telegram's flood limits are per bot, not per process: one sender keeps them whole).
Each duty is a lease row (``storage.leases``): the holder renews it every third of its period;
when the holder dies, another process takes the lease once it has expired, so the duty moves
within one period plus one renewal (30 + 10 s by default). A clean stop releases the lease at once,
and a process restarted on the same machine after its predecessor was killed takes the lease at
once: the lease names the holder's machine, pid and pid scope, so a holder that has ended there is
known for sure (:func:`dead_local_holder`); a holder elsewhere is only ever replaced by expiry.

A process that cannot renew (database unreachable) steps down at once: it cannot know whether its
lease still holds, and a duty done by nobody for a while is safer than one done twice.

A lease that expires under a holder that is still alive (starved of CPU, a paused VM, a slow
database) is the hard case for the sender: the old holder learns it lost the lease only at its
next round, and meanwhile may have a send on its way, or rows fetched and not yet sent, which
the new holder finds unsent and would send again. Two rules keep them apart in time
(:meth:`Leadership.may_act`, checked before every send):

- *the holder acts only while its lease surely holds for a margin more* (a third of the period):
  it knows until when, on its monotonic clock, measured from before the round that renewed the
  lease (the row's expiry is written from a later wall-clock moment, so the local validity
  never outlasts it). A starved holder stops starting sends on its own, round or no round;
- *a process that takes a lease that expired in another holder's hands waits a grace* (a third
  of the period) before its first act. Not after a clean release (the holder's duty had ended)
  nor from a holder known to be dead (:func:`dead_local_holder`), nor on SQLite (one process).

So the old holder's last send starts at least margin + grace (20 s by default, 2 s with the
crash suite's 3 s lease) before the new holder's first, time for it to be answered and recorded
(each answer is recorded at once: runtime.outbox). What is left, as Telegram has no idempotent
send: a send whose answer and record take longer than that (a request hanging for most of its
60 s timeout, the database unreachable when it is to be recorded), a process frozen between
the check and the request going out, or wall clocks apart by a good part of the margin (keep
them NTP-synchronised). The message then arrives twice; it is never lost. A takeover of a
dead holder on another machine takes a grace longer: 30 + 10 + 10 s by default.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from runtime.worker import Worker
from storage import leases
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: The duties, by lease name.
REMINDERS = "reminders"
SENDER = "sender"


def local_scope() -> str:
    """Where this process's pid means something: the running kernel (boot) and its pid namespace.

    Two containers may share a host name (host networking) yet not see each other's pids; a
    machine rebooted starts its pids again. Empty where it cannot be known (no /proc).
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return hashlib.sha256(f"{boot}/{namespace}".encode()).hexdigest()[:12]


def process_name() -> str:
    """How this process is named as a lease holder: host, pid, a random tail (pids repeat) and
    the scope its pid belongs to (:func:`local_scope`)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:8]}:{local_scope()}"


def utc_now() -> datetime:
    return datetime.now(UTC)


class SharedSqliteError(RuntimeError):
    """Another live process on this machine already runs on the same SQLite database."""

    def __init__(self, pid: int) -> None:
        super().__init__(f"another process (pid {pid}) uses this SQLite database")
        self.pid = pid


def live_local_holder(holder: str) -> int | None:
    """The pid of ``holder`` if it is another process of this machine that is still alive."""
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname()[:64] or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():  # this process's predecessor (a restarted container reuses pids)
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, but another user's
        return pid
    return pid


def dead_local_holder(holder: str) -> bool:
    """Whether ``holder`` is known for sure to be gone: a process of this machine, whose pids
    this process sees (same boot, same pid namespace), that no longer runs.

    Any doubt (another machine, another scope, a name without one, a pid reused by a live
    process, another user's process) answers False: its lease is then left to expire.
    """
    parts = holder.split(":")
    if len(parts) != 4:
        return False
    host, pid_text, _, scope = parts
    if host != socket.gethostname()[:64] or not pid_text.isdigit():
        return False
    if not scope or scope != local_scope():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # this process has the pid now: the holder that had it has ended
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, but another user's
        return False
    return False


async def refuse_second_sqlite_process(uow_factory: Callable[[], UnitOfWork]) -> None:
    """SQLite serves one process: a second ``aduan run`` on the same file stops at start.

    The sender's lease says who runs; its holder is on this machine (the file is local), so
    whether it is still alive is known for sure: a holder killed a moment ago does not count.
    """
    async with uow_factory() as uow:
        holder = await leases.holder_of(uow.session, SENDER, now=utc_now())
    pid = None if holder is None else live_local_holder(holder)
    if pid is not None:
        raise SharedSqliteError(pid)


class Duty(Protocol):
    """What a leader starts and stops."""

    async def take_up(self) -> None: ...

    async def hand_over(self) -> None:
        """Stop the duty; returns when no part of it is still running."""

    def check(self) -> None:
        """Raise the error the duty stopped with, if it crashed."""


class Leadership:
    """Holds, renews and gives up one lease, starting and stopping its duty to match."""

    def __init__(
        self,
        *,
        name: str,
        duty: Duty,
        uow_factory: Callable[[], UnitOfWork],
        holder: str,
        period: timedelta = timedelta(seconds=30),
        take_over: bool = False,
        timer: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.holder = holder
        self._duty = duty
        self._uow_factory = uow_factory
        self._period = period
        self._take_over = take_over
        self._timer = timer
        self._monotonic = monotonic
        self._stop = asyncio.Event()
        self.leading = False
        # Monotonic: until when the lease surely holds, and from when the duty may act.
        self._valid_until = -math.inf
        self._not_before = 0.0

    @property
    def renew_seconds(self) -> float:
        return self._period.total_seconds() / 3

    async def run(self) -> None:
        """Until :meth:`stop`: renew or try for the lease every third of its period."""
        try:
            while not self._stop.is_set():
                await self.round()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.renew_seconds)
        finally:
            await self._step_down(release=True)

    async def round(self) -> bool:
        """One attempt to take or renew the lease; the duty follows. True while leading."""
        self._duty.check()
        # The lease written now runs from a wall-clock moment after this one: measured from
        # here, the validity known locally never outlasts the row's (a slow round only shortens it).
        started = self._monotonic()
        try:
            held, inherited = await self._acquire()
        except Exception as error:  # the database is away: nobody can be sure who leads
            log.error("lease %s could not be renewed: %s", self.name, type(error).__name__)
            held, inherited = False, False
        if held:
            self._valid_until = started + self._period.total_seconds()
        else:
            self._valid_until = -math.inf
        if held and not self.leading:
            log.info("this process now runs the %s (lease held by %s)", self.name, self.holder)
            # A holder that may still be alive (it only stopped renewing) may have a send on
            # its way: this process acts only once that send has been answered and recorded.
            self._not_before = self._monotonic() + (self.grace_seconds if inherited else 0.0)
            if inherited:
                log.info(
                    "lease %s expired in the hands of a holder that may be alive; acting in %.0f s",
                    self.name,
                    self.grace_seconds,
                )
            self.leading = True
            await self._duty.take_up()
        elif not held and self.leading:
            log.warning("lease %s lost; the %s stops here", self.name, self.name)
            await self._step_down(release=False)
        return self.leading

    def stop(self) -> None:
        self._stop.set()

    @property
    def margin_seconds(self) -> float:
        """The holder starts no act (a send) with less than this left of its lease."""
        return self._period.total_seconds() / 3

    @property
    def grace_seconds(self) -> float:
        """How long a process that took an expired lease waits before its first act."""
        return self._period.total_seconds() / 3

    def may_act(self) -> bool:
        """Whether the duty may start an act now: this process surely holds the lease for at
        least :attr:`margin_seconds` more, and a takeover's grace is over.

        Checked before each send (``OutboxWorker.may_send``), so a holder that the machine
        starved of CPU stops sending when its lease runs short, not at its next renewal round.
        """
        now = self._monotonic()
        return (
            self.leading
            and now >= self._not_before
            and now < self._valid_until - self.margin_seconds
        )

    async def _acquire(self) -> tuple[bool, bool]:
        """Take or renew the lease: whether it is held, and whether it was inherited from
        another holder that may still be running (it expired in its hands)."""
        async with self._uow_factory() as uow:
            now = self._timer()
            replacing = None
            previous = None
            if not self._take_over:
                # Locked until the commit: the holder read is the one the update replaces.
                previous = await leases.last_holder(uow.session, self.name)
                # A predecessor killed on this machine (a restart after SIGKILL) holds nothing:
                # its lease is taken at once rather than after it expires.
                current = await leases.holder_of(uow.session, self.name, now=now)
                if current is not None and current != self.holder and dead_local_holder(current):
                    log.info("lease %s: its holder %s has ended; taken over", self.name, current)
                    replacing = current
            held = await leases.acquire(
                uow.session,
                self.name,
                self.holder,
                now=now,
                period=self._period,
                take_over=self._take_over,
                replacing=replacing,
            )
            await uow.commit()
        inherited = (
            held
            and previous is not None
            and previous not in (self.holder, replacing)
            and not dead_local_holder(previous)
        )
        return held, inherited

    async def _step_down(self, *, release: bool) -> None:
        if not self.leading:
            return
        self.leading = False
        await self._duty.hand_over()
        if release:
            with contextlib.suppress(Exception):  # it expires on its own anyway
                async with self._uow_factory() as uow:
                    await leases.release(uow.session, self.name, self.holder, now=self._timer())
                    await uow.commit()


class WorkerDuty:
    """A background worker (the outbox's sender) run only while leading."""

    def __init__(self, worker: Worker, name: str) -> None:
        self._worker = worker
        self._name = name
        self._task: asyncio.Task[None] | None = None

    async def take_up(self) -> None:
        self._worker.rearm()
        self._task = asyncio.create_task(self._worker.run(), name=f"aduan-{self._name}")

    async def hand_over(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._worker.stop()
        await task

    def check(self) -> None:
        if self._task is not None and self._task.done() and not self._task.cancelled():
            error = self._task.exception()
            if error is not None:
                raise error


class Duties:
    """Several duties under one lease, taken up in order and handed over in reverse (the
    sender: its outbox worker and the listener that wakes it, runtime.wakeups)."""

    def __init__(self, *duties: Duty) -> None:
        self._duties = duties

    async def take_up(self) -> None:
        for duty in self._duties:
            await duty.take_up()

    async def hand_over(self) -> None:
        for duty in reversed(self._duties):
            await duty.hand_over()

    def check(self) -> None:
        for duty in self._duties:
            duty.check()


class ReminderDuty:
    """The reminder engine's scheduled jobs (``runtime.reminders``) run only while leading."""

    def __init__(self, jobs: _Jobs, grace: float) -> None:
        self._jobs = jobs
        self._grace = grace

    async def take_up(self) -> None:
        self._jobs.start()

    async def hand_over(self) -> None:
        await self._jobs.stop(self._grace)

    def check(self) -> None:
        return None


class _Jobs(Protocol):
    def start(self) -> None: ...

    async def stop(self, grace: float = ...) -> None: ...
