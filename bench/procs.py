"""Each bot runs in its own subprocess, so its peak memory is its own (not the driver's)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from emulator.state import BotState

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_argv(root: Path | None = None) -> list[str]:
    """``aduan run`` as a module, in this checkout or in an earlier one (``--baseline``): from
    before the command moved to ``cli/`` it was ``bot.cli``."""
    base = REPO_ROOT if root is None else root
    return ["-m", "cli.main" if (base / "cli" / "main.py").is_file() else "bot.cli", "run"]


class BotProcessError(RuntimeError):
    pass


class BotProcess:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self._argv = [sys.executable, *argv]
        self._env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}
        self._workdir = workdir
        self.log_path = workdir / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self._argv,
                cwd=self._workdir,  # no .env there
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        if self.process is None:
            raise BotProcessError(f"{self.name} was not started")
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise BotProcessError(
                f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
            )

    async def wait_polling(self, state: BotState, timeout: float = 90.0) -> None:
        """Until the bot's first getUpdates reached the emulator (start-up is not measured)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while state.method_counts["getUpdates"] == 0:
            self.check_alive()
            if loop.time() > deadline:
                raise BotProcessError(f"{self.name} did not poll within {timeout}s")
            await asyncio.sleep(0.05)

    def peak_rss_mb(self) -> float | None:
        """VmHWM (peak resident set) of the running process, from /proc; None where unavailable."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
        return None

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the process, every thread (user + system), from /proc."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        # Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful stop), SIGKILL after ``timeout``; returns the exit code."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(process.wait, timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
            raise BotProcessError(f"{self.name} ignored SIGTERM for {timeout}s") from None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
