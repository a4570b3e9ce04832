"""The README's first command ends in ``python -m fastact``: the main job must run to the
end, exit 0 and show every public function (activations, gated activations, losses)."""

import os
import subprocess
import sys

import fastact
from fastact import losses


def test_main_job_runs_every_public_function():
    # The same code path as the bare command, on fewer elements (CI runs the bare one).
    env = dict(os.environ, PYTHONWARNINGS="error")
    proc = subprocess.run([sys.executable, "-m", "fastact", "demo", "--n", "20000",
                           "--repeats", "3"], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr == ""
    names = [line.split()[0].split("(")[0] for line in proc.stdout.splitlines()
             if line and not line[0].isspace()]
    public = [*fastact.ACTIVATIONS, *fastact.GATED, *losses.__all__]
    missing = [n for n in public if n not in names]
    assert not missing, f"the main job left out {missing}"
    assert "geometric mean speedup" in proc.stdout.splitlines()[-1]
