"""`--output` files are written whole or not at all (api/commands/common.py `write_whole`): an operator probe's
export that hit a full disk left the file cut short and the earlier export lost. A write failing part-way is made
real here by a file-size limit in a child process (the kernel refuses the write with EFBIG)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from api.commands.common import write_whole

ROOT = Path(__file__).resolve().parents[2]
LIMITED = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from api.commands.common import write_whole
try:
    write_whole(Path(sys.argv[1]), b"new " * 4000)
except OSError as err:
    print(err.strerror)
    sys.exit(3)
"""


def test_a_write_that_fails_part_way_leaves_the_earlier_file_and_nothing_else(tmp_path):
    target = tmp_path / "reconciliation.json"
    target.write_bytes(b"earlier export\n")
    run = subprocess.run([sys.executable, "-c", LIMITED, str(target)], capture_output=True, text=True, timeout=60,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 3 and "too large" in run.stdout, (run.stdout, run.stderr)
    assert target.read_bytes() == b"earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reconciliation.json"]  # no part file left behind


def test_a_whole_write_replaces_the_file_keeping_its_mode_and_follows_a_link(tmp_path):
    target = tmp_path / "receipt.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_whole(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    write_whole(link, b"newer")
    assert link.is_symlink() and target.read_bytes() == b"newer"
    fresh = tmp_path / "fresh.json"
    write_whole(fresh, b"{}")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.read_bytes() == b"{}" and stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.json", "latest.json", "receipt.json"]


def test_a_path_that_is_no_regular_file_is_written_as_it_is():
    """/dev/null is written, never renamed over (which would replace the device)."""
    write_whole(Path("/dev/null"), b"anything")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_dev_stdout_redirected_to_a_file_is_written_through_not_renamed_over(tmp_path):
    """`--output /dev/stdout` with stdout redirected to a file names that file; a rename took it from the shell,
    losing what was written before and after (a regression probe). Written through, as before."""
    log = tmp_path / "out.log"
    code = ("import sys; from pathlib import Path; from api.commands.common import write_whole; "
            "print('before', flush=True); write_whole(Path('/dev/stdout'), b'document\\n'); print('after')")
    with log.open("w") as out:
        subprocess.run([sys.executable, "-c", code], stdout=out, check=True, timeout=60, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert log.read_text() == "before\ndocument\nafter\n"


def test_a_hard_linked_file_keeps_its_links_and_a_read_only_one_is_refused(tmp_path):
    first = tmp_path / "export.json"
    first.write_bytes(b"old")
    second = tmp_path / "linked.json"
    os.link(first, second)
    write_whole(first, b"new")
    assert second.read_bytes() == b"new" and first.stat().st_ino == second.stat().st_ino
    if os.geteuid() != 0:  # root may write any file; the refusal is for everyone else, as a plain write's
        locked = tmp_path / "locked.json"
        locked.write_bytes(b"kept")
        locked.chmod(0o444)
        with pytest.raises(PermissionError):
            write_whole(locked, b"new")
        assert locked.read_bytes() == b"kept"
