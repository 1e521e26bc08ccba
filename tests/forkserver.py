"""A coursebuild with its imports done, forking one child process per test build.

Most tests run ``python -m coursebuild …`` and read its exit code and output. Starting
the interpreter and importing coursebuild costs about 0.3 s of CPU each time, more than
the build of a small test course, and the suite runs hundreds of builds. This server
imports coursebuild once (Python modules only: no V8 and no thread is started before a
fork), then for each request forks a child that is set up as ``python -m coursebuild``
would be (argv, working folder, environment, stdin from /dev/null, stdout and stderr to
files) and runs the same ``main()`` as ``coursebuild/__main__.py``. The build still runs
in its own process: state left by one build cannot reach the next, a crash or a
traceback shows as it would, and a test can kill it.

Protocol (JSON lines; requests on stdin, replies on stdout):
``{"args", "cwd", "env", "stdout", "stderr"}`` → ``{"pid"}`` at once, then ``{"code"}``
when the child has ended. EOF on stdin ends the server.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import pkgutil
import sys
import threading
import traceback
from typing import Any


def preload() -> None:
    """Import every coursebuild module, so that no child has to."""
    import coursebuild

    for info in pkgutil.walk_packages(coursebuild.__path__, "coursebuild."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    # A fork copies only the forking thread: a lock held by another one would stay locked
    # in the child forever. Importing starts none; make sure it stays so.
    if threading.active_count() != 1 or len(os.listdir("/proc/self/task")) != 1:
        raise SystemExit("forkserver: importing coursebuild started a thread; cannot fork safely")


def exit_code(value: Any) -> int:
    """What the interpreter turns ``SystemExit(value)`` into."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


def run_child(request: dict[str, Any]) -> None:
    """In the forked child: become ``python -m coursebuild ARGS`` and never return."""
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        import coursebuild

        # argv[0] as ``python -m coursebuild`` sets it (importing __main__ would run it).
        sys.argv = [os.path.join(os.path.dirname(coursebuild.__file__), "__main__.py"), *request["args"]]
        sys.path[0] = os.getcwd()  # as with ``python -m``
        from coursebuild.cli import main

        code = exit_code(main())
    except SystemExit as exc:
        code = exit_code(exc.code)
    except BaseException:  # noqa: B036 -- print it as the interpreter would, then exit 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve() -> None:
    replies = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(request)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
        replies.flush()


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # not tests/: imports resolve as they would for ``python -m``
    preload()
    serve()
