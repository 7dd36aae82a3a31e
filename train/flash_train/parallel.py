"""One process, or several started by torchrun or `accelerate launch` (which set WORLD_SIZE,
RANK and LOCAL_RANK): the process group (NCCL on GPUs, gloo on CPUs), FSDP2 sharding of each
decoder layer, sums across processes, and full state dicts gathered for checkpoints and
export. The same calls do nothing special in a single process, so one code path trains both.

Sharding uses PyTorch's own FSDP2 (`fully_shard`) rather than accelerate's FSDP plugin:
accelerate turns FSDP off on CPUs (each process then trains alone), which would leave the
multi-process path untestable on a machine without GPUs."""
import os

import torch


class Parallel:
    def __init__(self):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.main = self.rank == 0
        cuda = torch.cuda.is_available()
        local = int(os.environ.get("LOCAL_RANK", "0"))
        if cuda:
            torch.cuda.set_device(local)
        self.device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if self.world > 1:
            import torch.distributed as dist
            dist.init_process_group("nccl" if cuda else "gloo")

    def shard(self, module, layers, reshard_after_forward=True):
        """FSDP2 on each decoder layer, then on `module` (the root, which keeps the embeddings,
        the final norm and the output projection). reshard_after_forward False keeps the
        gathered weights from forward to backward: gradients and optimizer state sharded,
        weights not — what DeepSpeed calls ZeRO-2."""
        if self.world == 1:
            return module
        from torch.distributed.fsdp import fully_shard
        for layer in layers:
            fully_shard(layer, reshard_after_forward=reshard_after_forward)
        fully_shard(module, reshard_after_forward=reshard_after_forward)
        return module

    def sum(self, *values):
        """The values summed over the processes (floats)."""
        if self.world == 1:
            return list(values)
        import torch.distributed as dist
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return t.tolist()

    def barrier(self):
        if self.world > 1:
            import torch.distributed as dist
            dist.barrier()

    def close(self):
        if self.world > 1:
            import torch.distributed as dist
            dist.destroy_process_group()


def full_state(model, optimizer=None):
    """The model's trainable parameters and the optimizer's state, keyed by parameter name and
    gathered whole onto the CPU of process 0 (other processes get empty dicts). The same
    format from any number of processes, so a run resumes with another process count."""
    from torch.distributed.checkpoint.state_dict import (StateDictOptions, get_model_state_dict,
                                                         get_state_dict)
    options = StateDictOptions(full_state_dict=True, cpu_offload=True)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    if optimizer is None:
        return get_model_state_dict(model, options=options), {}
    params, optim = get_state_dict(model, optimizer, options=options)
    return {k: v for k, v in params.items() if k in trainable}, optim


def load_full_state(model, optimizer, params, optim):
    """Puts full_state's dicts back; every process passes the whole dicts (read from the
    checkpoint file) and keeps its own shard of them."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_state_dict
    options = StateDictOptions(full_state_dict=True, strict=False)
    set_state_dict(model, optimizer, model_state_dict=params, optim_state_dict=optim,
                   options=options)
