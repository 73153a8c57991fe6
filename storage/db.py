"""Engine creation and schema migration; nothing here runs at import time."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: Page cache of each SQLite connection, in KiB (SQLite's default is 2 MiB). Every connection is a
#: thread of its own with its own cache, and up to a dozen are open while chats are handled side by
#: side: the default cost about 20 MB of the bot's memory. The operating system's file cache still
#: keeps the database's hot pages, so a miss here is a read from memory, not from the disk.
SQLITE_CACHE_KIB = 512


#: How long a write transaction waits for the one before it (SQLite has one writer at a time),
#: in this process (see _one_writer_at_a_time) and, from another process, in SQLite itself.
SQLITE_BUSY_SECONDS = 15.0

# The statements that make a SQLite transaction a write transaction (the driver begins it there;
# ``begin_explicitly`` begins one as such).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|BEGIN\s+IMMEDIATE)\b", re.IGNORECASE)
_HOLDS_TURN = "aduan_sqlite_writer"
#: The connection's transaction began as a writer (``begin_explicitly``), until it ends.
_BEGAN_AS_WRITER = "aduan_sqlite_began_as_writer"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes a second writer (another
    # process: this one's take turns first) wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine; for SQLite the folder is created and the pragmas set on every connection."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _one_writer_at_a_time(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


#: Per SQLite engine, the write transactions waiting for their turn (see writers_waiting).
_WAITING: WeakKeyDictionary[Any, int] = WeakKeyDictionary()


def writers_waiting(engine: AsyncEngine) -> int:
    """How many write transactions wait for the SQLite engine's writer turn (0 on PostgreSQL):
    what a test waits for to know a transaction is held behind another."""
    return _WAITING.get(engine.sync_engine, 0)


def _one_writer_at_a_time(engine: AsyncEngine) -> None:
    """The engine's write transactions take turns on an asyncio lock.

    SQLite lets one transaction write at a time. Without this, a transaction whose first write
    found another one writing waited in SQLite's busy handler, which sleeps and tries again
    (1, 2, 5, ... up to 100 ms a time) while the connection's thread is blocked: with chats handled
    side by side, most of a step's time went to those sleeps. Here the second writer waits on the
    lock and goes the moment the first one's connection is back in the pool (after its commit or
    rollback), in the order they asked. Readers never take the lock (WAL: they see the last
    commit and do not block the writer). The turn is taken at the transaction's first INSERT,
    UPDATE or DELETE, where SQLite's own write lock would be, so nothing waits sooner than before;
    and a writer that waits longer than SQLite would have gets the same "database is locked".
    Another process (a CLI command beside the bot) still meets SQLite's own busy handler.
    """
    from sqlalchemy.exc import MissingGreenlet, OperationalError
    from sqlalchemy.util import await_only

    turn = asyncio.Lock()
    _WAITING[engine.sync_engine] = 0

    async def take_turn() -> None:
        _WAITING[engine.sync_engine] += 1
        try:
            await asyncio.wait_for(turn.acquire(), SQLITE_BUSY_SECONDS)
        finally:
            _WAITING[engine.sync_engine] -= 1

    def before_write(
        conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        info = conn.connection.info  # the pooled connection's own, kept until it is checked in
        if info.get(_HOLDS_TURN) or not _WRITES.match(statement):
            return
        waiting = take_turn()
        try:
            await_only(waiting)
        except MissingGreenlet:  # used outside asyncio (none of the bot's own code): no turns
            waiting.close()
            return
        except TimeoutError:
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError(statement, parameters, locked) from None
        info[_HOLDS_TURN] = True

    def back_in_pool(_dbapi_connection: Any, record: Any) -> None:
        # After the pool's own rollback-on-return: the transaction is over, committed or not.
        record.info.pop(_BEGAN_AS_WRITER, None)
        if record.info.pop(_HOLDS_TURN, False):
            turn.release()

    def ended(conn: Any) -> None:
        conn.connection.info.pop(_BEGAN_AS_WRITER, None)

    event.listen(engine.sync_engine, "before_cursor_execute", before_write)
    event.listen(engine.sync_engine, "checkin", back_in_pool)
    event.listen(engine.sync_engine, "commit", ended)
    event.listen(engine.sync_engine, "rollback", ended)


async def begin_explicitly(session: AsyncSession) -> None:
    """Begin the session's transaction in the database now, before its first statement.

    SQLite's driver begins a transaction only before a write; a SAVEPOINT outside one starts a
    transaction of its own, which its RELEASE commits. A transaction that holds savepoints
    (``runtime.console_batches``) begins here, so that only its commit commits; as a writer
    (``BEGIN IMMEDIATE``, after its turn: ``_one_writer_at_a_time``), since a read transaction
    that later writes fails ("database is locked") once another writer committed after its first
    read. PostgreSQL begins every transaction itself."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.info[_BEGAN_AS_WRITER] = True


async def began_as_writer(session: AsyncSession) -> bool:
    """Whether the session's SQLite transaction began as a writer (``begin_explicitly``): every
    row it read is as committed, and no one else writes until it ends."""
    connection = await session.connection()
    return bool(connection.info.get(_BEGAN_AS_WRITER))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(database_url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_sync(database_url: str, revision: str = "head") -> None:
    """Apply the pending Alembic migrations up to ``revision`` (blocking; run in a thread from
    async code)."""
    from alembic import command

    command.upgrade(_alembic_config(database_url), revision)


async def migrate(database_url: str) -> None:
    """Bring the schema to the newest revision; the program calls this on start.

    A database already at the newest revision (a restart; or ``aduan run``, which migrates in a
    child process first) is left alone without loading Alembic and the migration scripts, about
    15 MB that would stay in the process for good.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if await at_head(database_url):
        return
    await asyncio.to_thread(upgrade_sync, database_url)


async def at_head(database_url: str) -> bool:
    """Whether the schema is at the newest revision; False whenever that cannot be read (no
    table yet, no database: Alembic then creates it or reports what is wrong)."""
    head = _files_head()
    if head is None:
        return False
    engine = create_engine(database_url)
    try:
        return await schema_problem(engine, head) is None
    except Exception:
        return False
    finally:
        await engine.dispose()


_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision(?:\s*:[^=]*)?\s*=\s*(?:None|[\"']([^\"']+)[\"'])\s*$", re.MULTILINE
)


def _files_head() -> str | None:
    """The newest revision read from the scripts' ``revision`` and ``down_revision`` lines;
    None unless they form a single line of history (then Alembic itself is asked)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None and down is None:
            continue  # not a migration (the package's __init__)
        if revision is None or down is None:
            return None  # a merge (a tuple of parents) or a form this does not read
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def migration_head() -> str:
    """The newest revision this version of the program knows."""
    head = _files_head()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head() or ""


async def schema_problem(engine: AsyncEngine, head: str) -> str | None:
    """None when the database answers and is migrated to ``head``; else what is wrong."""
    from sqlalchemy import text

    async with engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    if version != head:
        return f"schema at {version}, this version needs {head}"
    return None
