import os
import sys

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(ROOT, "python"))

import torch  # noqa: E402

torch.set_num_threads(1)  # tiny tensors: threads only add overhead
