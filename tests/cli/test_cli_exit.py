"""The console script ends without the interpreter's teardown, and says all it had to say.

`salesops.cli.app.exit_without_teardown` ends each command with os._exit: these run it in a
fresh process and check what a normal exit would have done still happens (the status, every
byte of stdout, atexit handlers), and that a live thread is waited for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from salesops.cli import app

EXIT = """
import atexit, sys
from salesops.cli.app import exit_without_teardown
atexit.register(lambda: print("atexit ran", file=sys.stderr))
{body}
"""


def _python(body: str, **kwargs) -> subprocess.CompletedProcess:
    """Returns the finished process that ran EXIT with `body` (stdout and stderr as text).

    stdout is buffered, as for a user's pipe or file: the flush at exit is what is tested.
    """
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(
        [sys.executable, "-c", EXIT.format(body=body)], text=True, check=False, env=_buffered(),
        **streams,
    )  # fmt: skip


def _buffered() -> dict[str, str]:
    """Returns this environment without PYTHONUNBUFFERED (which the test harness may set)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_status_stdout_and_atexit_are_as_a_normal_exit():
    # 1 KB: held in Python's 8 KB buffer until the flush
    done = _python("sys.stdout.write('x' * 1000); exit_without_teardown(3)")
    assert done.returncode == 3
    assert done.stdout == "x" * 1000
    assert done.stderr == "atexit ran\n"


def test_a_message_goes_to_stderr_with_status_1_and_none_is_0():
    message = _python("exit_without_teardown('Error: no such week')")
    assert (message.returncode, message.stderr) == (1, "Error: no such week\natexit ran\n")
    assert _python("exit_without_teardown(None)").returncode == 0


def test_a_live_thread_is_waited_for():
    body = """
import threading, time
def late():
    time.sleep(0.3)
    print("thread finished", flush=True)
threading.Thread(target=late).start()
exit_without_teardown(0)
"""
    done = _python(body)
    assert done.returncode == 0
    assert done.stdout == "thread finished\n"
    assert "atexit ran" in done.stderr


def test_a_reader_that_left_gives_status_1_and_no_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)  # `salesops ... | head` after head has gone
    try:
        done = _python("print('x' * 100); exit_without_teardown(0)", stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr == "atexit ran\n"


def test_a_reader_that_left_mid_report_is_not_a_database_problem(demo_url):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the report outgrows Python's buffer: a write in the command fails
    try:
        done = subprocess.run(
            [sys.executable, "-m", "salesops", "review", "--url", demo_url, "--format", "json"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, env=_buffered(), check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr == ""  # not "Can't reach the database" (a closed pipe is an OSError)


def test_the_console_script_prints_what_the_command_returns(demo_url):
    argv = ["quality", "--url", demo_url, "--format", "json", "--as-of", "2026-01-01"]
    expected = CliRunner().invoke(app, argv)
    assert expected.exit_code == 0, expected.output
    done = subprocess.run(
        [sys.executable, "-m", "salesops", *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(expected.stdout)
    assert json.loads(done.stdout)["checks"]


def test_the_console_script_fails_with_the_commands_status_and_message():
    done = subprocess.run(
        [sys.executable, "-m", "salesops", "quality", "--as-of", "31/12/2026"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "--as-of '31/12/2026' is not a date: expected YYYY-MM-DD." in done.stderr
    assert "Traceback" not in done.stderr
