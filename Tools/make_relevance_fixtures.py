#!/usr/bin/env python3
"""Reference fixtures for vitrel's transformer-relevance code, produced by the papers' official code.

Purpose
-------
Builds a tiny Vision Transformer with random (seeded) weights, saves it as a timm hub folder
(config.json + model.safetensors), and records what the *official* implementations compute on
it, so the Swift relevance code can be tested for parity:

* Chefer et al., CVPR 2021 (hila-chefer/Transformer-Explainability): the ``LRP`` generator of
  ``baselines/ViT/ViT_explanation_generator.py`` on the ``baselines/ViT/ViT_LRP.py`` model, methods
  ``transformer_attribution`` and ``rollout`` (start_layer 0 and 1), ``last_layer``,
  ``last_layer_attn`` and ``full``; and the ``Baselines`` class of the same file on the
  ``baselines/ViT/ViT_new.py`` model (the model their evaluation scripts give it):
  ``generate_cam_attn`` ("attn_gradcam") and ``generate_rollout`` (raw-attention rollout).
* Chefer et al., ICCV 2021 (hila-chefer/Transformer-MM-Explainability, ViT notebook):
  "generic attention" gradient rollout R = I; R += mean_h((dA ⊙ A)^+) R; output R[0, 1:],
  computed here with plain autograd on the timm model (and cross-checked on ViT_new).
* Abnar & Zuidema 2020 attention rollout (head fusion mean, discard ratio 0 and 0.9 as
  jacobgil/vit-explain does it, but with rows normalised), computed here on timm's attention.

Nothing from the official repositories is copied or committed: their code is imported at run
time from a checkout given on the command line. Their CUDA calls (``tensor.cuda()``) are turned
into the identity while their code runs (monkeypatch, restored afterwards); their files are not
edited.

How to regenerate, step by step
-------------------------------
1. Get the official code (any checkout; the commit used for the committed fixtures is recorded
   in ``meta.json``, it was c3e578f76b954e8528afeaaee26de3f07e3fe559)::

       git clone https://github.com/hila-chefer/Transformer-Explainability /tmp/Transformer-Explainability
       git -C /tmp/Transformer-Explainability checkout c3e578f76b954e8528afeaaee26de3f07e3fe559

2. Python 3.11 with torch (CPU is enough), timm, numpy, safetensors, einops (their code imports
   einops)::

       pip install torch timm numpy safetensors einops

3. From the repository root::

       python3 Tools/make_relevance_fixtures.py --chefer-repo /tmp/Transformer-Explainability

   (or set ``CHEFER_REPO=/tmp/Transformer-Explainability``). The fixtures are written to
   ``Tests/VitRelTests/Fixtures/relevance/`` (``--out`` to change). If the checkout has no
   ``.git`` (e.g. an archive), pass ``--chefer-commit <hash>`` so meta.json records it.

Versions used for the committed fixtures: Python 3.11.7, torch 2.15.0 (CPU), timm 1.0.31,
numpy 2.4.6, safetensors 0.8.0, einops 0.8.2 (meta.json records the versions of each run).
Two runs with these versions gave byte-identical files; with other torch versions expect float32
rounding differences only (compare with meta.json's sha256 and a tolerance, not bytes).

Seeds
-----
``torch.manual_seed(SEED)`` with SEED = 20240601 at start; the weights come from a
``torch.Generator`` seeded with WEIGHT_SEED = 1247, the two inputs from generators seeded with
INPUT_SEEDS = (2024, 2025). The explicit "other" target of each input is (argmax + 1) mod 3.
WEIGHT_SEED is the first seed counting up from 1234 for which (i) the two inputs are predicted as
different classes (so the fixtures cover all three targets) and (ii) the official attn_gradcam map
is not all-negative for any of the four (input, target) pairs: their ``generate_cam_attn`` clamps
after the head mean and then min-max normalises, so an all-negative map becomes 0/0 = NaN (seeds
1234, 1239, 1240, ... hit that). The script asserts both conditions.

Outputs (see meta.json for the complete list with shapes and a description of each file)
-------------------------------------------------------------------------------------------
``tiny_vit/{config.json, model.safetensors}``, ``input_{i}.npy`` [1,3,224,224] (normalised
space, mean = std = 0.5), ``logits_{i}.npy`` [3] (official ViT_LRP model),
``logits_timm_{i}.npy`` [3], maps ``input_{i}__{method}[__start{s}][__target{c}].npy`` ([14,14]
token maps; ``full`` is [224,224]), attention diagnostics ``attention_block{b}_0.npy`` and
``attention_grad_block{last}_0.npy`` [heads,197,197], ``relevance_tokens_0__target{c}.npy``
[197,48], and ``meta.json``.
"""

