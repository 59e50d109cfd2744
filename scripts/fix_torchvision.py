"""Make the torchvision 0.28 CUDA wheel importable next to the CPU build of torch 2.13.

pip resolves open-clip-torch/timm to torchvision 0.28.0, whose wheel is built for CUDA. On CPU
torch its `_meta_registrations.py` registers fake kernels for `torchvision::nms`/`qnms`, operators
the CPU build never defined, so `import torchvision` (and with it lightning, timm, open_clip) fails
with "operator torchvision::nms does not exist". This script guards those two registrations so they
only apply when torchvision's compiled ops are present. It runs only when the failure is present,
is idempotent, and leaves torchvision.ops/io unavailable (Studio Talos does not use them).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

MARKER = "# studio-talos: guarded for CPU torch"
GUARD = (
    "def _talos_fake_if_ops(name):\n"
    f"    {MARKER}\n"
    "    if torchvision.extension._has_ops():\n"
    "        return torch.library.register_fake(name)\n"
    "    return lambda fn: fn\n\n\n"
)


def import_fails() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import torchvision"], capture_output=True, text=True)
    return probe.returncode != 0 and "torchvision::nms does not exist" in probe.stderr


def main() -> int:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        print("torchvision not installed: nothing to fix")
        return 0
    target = Path(spec.origin).parent / "_meta_registrations.py"
    text = target.read_text()
    if MARKER in text or not import_fails():
        print("torchvision imports cleanly: nothing to fix")
        return 0
    for op in ("nms", "qnms"):
        text = text.replace(f'@torch.library.register_fake("torchvision::{op}")', f'@_talos_fake_if_ops("torchvision::{op}")')
    anchor = "import torchvision.extension  # noqa: F401\n"
    if anchor not in text:
        print(f"unexpected layout of {target}; cannot apply the CPU guard", file=sys.stderr)
        return 1
    text = text.replace(anchor, anchor + "\n\n" + GUARD, 1)
    target.write_text(text)
    if import_fails():
        print("torchvision still fails to import after the guard", file=sys.stderr)
        return 1
    print(f"patched {target}: nms/qnms fake kernels guarded for CPU torch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
