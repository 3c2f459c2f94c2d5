"""vLLM's CPU backend and in-place weight updates (GRPO with `vllm_mode: colocate` on a CPU).

After loading, vLLM's CPU backend repacks every linear layer's weight for oneDNN / AMX kernels and,
for most layers, swaps the weight parameter for an empty tensor
(vllm/model_executor/layers/utils.py: dispatch_cpu_unquantized_gemm(remove_weight=True)).
TRL's colocate mode pushes the policy into vLLM after every optimizer step by loading new values
into those parameters: the load fails ("'Parameter' object has no attribute 'weight_loader'"), and
where the weight is kept (lm_head) the packed copy would go on sampling from the old weights.

On a CPU, distill therefore makes vLLM's linear layers compute with torch's linear on the live
weights: the GEMMs lose the repacking speed-up, and the samples come from the policy being
trained. GPU platforms are left untouched.
"""

from __future__ import annotations


def live_linear_weights_on_cpu() -> bool:
    """Patch vLLM (in this process) so CPU linear layers read their weights at every call.
    Returns whether the patch was applied (vLLM's platform is a CPU)."""
    import torch
    from vllm.model_executor.layers import utils as vllm_layer_utils
    from vllm.platforms import current_platform

    if not current_platform.is_cpu():
        return False

    original = vllm_layer_utils.dispatch_cpu_unquantized_gemm
    if getattr(original, "distill_live_weights", False):
        return True  # already patched in this process

    def dispatch_live(layer: torch.nn.Module, remove_weight: bool) -> None:
        if layer.weight.is_meta or layer.weight.ndim != 2:
            return original(layer, remove_weight)  # not a dense linear layer (MoE experts, conv): vLLM's way
        # The layer keeps its weight parameter (and its weight_loader), so a sync lands in what
        # the forward pass reads.
        layer.cpu_linear = torch.nn.functional.linear

    dispatch_live.distill_live_weights = True  # type: ignore[attr-defined]  # marks the patch as applied

    # Callers import the function at call time from this module, so replacing the attribute is enough.
    vllm_layer_utils.dispatch_cpu_unquantized_gemm = dispatch_live
    return True
