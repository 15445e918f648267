"""DAG-MoE in PyTorch: the layer of analyze's docs/layer.md, its checkpoint layout, the
synthetic tasks and the portable random stream (same seeds, same numbers as Swift)."""
from .checkpoint import from_safetensors, references, save_safetensors
from .layer import Chain, DAGMoE, Details, layer_config
from .random import SeededRandom
from .tasks import SyntheticTask, mean_squared_error

__all__ = ["Chain", "DAGMoE", "Details", "SeededRandom", "SyntheticTask", "from_safetensors", "layer_config",
           "mean_squared_error", "references", "save_safetensors"]