import argparse
import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
from functools import partial

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240601
WEIGHT_SEED = 1247  # see the doc string: first seed from 1234 on meeting the fixture criteria
INPUT_SEEDS = (2024, 2025)

ARCH = "vit_tiny_patch16_224"
MODEL_ARGS = dict(embed_dim=48, depth=3, num_heads=3, mlp_ratio=2.0, num_classes=3)
LABELS = ["COVID-19", "Non-COVID", "Normal"]
IMG, PATCH = 224, 16
GRID = IMG // PATCH  # 14: the official code hard-codes this grid
NTOK = GRID * GRID + 1


# ----------------------------------------------------------------------------------------------
# helpers


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def cuda_is_identity():
    """The official code calls ``tensor.cuda()``; on this CPU-only run that is the identity."""
    original = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    try:
        yield
    finally:
        torch.Tensor.cuda = original


def git_commit(path):
    try:
        out = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except Exception:
        return None


def pearson(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else float("nan")


# ----------------------------------------------------------------------------------------------
# model


def randomise(model, seed):
    """Moderately random weights: every bias, LN affine, cls_token and pos_embed non-zero.

    Linear/conv weights ~ N(0, gain^2 / fan_in) keep activations O(1); the q and k rows of qkv
    get a gain of 1.6 so attention has structure without becoming one-hot.
    """
    g = torch.Generator().manual_seed(seed)

    def rn(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    D = MODEL_ARGS["embed_dim"]
    with torch.no_grad():
        for name, p in model.named_parameters():  # deterministic registration order
            shape = p.shape
            if name == "cls_token":
                v = rn(shape, 0.5)
            elif name == "pos_embed":
                v = rn(shape, 0.3)
            elif name == "patch_embed.proj.weight":
                v = rn(shape, 1.0 / np.sqrt(shape[1] * shape[2] * shape[3]))
            elif name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                v = 1.0 + rn(shape, 0.2)
            elif name.endswith("norm1.bias") or name.endswith("norm2.bias") or name == "norm.bias":
                v = rn(shape, 0.2)
            elif name.endswith("attn.qkv.weight"):
                v = rn(shape, 1.0 / np.sqrt(D))
                v[: 2 * D] *= 1.6  # q and k rows
            elif name.endswith("mlp.fc1.bias"):
                v = rn(shape, 0.2)
            elif name.endswith(".weight"):  # proj, fc1, fc2, head
                v = rn(shape, 1.0 / np.sqrt(shape[1]))
                if name == "head.weight":
                    v *= 1.5
            elif name.endswith(".bias"):  # patch_embed, qkv, proj, fc2, head biases
                v = rn(shape, 0.1)
            else:
                raise KeyError(name)
            p.copy_(v)


def timm_attention_and_grads(model, x, target):
    """Forward the timm model with the non-fused attention path; return logits, per-block
    attention probabilities A [H,N,N] and dlogit_target/dA (None when target is None)."""
    attns = []
    handles = []

    def hook(_module, _inp, out):
        out.retain_grad()
        attns.append(out)

    for blk in model.blocks:
        blk.attn.fused_attn = False
        handles.append(blk.attn.attn_drop.register_forward_hook(hook))
    try:
        model.zero_grad()
        logits = model(x)
        grads = None
        if target is not None:
            logits[0, target].backward()
            grads = [a.grad[0].detach().clone() for a in attns]
    finally:
        for h in handles:
            h.remove()
    return logits.detach(), [a[0].detach().clone() for a in attns], grads


def chefer_gradient_rollout(attns, grads):
    """Chefer ICCV 2021 (generic attention explainability), ViT form: R = I; for each block
    in forward order Abar = mean_h (grad ⊙ A)^+; R = R + Abar @ R; output R[0, 1:]."""
    n = attns[0].shape[-1]
    R = torch.eye(n)
    for a, g in zip(attns, grads):
        abar = (g * a).clamp(min=0).mean(dim=0)
        R = R + abar @ R
    return R[0, 1:]


def attention_rollout(attns, discard_ratio):
    """Abnar & Zuidema rollout, head fusion mean; jacobgil/vit-explain's discard step (zero the
    int(r*N*N) smallest fused entries, never the flat index 0 = [0,0]) then (Abar + I)/2 with
    rows (not columns, as vit-explain does) renormalised; R = Ahat_L ... Ahat_1; R[0, 1:]."""
    n = attns[0].shape[-1]
    R = torch.eye(n)
    eye = torch.eye(n)
    info = []
    for a in attns:
        fused = a.mean(dim=0).clone()
        if discard_ratio > 0:
            flat = fused.view(-1)
            k = int(flat.numel() * discard_ratio)
            values, idx = flat.topk(k, largest=False)
            # the k-th and (k+1)-th smallest values must differ, or the set is ambiguous
            kth = values.max().item()
            nxt = flat.kthvalue(k + 1).values.item()
            info.append({"k": k, "kth_value": kth, "next_value": nxt, "unambiguous": nxt > kth,
                         "cls_cls_in_discard_set": bool((idx == 0).any())})
            idx = idx[idx != 0]
            flat[idx] = 0
        ahat = (fused + eye) / 2
        ahat = ahat / ahat.sum(dim=-1, keepdim=True)
        R = ahat @ R
    return R[0, 1:], info


# ----------------------------------------------------------------------------------------------
# inputs


def make_inputs():
    # input_0: smooth random colour pattern (bicubic upsampling of 7x7 noise) + a gentle ramp
    g = torch.Generator().manual_seed(INPUT_SEEDS[0])
    low = torch.randn(1, 3, 7, 7, generator=g)
    x0 = F.interpolate(low, size=(IMG, IMG), mode="bicubic", align_corners=False)
    ramp = torch.linspace(-0.3, 0.3, IMG).view(1, 1, 1, IMG)
    x0 = (0.45 * x0 / x0.std() + ramp).clamp(-1, 1)

    # input_1: grey-scale "X-ray-like" image replicated to 3 channels: dim smooth background,
    # a bright 56x56 square blob not aligned with the 16-pixel patch grid, a little noise
    g = torch.Generator().manual_seed(INPUT_SEEDS[1])
    low = torch.randn(1, 1, 5, 5, generator=g)
    bg = F.interpolate(low, size=(IMG, IMG), mode="bicubic", align_corners=False)
    x1 = -0.55 + 0.15 * bg / bg.std()
    x1[:, :, 36:92, 124:180] = 0.9
    x1 = x1 + 0.03 * torch.randn(1, 1, IMG, IMG, generator=g)
    x1 = x1.clamp(-1, 1).expand(1, 3, IMG, IMG).contiguous()
    return [x0.float().contiguous(), x1.float().contiguous()]


# ----------------------------------------------------------------------------------------------
# main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chefer-repo", default=os.environ.get("CHEFER_REPO"),
                    help="checkout of hila-chefer/Transformer-Explainability (or env CHEFER_REPO)")
    ap.add_argument("--chefer-commit", default=None, help="commit hash to record if the checkout has no .git")
    ap.add_argument("--out", default=os.path.join(repo_root(), "Tests/VitRelTests/Fixtures/relevance"))
    args = ap.parse_args()
    if not args.chefer_repo or not os.path.isfile(os.path.join(args.chefer_repo, "baselines/ViT/ViT_LRP.py")):
        ap.error("--chefer-repo must point at a checkout of hila-chefer/Transformer-Explainability "
                 "(git clone https://github.com/hila-chefer/Transformer-Explainability)")
    chefer_repo = os.path.abspath(args.chefer_repo)
    chefer_commit = git_commit(chefer_repo) or args.chefer_commit
    if chefer_commit is None:
        ap.error("cannot read the commit of --chefer-repo; pass --chefer-commit")

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_grad_enabled(True)

    import timm
    import safetensors
    from safetensors.torch import load_file
    from timm.models._hub import save_for_hf

    sys.path.insert(0, chefer_repo)
    import einops  # noqa: F401  (their code needs it)
    from baselines.ViT.ViT_LRP import VisionTransformer as LRPVisionTransformer
    from baselines.ViT.ViT_new import VisionTransformer as NewVisionTransformer
    from baselines.ViT.ViT_explanation_generator import LRP, Baselines

    out = args.out
    os.makedirs(os.path.join(out, "tiny_vit"), exist_ok=True)
    files = {}  # name -> description
    report = {}

    def save(name, array, description):
        array = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
        assert np.isfinite(array).all(), name
        np.save(os.path.join(out, name), array)
        files[name] = {"shape": list(array.shape), "dtype": "float32", "description": description}
        return array

    # --- a. tiny timm ViT ----------------------------------------------------------------------
    tmodel = timm.create_model(ARCH, pretrained=False, **MODEL_ARGS).eval()
    randomise(tmodel, WEIGHT_SEED)
    tmodel.pretrained_cfg = {
        "architecture": ARCH, "tag": "vitrel_relevance_fixture_random",
        "input_size": (3, IMG, IMG), "fixed_input_size": True, "interpolation": "bicubic",
        "crop_pct": 1.0, "crop_mode": "center", "mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5),
        "num_classes": MODEL_ARGS["num_classes"], "pool_size": None,
        "first_conv": "patch_embed.proj", "classifier": "head",
    }
    tdir = os.path.join(out, "tiny_vit")
    save_for_hf(tmodel, tdir, model_config={"label_names": LABELS}, model_args=dict(MODEL_ARGS),
                safe_serialization=True)
    for name in ("config.json", "model.safetensors"):
        files["tiny_vit/" + name] = {"description": "timm hub folder of the tiny random ViT (F32, timm keys)"}
    # reload exactly as a user would: create_model(architecture, **model_args) + load_state_dict
    cfg = json.load(open(os.path.join(tdir, "config.json")))
    sd = load_file(os.path.join(tdir, "model.safetensors"))
    assert all(v.dtype == torch.float32 for v in sd.values())
    tmodel = timm.create_model(cfg["architecture"], pretrained=False, **cfg["model_args"]).eval()
    tmodel.load_state_dict(sd, strict=True)

    # --- b. the same weights in their models ------------------------------------------------------
    lrp_model = LRPVisionTransformer(img_size=IMG, patch_size=PATCH, in_chans=3,
                                     num_classes=MODEL_ARGS["num_classes"], embed_dim=MODEL_ARGS["embed_dim"],
                                     depth=MODEL_ARGS["depth"], num_heads=MODEL_ARGS["num_heads"],
                                     mlp_ratio=MODEL_ARGS["mlp_ratio"], qkv_bias=True).eval()
    lrp_model.load_state_dict(sd, strict=True)
    # ViT_new as their factory builds it (vit_base_patch16_224 passes LayerNorm eps 1e-6)
    new_model = NewVisionTransformer(img_size=IMG, patch_size=PATCH, in_chans=3,
                                     num_classes=MODEL_ARGS["num_classes"], embed_dim=MODEL_ARGS["embed_dim"],
                                     depth=MODEL_ARGS["depth"], num_heads=MODEL_ARGS["num_heads"],
                                     mlp_ratio=MODEL_ARGS["mlp_ratio"], qkv_bias=True,
                                     norm_layer=partial(nn.LayerNorm, eps=1e-6)).eval()
    new_model.load_state_dict(sd, strict=True)

    def ln_eps(model):
        return {n: m.eps for n, m in model.named_modules() if isinstance(m, nn.LayerNorm)}

    eps_info = {"timm": ln_eps(tmodel), "official_ViT_LRP": ln_eps(lrp_model),
                "official_ViT_new_as_built_here": ln_eps(new_model)}

    # timm with its final norm eps set to 1e-5, to show the eps is the whole logit difference
    tmodel_eps5 = timm.create_model(cfg["architecture"], pretrained=False, **cfg["model_args"]).eval()
    tmodel_eps5.load_state_dict(sd, strict=True)
    tmodel_eps5.norm.eps = 1e-5

    # float64: the logit change caused by the final-norm eps alone (no float32 rounding)
    t64 = {}
    for eps in (1e-6, 1e-5):
        m64 = timm.create_model(cfg["architecture"], pretrained=False, **cfg["model_args"]).eval()
        m64.load_state_dict(sd, strict=True)
        m64.norm.eps = eps
        t64[eps] = m64.double()

    lrp = LRP(lrp_model)
    baselines = Baselines(new_model)

    # --- c. inputs ------------------------------------------------------------------------------
    inputs = make_inputs()
    for i, x in enumerate(inputs):
        save(f"input_{i}.npy", x.numpy(),
             ["smooth random colour pattern", "grey-scale (3 equal channels) dim background with a bright "
              "56x56 square at rows 36:92, cols 124:180"][i] + "; normalised space (mean=std=0.5), [1,3,224,224]")

    # --- conditioning and forward parity -------------------------------------------------------------
    per_input = []
    for i, x in enumerate(inputs):
        with torch.no_grad():
            lt = tmodel(x)[0]
            lt5 = tmodel_eps5(x)[0]
            ln_ = new_model(x)[0]
        lo = lrp_model(x)[0].detach()
        with torch.no_grad():
            d64 = (t64[1e-5](x.double())[0] - t64[1e-6](x.double())[0]).abs().max().item()
            pre = t64[1e-6].blocks(  # input of the final norm
                t64[1e-6]._pos_embed(t64[1e-6].patch_embed(x.double())))
            cls_var = pre[0, 0].var(unbiased=False).item()
        _, attns, _ = timm_attention_and_grads(tmodel, x, None)
        probs = lo.softmax(-1)
        rowmax = torch.stack([a.max(dim=-1).values for a in attns])  # [blocks, H, N]
        entropy = torch.stack([-(a * a.clamp_min(1e-30).log()).sum(-1) for a in attns])
        stats = {
            "logits_official_ViT_LRP": lo.tolist(),
            "logits_timm": lt.tolist(),
            "logits_timm_final_norm_eps_1e-5": lt5.tolist(),
            "logits_official_ViT_new": ln_.tolist(),
            "max_abs_diff_official_LRP_vs_timm": (lo - lt).abs().max().item(),
            "max_abs_diff_official_LRP_vs_timm_final_eps_1e-5": (lo - lt5).abs().max().item(),
            "max_abs_diff_official_ViT_new_vs_timm": (ln_ - lt).abs().max().item(),
            "float64_logit_change_final_norm_eps_1e-6_to_1e-5": d64,
            "cls_token_variance_at_final_norm_input": cls_var,
            "softmax_official": probs.tolist(),
            "predicted_class": int(lo.argmax()),
            "predicted_label": LABELS[int(lo.argmax())],
            "predicted_class_timm": int(lt.argmax()),
            "attention_row_max_mean_per_block": rowmax.mean(dim=(1, 2)).tolist(),
            "attention_row_max_max_per_block": rowmax.amax(dim=(1, 2)).tolist(),
            "attention_row_entropy_mean_per_block": entropy.mean(dim=(1, 2)).tolist(),
            "uniform_row_entropy": float(np.log(NTOK)),
        }
        assert stats["predicted_class"] == stats["predicted_class_timm"]
        if i == 1:
            assert stats["predicted_class"] != per_input[0]["predicted_class"], "pick another WEIGHT_SEED"
        assert probs.max() < 0.97, f"logits saturated: {probs}"
        assert rowmax.mean() < 0.6 and rowmax.amax() < 0.999, "attention too peaked"
        assert rowmax.mean() > 3.0 / NTOK, "attention too flat"
        per_input.append(stats)
        save(f"logits_{i}.npy", lo.numpy(), "logits of the official ViT_LRP model (final norm eps 1e-5) [3]")
        save(f"logits_timm_{i}.npy", lt.numpy(), "logits of the timm model (all LayerNorm eps 1e-6) [3]")

    # --- d. official methods ------------------------------------------------------------------------
    maps = {}  # (i, key) -> array, for the correlation table
    reading_checks = {}

    def official(x, method, index, start_layer=0):
        with cuda_is_identity():
            return lrp.generate_LRP(x, index=index, method=method, start_layer=start_layer).detach()

    last = MODEL_ARGS["depth"] - 1
    for i, x in enumerate(inputs):
        pred = per_input[i]["predicted_class"]
        other = (pred + 1) % MODEL_ARGS["num_classes"]
        per_input[i]["targets"] = {"argmax": pred, "other": other}
        for target, index in ((pred, None), (other, other)):
            tag = f"target{target}" + (" (argmax, index=None)" if index is None else " (explicit index)")
            for method in ("transformer_attribution", "rollout"):
                for s in (0, 1):
                    m = official(x, method, index, s).numpy().reshape(GRID, GRID)
                    name = f"input_{i}__{method}__start{s}__target{target}.npy"
                    save(name, m, f"official LRP.generate_LRP(method='{method}', start_layer={s}), {tag}, [14,14]")
                    maps[(i, target, f"{method}_s{s}")] = m
                    if method == "transformer_attribution" and s == 0:
                        # reading check: our reading of their rollout reproduces their output
                        cams = []
                        for blk in lrp_model.blocks:
                            gA = blk.attn.get_attn_gradients()[0].detach()
                            rA = blk.attn.get_attn_cam()[0].detach()
                            cams.append((gA * rA).clamp(min=0).mean(0))
                        C = torch.eye(NTOK)
                        for abar in cams:
                            C = (abar + torch.eye(NTOK)) @ C
                        reading_checks[f"input_{i}_target{target}_transformer_attribution_reimplemented_max_abs"] = \
                            float((C[0, 1:].reshape(GRID, GRID) - torch.from_numpy(m)).abs().max())
                        if i == 0 and index is None:
                            # index=None must equal an explicit argmax index
                            m2 = official(x, method, pred, 0).numpy().reshape(GRID, GRID)
                            reading_checks["index_None_equals_explicit_argmax_max_abs"] = float(np.abs(m - m2).max())
            for method in ("last_layer", "last_layer_attn"):
                m = official(x, method, index).numpy().reshape(GRID, GRID)
                name = f"input_{i}__{method}__target{target}.npy"
                desc = f"official LRP.generate_LRP(method='{method}'), {tag}, [14,14]"
                if method == "last_layer_attn":
                    desc += " (target-independent: raw attention)"
                save(name, m, desc)
                maps[(i, target, method)] = m
            # attn_gradcam: Baselines.generate_cam_attn on ViT_new (as in their evaluation script)
            with cuda_is_identity():
                m = baselines.generate_cam_attn(x, index=index).detach().numpy().reshape(GRID, GRID)
            assert np.isfinite(m).all(), "attn_gradcam is NaN (all-negative map): pick another WEIGHT_SEED"
            save(f"input_{i}__attn_gradcam__target{target}.npy", m,
                 f"official Baselines.generate_cam_attn on ViT_new, {tag}, [14,14], min-max normalised by their code")
            maps[(i, target, "attn_gradcam")] = m

            # e. Chefer ICCV 2021 generic gradient rollout on timm
            _, attns, grads = timm_attention_and_grads(tmodel, x, target)
            m = chefer_gradient_rollout(attns, grads).numpy().reshape(GRID, GRID)
            save(f"input_{i}__chefer_gradient_rollout__target{target}.npy", m,
                 f"Chefer ICCV 2021 generic attention rollout (R=I; R+=mean_h((dA*A)^+) R; R[0,1:]) on timm, "
                 f"{tag}, [14,14]")
            maps[(i, target, "chefer_gradient_rollout")] = m
            # cross-check on ViT_new, the model their notebook uses
            new_model.zero_grad()
            with cuda_is_identity():
                out_new = new_model(x, register_hook=True)
            out_new[0, target].backward()
            R = torch.eye(NTOK)
            for blk in new_model.blocks:
                R = R + (blk.attn.get_attn_gradients()[0] * blk.attn.get_attention_map()[0].detach()) \
                    .clamp(min=0).mean(0) @ R
            reading_checks[f"input_{i}_target{target}_chefer_gradient_rollout_timm_vs_ViT_new_max_abs"] = \
                float((R[0, 1:].reshape(GRID, GRID) - torch.from_numpy(m)).abs().max())

            if i == 0:
                # full LRP to pixels: argmax target only (size budget: [224,224] = 200 KB)
                if index is None:
                    mf = official(x, "full", index).numpy().reshape(IMG, IMG)
                    save(f"input_0__full__target{target}.npy", mf,
                         f"official LRP.generate_LRP(method='full'), {tag}, [224,224] pixel relevance summed over "
                         "channels")
                    maps[(i, target, "full")] = mf
                    # diagnostics from the same ViT_LRP state (forward + backward of this call)
                    for b in (0, last):
                        save(f"attention_block{b}_0.npy", lrp_model.blocks[b].attn.get_attn()[0].detach().numpy(),
                             f"input_0: attention probabilities softmax(q k^T d^-1/2) of block {b} in the official "
                             "ViT_LRP model [heads,197,197]")
                    save(f"attention_grad_block{last}_0.npy",
                         lrp_model.blocks[last].attn.get_attn_gradients()[0].numpy(),
                         f"input_0: d logit[{target}] / d A of block {last} (argmax target) in the official ViT_LRP "
                         "model (final norm eps 1e-5) [heads,197,197]")
                    # cross-check their attention against timm's
                    _, tattns, _ = timm_attention_and_grads(tmodel, x, None)
                    reading_checks["input_0_attention_ViT_LRP_vs_timm_max_abs"] = max(
                        float((tattns[b] - lrp_model.blocks[b].attn.get_attn()[0].detach()).abs().max())
                        for b in range(len(tattns)))
                # relevance at the token level (output of the LRP chain head -> blocks, before the
                # pos-embed Add), replayed with their relprop calls in their order
                official(x, "last_layer", index)  # fresh forward/backward state for this target
                kw = {"alpha": 1}
                one_hot = torch.zeros(1, MODEL_ARGS["num_classes"])
                one_hot[0, target] = 1
                cam = lrp_model.head.relprop(one_hot, **kw)
                sums = {"after_head": float(cam.detach().sum())}
                cam = cam.unsqueeze(1)
                cam = lrp_model.pool.relprop(cam, **kw)
                cam = lrp_model.norm.relprop(cam, **kw)
                sums["after_pool_norm"] = float(cam.detach().sum())
                for bi in reversed(range(len(lrp_model.blocks))):
                    cam = lrp_model.blocks[bi].relprop(cam, **kw)
                    sums[f"after_block{bi}"] = float(cam.detach().sum())
                if index is None:
                    sums["full_map_sum_pixels"] = float(maps[(0, target, "full")].astype(np.float64).sum())
                save(f"relevance_tokens_0__target{target}.npy", cam[0].detach().numpy(),
                     f"input_0: relevance at the input of block 0 (after head, CLS pooling, final norm and all "
                     f"blocks, before the pos-embed Add), {tag}, [197,48]")
                report[f"input_0_target{target}_relevance_sums"] = sums

        # f. attention rollout (target-independent)
        _, attns, _ = timm_attention_and_grads(tmodel, x, None)
        for r, rtag in ((0.0, "0"), (0.9, "0p9")):
            m, info = attention_rollout(attns, r)
            m = m.numpy().reshape(GRID, GRID)
            save(f"input_{i}__attention_rollout__discard{rtag}.npy", m,
                 f"Abnar & Zuidema rollout on timm attention, head mean, discard ratio {r} (vit-explain style, rows "
                 "normalised), raw R[0,1:] (not divided by its max), [14,14]")
            maps[(i, None, f"attention_rollout_d{rtag}")] = m
            if info:
                report[f"input_{i}_discard_info"] = info
        for s in (0, 1):
            with cuda_is_identity():
                m = baselines.generate_rollout(x, start_layer=s).detach().numpy().reshape(GRID, GRID)
            save(f"input_{i}__attention_rollout_official__start{s}.npy", m,
                 f"official Baselines.generate_rollout(start_layer={s}) on ViT_new: raw attention + I, rows "
                 "normalised, product from block start_layer, [14,14]")
            maps[(i, None, f"attention_rollout_official_s{s}")] = m
        reading_checks[f"input_{i}_attention_rollout_discard0_vs_official_start0_max_abs"] = float(
            np.abs(maps[(i, None, "attention_rollout_d0")] - maps[(i, None, "attention_rollout_official_s0")]).max())

    # --- sanity: not constant, finite, methods differ; correlations --------------------------------
    for key, m in maps.items():
        assert np.isfinite(m).all(), key
        assert m.max() - m.min() > 1e-6 * max(1.0, abs(m).max()), f"constant map {key}"
    corr = {}
    for i in range(len(inputs)):
        for target in (per_input[i]["targets"]["argmax"], per_input[i]["targets"]["other"]):
            keys = [k for k in maps if k[0] == i and (k[1] == target or k[1] is None)]
            names = [k[2] for k in keys]
            vals = []
            for k in keys:
                m = maps[k]
                if m.shape == (IMG, IMG):  # pool the pixel map onto the token grid
                    m = m.reshape(GRID, PATCH, GRID, PATCH).sum(axis=(1, 3))
                vals.append(m)
            table = {a: {b: round(pearson(va, vb), 4) for b, vb in zip(names, vals)} for a, va in zip(names, vals)}
            corr[f"input_{i}_target{target}"] = table
    for i in range(len(inputs)):
        pred = per_input[i]["targets"]["argmax"]
        assert not np.allclose(maps[(i, pred, "transformer_attribution_s0")], maps[(i, pred, "rollout_s0")])

    # --- g. meta ---------------------------------------------------------------------------------
    def sha(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()

    for name in files:
        files[name]["sha256"] = sha(os.path.join(out, name))
    total = sum(os.path.getsize(os.path.join(out, n)) for n in files)
    meta = {
        "generator": "Tools/make_relevance_fixtures.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "timm": timm.__version__,
                     "numpy": np.__version__, "safetensors": safetensors.__version__, "einops": einops.__version__},
        "official_code": {"repository": "https://github.com/hila-chefer/Transformer-Explainability",
                          "commit": chefer_commit,
                          "files": ["baselines/ViT/ViT_LRP.py", "baselines/ViT/ViT_new.py",
                                    "baselines/ViT/ViT_explanation_generator.py", "modules/layers_ours.py"],
                          "cuda": "tensor.cuda() monkeypatched to the identity while their code runs (CPU)"},
        "seeds": {"torch.manual_seed": SEED, "weights_generator": WEIGHT_SEED, "input_generators": list(INPUT_SEEDS)},
        "model": {"architecture": ARCH, "model_args": MODEL_ARGS, "qkv_bias": True, "img_size": IMG,
                  "patch_size": PATCH, "grid": [GRID, GRID], "tokens": NTOK, "label_names": LABELS,
                  "weights": "W ~ N(0, gain^2/fan_in) (q,k rows of qkv gain 1.6, head gain 1.5); LN gamma 1+N(0,0.2^2), "
                             "beta N(0,0.2^2); biases N(0,0.1^2) (fc1 0.2); cls_token N(0,0.5^2); pos_embed N(0,0.3^2)"},
        "layernorm_eps": eps_info,
        "layernorm_eps_summary": "timm: every LayerNorm 1e-6. Official ViT_LRP: blocks.*.norm1/norm2 1e-6, final "
                                 "`norm` 1e-5 (LayerNorm(embed_dim) with the torch default). ViT_new built as their "
                                 "factory does (norm_layer=partial(nn.LayerNorm, eps=1e-6)): all 1e-6. For parity "
                                 "with the LRP maps and logits_{i}.npy use final-norm eps 1e-5.",
        "preprocessing": {"space": "normalised", "mean": [0.5] * 3, "std": [0.5] * 3},
        "inputs": per_input,
        "conventions": {
            "maps": "raw float32 as returned by their code (no upsampling, no min-max) unless stated; [14,14] is "
                    "row 0 (CLS) columns 1: of the token matrix, reshaped row-major",
            "targets": "target{c} names the class index; the argmax target was produced with index=None",
            "start_layer": "start_layer s uses blocks s..depth-1 (0-based): C = (Abar_{L-1}+I)...(Abar_s+I)",
        },
        "reading_checks": reading_checks,
        "relevance_sums": report,
        "pearson": corr,
        "total_bytes": total,
        "files": files,
    }
    with open(os.path.join(out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=False)
        fh.write("\n")

    # --- console summary ----------------------------------------------------------------------------
    print(f"wrote {len(files) + 1} files, {total / 1e6:.2f} MB (+ meta.json) to {out}")
    print("LayerNorm eps:", meta["layernorm_eps_summary"])
    for i, s in enumerate(per_input):
        print(f"input_{i}: pred {s['predicted_class']} ({s['predicted_label']}), softmax "
              f"{np.round(s['softmax_official'], 4).tolist()}")
        print(f"  logits official ViT_LRP {np.round(s['logits_official_ViT_LRP'], 6).tolist()}")
        print(f"  logits timm             {np.round(s['logits_timm'], 6).tolist()}  max|d| "
              f"{s['max_abs_diff_official_LRP_vs_timm']:.3e}")
        print(f"  float64: final-norm eps 1e-6 -> 1e-5 changes the logits by up to "
              f"{s['float64_logit_change_final_norm_eps_1e-6_to_1e-5']:.3e} (CLS variance at the final norm "
              f"{s['cls_token_variance_at_final_norm_input']:.3f})")
        print(f"  timm final eps 1e-5     max|d| {s['max_abs_diff_official_LRP_vs_timm_final_eps_1e-5']:.3e};"
              f" ViT_new vs timm max|d| {s['max_abs_diff_official_ViT_new_vs_timm']:.3e}")
        print(f"  attention row-max mean per block {np.round(s['attention_row_max_mean_per_block'], 3).tolist()}, "
              f"max {np.round(s['attention_row_max_max_per_block'], 3).tolist()}, entropy "
              f"{np.round(s['attention_row_entropy_mean_per_block'], 3).tolist()} (uniform {np.log(NTOK):.3f})")
    print("reading checks:", json.dumps(reading_checks, indent=1))
    print("relevance sums:", json.dumps(report, indent=1))
    for key, table in corr.items():
        names = list(table)
        print(f"\nPearson {key}")
        w = max(len(n) for n in names)
        for a in names:
            print(f"  {a:<{w}} " + " ".join(f"{table[a][b]:+.2f}" for b in names))


if __name__ == "__main__":
    main()
