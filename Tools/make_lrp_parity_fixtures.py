#!/usr/bin/env python3
"""Parity fixtures for vitrel's conservative LRP (AttnLRP, CP-LRP) and its per-layer rules,
produced by the authors' packages: LXT (rachtibat/LRP-eXplains-Transformers, the AttnLRP code)
and zennit (chr5tphr/zennit, the rules LXT uses for linear and convolution layers).

Purpose (issue 17)
------------------
vitrel's γ rule used to be the form written for non-negative inputs; normalised pixels are
signed, so its denominator flipped. These fixtures pin the generalised signed forms (zennit
``rules.Gamma``, ``rules.ZPlus``) in a whole ViT run by LXT, so the Swift tests can assert that
vitrel's ``attnlrp`` and ``cp-lrp`` pixel maps equal the reference maps for every class.

What is run
-----------
1. Layer rules (vanilla zennit, before LXT patches it): one ``torch.nn.Linear`` with a bias and
   signed inputs, relevance R given at its output, rules ``Epsilon(1e-6)``, ``Gamma(0.25)``,
   ``ZPlus()``, ``AlphaBeta(1, 0, stabilizer=1e-9, zero_params='bias')`` (Chefer's αβ, the
   linear rule of vitrel's ``lrp-full``); one ``torch.nn.Conv2d`` patch embedding (kernel =
   stride) on a signed image with ``Gamma(0.25)``, ``ZPlus()`` and ``ZBox(min, max,
   stabilizer=1e-9)`` (Chefer's zᴮ, the pixel rule of ``lrp-full``). Written to ``layers.json``.
2. Whole models: two small random ViTs in timm format (``model_a``: 32×32 RGB, patch 8, width
   24, depth 2, 2 heads; ``model_b``: 16×16, patch 4, width 16, depth 3, 4 heads), CLS pooling,
   3 classes, every bias, LayerNorm β, CLS token and position embedding non-zero. The models
   run in float64. LXT's efficient AttnLRP ("modified gradient × input", lxt 2.1):
   - ``lxt.efficient.patches.layer_norm_forward`` on timm's LayerNorm (σ held constant),
     ``non_linear_forward`` on GELU (identity rule), and timm's ``Attention.forward`` replaced
     by one that computes q, k, v with the module's own ``qkv`` and calls LXT's
     ``wrap_attention_forward`` (AttnLRP: uniform rule, ∂q/4, ∂k/4, ∂v/2, softmax gradient)
     or ``cp_wrap_attention_forward`` (CP-LRP: q and k detached) around eager attention;
   - ``lxt.efficient.monkey_patch_zennit()`` so that zennit's rules run inside LXT's
     gradient × input framework, with a zennit ``LayerMapComposite`` per variant:

     ==================  ==========  =====================  ==============================
     variant             attention   torch.nn.Linear        torch.nn.Conv2d (patch embed)
     ==================  ==========  =====================  ==============================
     attnlrp_eps         AttnLRP     Epsilon(1e-6)          Gamma(0.25)   (vitrel defaults)
     cplrp_eps           CP-LRP      Epsilon(1e-6)          Gamma(0.25)   (vitrel defaults)
     attnlrp_lingamma    AttnLRP     Gamma(0.05)            Gamma(0.25)   (LXT example grid)
     cplrp_zplus         CP-LRP      Epsilon(1e-6)          ZPlus()
     torchvision_cplrp   LXT's own default map for torchvision's vision_transformer
                         (``monkey_patch(vision_transformer)`` = CP-LRP), no Linear rule
                         (plain gradient, ε = 0; torchvision's attention projections are not
                         modules zennit can hook), Gamma(0.25) on the Conv2d. The same weights
                         are copied into torchvision's ``VisionTransformer``.
     ==================  ==========  =====================  ==============================

   Every variant explains every class c: the backward pass starts from logit_c (LXT's seed:
   relevance = the logit), the pixel relevance is x ⊙ ∂/∂x, summed over the channels.

Nothing from LXT or zennit is copied: both are imported. vitrel's ``lrp-full`` (Chefer's rule
set: halved attention rules, renormalised residuals, identity LayerNorm) has no LXT or zennit
counterpart at the model level; its model-level parity is with Chefer's official code
(``Tools/make_relevance_fixtures.py``); here only its two layer rules (αβ, zᴮ) are covered.

How to regenerate
-----------------
Python 3.11 with torch (CPU), torchvision, timm, lxt, zennit, numpy, safetensors::

    pip install torch torchvision timm lxt zennit numpy safetensors
    python3 Tools/make_lrp_parity_fixtures.py

from the repository root; the fixtures go to ``Tests/VitRelTests/Fixtures/lrp_parity/``
(``--out`` to change). Versions used for the committed files: Python 3.11.7, torch 2.15.0,
torchvision 0.29.2, timm 1.0.31, lxt 2.1, zennit 0.5.1, numpy 2.4.6, safetensors 0.8.0
(``meta.json`` records the versions of each run). Deterministic: fixed seeds, CPU, float64.
CI never runs this script; the tests read its output.

Outputs
-------
``layers.json``; per model ``model_x/{config.json, model.safetensors}`` (F32, timm keys),
``input_{i}.npy`` [1,3,H,W] float32 (normalised, signed), ``logits_{i}.npy`` [3] float64,
``input_{i}__{variant}.npy`` [3 classes, H, W] float32 (pixel relevance summed over channels);
``meta.json`` (versions, seeds, relevance sums, the patch-embedding outputs whose γ denominator
flips under the non-negative form, and cross-checks between the variants).
"""

import argparse
import hashlib
import json
import os
import platform

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240617
MODELS = {
    "model_a": dict(img=32, patch=8, embed_dim=24, depth=2, num_heads=2, mlp_ratio=2.0, weight_seed=71,
                    input_seeds=(5, 6)),
    "model_b": dict(img=16, patch=4, embed_dim=16, depth=3, num_heads=4, mlp_ratio=4.0, weight_seed=72,
                    input_seeds=(7, 8)),
}
CLASSES = 3
LABELS = ["COVID-19", "Non-COVID", "Normal"]
ARCH = "vit_tiny_patch16_224"
EPSILON, GAMMA, LINEAR_GAMMA = 1e-6, 0.25, 0.05


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pearson(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def relative_max_difference(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


def floats(a):
    return [float(v) for v in np.asarray(a, np.float64).ravel()]


# ----------------------------------------------------------------------------------------------
# 1. layer rules with vanilla zennit


def zennit_layer_relevance(module, rule, x, r):
    """Relevance of x under `rule` for relevance r at the module's output (zennit's convention:
    the output gradient is the relevance, the input gradient is the input relevance)."""
    handles = rule.register(module)
    try:
        x = x.clone().requires_grad_(True)
        y = module(x)
        (grad,) = torch.autograd.grad(y, x, grad_outputs=r)
    finally:
        handles.remove()
    return grad.detach()


def layer_fixtures():
    import zennit.core
    from zennit.rules import AlphaBeta, Epsilon, Gamma, ZBox, ZPlus

    assert zennit.core.BasicHook.backward.__module__ == "zennit.core", "zennit already patched by LXT"
    g = torch.Generator().manual_seed(SEED)
    rows, inputs, outputs = 6, 9, 7
    linear = torch.nn.Linear(inputs, outputs).double()
    with torch.no_grad():
        linear.weight.copy_(torch.randn(outputs, inputs, generator=g, dtype=torch.float64) / 3)
        linear.bias.copy_(torch.randn(outputs, generator=g, dtype=torch.float64) * 0.3)
    x = torch.randn(rows, inputs, generator=g, dtype=torch.float64)  # signed
    with torch.no_grad():
        z = linear(x)
    r = z * torch.rand(rows, outputs, generator=g, dtype=torch.float64)  # relevance shaped like LRP's
    # the old (non-negative) γ denominator flips for some outputs of this input
    w = linear.weight
    up, down = w + GAMMA * w.clamp(min=0), w + GAMMA * w.clamp(max=0)
    old = torch.where(z > 0, x @ up.T, x @ down.T) + linear.bias
    linear_rules = {
        "epsilon": Epsilon(1e-6),
        "gamma": Gamma(GAMMA),
        "zplus": ZPlus(),
        "alphabeta_nobias": AlphaBeta(alpha=1.0, beta=0.0, stabilizer=1e-9, zero_params="bias"),
    }
    linear_out = {"weight": floats(w.detach()), "bias": floats(linear.bias.detach()), "rows": rows,
                  "inputs": inputs, "outputs": outputs, "x": floats(x), "relevance_out": floats(r),
                  "gamma": GAMMA, "old_gamma_denominator_flips": int(((old * z) <= 0).sum()),
                  "rules": {}}
    for name, rule in linear_rules.items():
        linear_out["rules"][name] = floats(zennit_layer_relevance(linear, rule, x, r))

    channels, side, patch, width = 3, 8, 4, 5
    conv = torch.nn.Conv2d(channels, width, kernel_size=patch, stride=patch).double()
    with torch.no_grad():
        conv.weight.copy_(torch.randn(width, channels, patch, patch, generator=g, dtype=torch.float64) / 7)
        conv.bias.copy_(torch.randn(width, generator=g, dtype=torch.float64) * 0.2)
    image = torch.randn(1, channels, side, side, generator=g, dtype=torch.float64).clamp(-1, 1)
    with torch.no_grad():
        zc = conv(image)
    rc = zc * torch.rand(zc.shape, generator=g, dtype=torch.float64)
    low, high = float(image.min()), float(image.max())
    conv_rules = {"gamma": Gamma(GAMMA), "zplus": ZPlus(), "zbox": ZBox(low=low, high=high, stabilizer=1e-9)}
    conv_out = {"weight": floats(conv.weight.detach()), "bias": floats(conv.bias.detach()), "channels": channels,
                "side": side, "patch": patch, "width": width, "image": floats(image),
                "relevance_out": floats(rc), "low": low, "high": high, "gamma": GAMMA, "rules": {}}
    for name, rule in conv_rules.items():
        conv_out["rules"][name] = floats(zennit_layer_relevance(conv, rule, image, rc))
    return {"linear": linear_out, "patch_embedding": conv_out,
            "layouts": {"linear": "weight [outputs, inputs] row-major; x, relevance [rows, ...] row-major",
                        "patch_embedding": "weight [width, channels, patch, patch]; image [1, channels, side, side]; "
                                           "relevance_out [1, width, side/patch, side/patch]; rule outputs like image"}}


# ----------------------------------------------------------------------------------------------
# 2. models


def randomise(model, seed, embed_dim):
    """W ~ N(0, gain²/fan_in) (q and k rows of qkv gain 1.6, head 1.5); LayerNorm weight
    1 + N(0, 0.2²), β N(0, 0.2²); biases N(0, 0.1²) (fc1 0.2, patch embedding 0.3); cls_token
    N(0, 0.5²); pos_embed N(0, 0.3²). Parameters are float32 (what the safetensors file holds)."""
    g = torch.Generator().manual_seed(seed)

    def rn(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float32) * std

    with torch.no_grad():
        for name, p in model.named_parameters():
            shape = p.shape
            if name == "cls_token":
                v = rn(shape, 0.5)
            elif name == "pos_embed":
                v = rn(shape, 0.3)
            elif name == "patch_embed.proj.weight":
                v = rn(shape, 1.0 / np.sqrt(shape[1] * shape[2] * shape[3]))
            elif name == "patch_embed.proj.bias":
                v = rn(shape, 0.3)
            elif "norm" in name and name.endswith(".weight"):
                v = 1.0 + rn(shape, 0.2)
            elif "norm" in name and name.endswith(".bias"):
                v = rn(shape, 0.2)
            elif name.endswith("attn.qkv.weight"):
                v = rn(shape, 1.0 / np.sqrt(embed_dim))
                v[: 2 * embed_dim] *= 1.6
            elif name.endswith("mlp.fc1.bias"):
                v = rn(shape, 0.2)
            elif name.endswith(".weight"):
                v = rn(shape, 1.0 / np.sqrt(shape[1])) * (1.5 if name == "head.weight" else 1.0)
            elif name.endswith(".bias"):
                v = rn(shape, 0.1)
            else:
                raise KeyError(name)
            p.copy_(v)


def make_inputs(side, seeds):
    """Two signed inputs in normalised space: a smooth colour pattern with a ramp, and a grey
    "X-ray" (dark background < 0, a bright off-grid blob, a little noise), both in [-1, 1]."""
    g = torch.Generator().manual_seed(seeds[0])
    low = torch.randn(1, 3, 4, 4, generator=g)
    x0 = F.interpolate(low, size=(side, side), mode="bicubic", align_corners=False)
    ramp = torch.linspace(-0.4, 0.4, side).view(1, 1, 1, side)
    x0 = (0.5 * x0 / x0.std() + ramp).clamp(-1, 1)
    g = torch.Generator().manual_seed(seeds[1])
    low = torch.randn(1, 1, 3, 3, generator=g)
    bg = F.interpolate(low, size=(side, side), mode="bicubic", align_corners=False)
    x1 = -0.5 + 0.2 * bg / bg.std()
    a, b = side // 5, side // 2 + 1
    x1[:, :, a:a + side // 3, b:b + side // 3] = 0.85
    x1 = (x1 + 0.05 * torch.randn(1, 1, side, side, generator=g)).clamp(-1, 1).expand(1, 3, side, side)
    return [x0.float().contiguous(), x1.float().contiguous()]


def timm_to_torchvision(sd, depth):
    """timm keys → torchvision.models.vision_transformer keys (same tensors)."""
    out = {"class_token": sd["cls_token"], "conv_proj.weight": sd["patch_embed.proj.weight"],
           "conv_proj.bias": sd["patch_embed.proj.bias"], "encoder.pos_embedding": sd["pos_embed"],
           "encoder.ln.weight": sd["norm.weight"], "encoder.ln.bias": sd["norm.bias"],
           "heads.head.weight": sd["head.weight"], "heads.head.bias": sd["head.bias"]}
    for i in range(depth):
        t, v = f"blocks.{i}.", f"encoder.layers.encoder_layer_{i}."
        for a, b in [("norm1", "ln_1"), ("norm2", "ln_2"), ("mlp.fc1", "mlp.0"), ("mlp.fc2", "mlp.3"),
                     ("attn.proj", "self_attention.out_proj")]:
            out[v + b + ".weight"] = sd[t + a + ".weight"]
            out[v + b + ".bias"] = sd[t + a + ".bias"]
        out[v + "self_attention.in_proj_weight"] = sd[t + "attn.qkv.weight"]
        out[v + "self_attention.in_proj_bias"] = sd[t + "attn.qkv.bias"]
    return out


# ----------------------------------------------------------------------------------------------
# LXT on timm's modules


def eager_attention(module, query, key, value, *args, **kwargs):
    """softmax(q·kᵀ/√d)·v on [B, heads, N, d_head] tensors (LXT's wrappers take this signature)."""
    return ((query * module.scale) @ key.transpose(-2, -1)).softmax(dim=-1) @ value


def timm_attention_forward(attention):
    """timm ``Attention.forward`` with the attention product replaced by `attention` (one of
    LXT's wrappers); qkv and proj stay module calls, so zennit's composites reach them."""
    def forward(self, x, attn_mask=None, is_causal=False):
        batch, tokens, _ = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        x = attention(self, q, k, v).transpose(1, 2).reshape(batch, tokens, -1)
        return self.proj(x)
    return forward


def pixel_relevance(model, x, composite):
    """[classes, H, W]: x ⊙ ∂logit_c/∂x summed over channels, for every class, under LXT's
    patched forward and the zennit composite; plus the logits and Σ relevance per class."""
    maps, sums = [], []
    for c in range(CLASSES):
        xi = x.clone().double().requires_grad_(True)
        with composite.context(model):
            logits = model(xi)
            logits[0, c].backward()
        r = (xi * xi.grad).detach()[0]
        maps.append(r.sum(0).numpy())
        sums.append(float(r.sum()))
    with torch.no_grad():
        logits = model(x.double())[0].numpy()
    return np.stack(maps), sums, logits


def import_lxt_efficient():
    """Imports ``lxt.efficient`` with only its torchvision-ViT model map.

    lxt 2.1's ``lxt.efficient.models/__init__.py`` imports every LLM adapter at import time, and
    its BERT adapter needs ``transformers.modeling_attn_mask_utils`` (gone from transformers 5),
    so ``import lxt.efficient`` fails. The package is registered here without running that
    ``__init__``; ``vit_torch`` (the ViT map) is imported from it, and ``get_default_map`` gives
    the same lookup as LXT's for ``torchvision.models.vision_transformer``. LXT's own files are
    used unchanged."""
    import importlib
    import importlib.util
    import sys
    import types

    if "lxt.efficient.models" not in sys.modules:
        root = importlib.util.find_spec("lxt").submodule_search_locations[0]
        package = types.ModuleType("lxt.efficient.models")
        package.__path__ = [os.path.join(root, "efficient", "models")]
        sys.modules["lxt.efficient.models"] = package

        def get_default_map(module):
            vit_torch = importlib.import_module("lxt.efficient.models.vit_torch")
            return {vit_torch.vision_transformer: vit_torch.cp_LRP}[module]

        package.get_default_map = get_default_map
    return importlib.import_module("lxt.efficient")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(repo_root(), "Tests/VitRelTests/Fixtures/lrp_parity"))
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    np.random.seed(SEED)

    import safetensors
    import timm
    import torchvision
    import zennit
    from importlib.metadata import version
    from safetensors.torch import load_file
    from timm.models._hub import save_for_hf

    files, meta_models = {}, {}

    layers = layer_fixtures()
    with open(os.path.join(out, "layers.json"), "w") as fh:
        json.dump(layers, fh, separators=(",", ":"))
    files["layers.json"] = {"description": "zennit 0.5.1 rules on one Linear and one Conv2d patch embedding"}

    # --- LXT's patches (global, as LXT applies them) -----------------------------------------------
    from torchvision.models import vision_transformer
    from timm.layers import Attention as TimmAttention
    from timm.layers.norm import LayerNorm as TimmLayerNorm
    lxt_efficient = import_lxt_efficient()
    monkey_patch, monkey_patch_zennit = lxt_efficient.monkey_patch, lxt_efficient.monkey_patch_zennit
    from lxt.efficient.patches import (cp_wrap_attention_forward, layer_norm_forward, patch_method,
                                       wrap_attention_forward)
    from zennit.composites import LayerMapComposite
    from zennit.rules import Epsilon, Gamma, ZPlus

    monkey_patch(vision_transformer)   # LXT's default map for torchvision ViTs: CP-LRP, LN, GELU
    monkey_patch_zennit()
    assert patch_method(layer_norm_forward, TimmLayerNorm)
    attention_variants = {"attnlrp": timm_attention_forward(wrap_attention_forward(eager_attention)),
                          "cplrp": timm_attention_forward(cp_wrap_attention_forward(eager_attention))}
    variants = {
        "attnlrp_eps": ("attnlrp", lambda: [(torch.nn.Conv2d, Gamma(GAMMA)), (torch.nn.Linear, Epsilon(EPSILON))]),
        "cplrp_eps": ("cplrp", lambda: [(torch.nn.Conv2d, Gamma(GAMMA)), (torch.nn.Linear, Epsilon(EPSILON))]),
        "attnlrp_lingamma": ("attnlrp", lambda: [(torch.nn.Conv2d, Gamma(GAMMA)), (torch.nn.Linear, Gamma(LINEAR_GAMMA))]),
        "cplrp_zplus": ("cplrp", lambda: [(torch.nn.Conv2d, ZPlus()), (torch.nn.Linear, Epsilon(EPSILON))]),
    }

    for model_name, spec in MODELS.items():
        mdir = os.path.join(out, model_name)
        os.makedirs(mdir, exist_ok=True)
        model_args = dict(img_size=spec["img"], patch_size=spec["patch"], embed_dim=spec["embed_dim"],
                          depth=spec["depth"], num_heads=spec["num_heads"], mlp_ratio=spec["mlp_ratio"],
                          num_classes=CLASSES)
        model = timm.create_model(ARCH, pretrained=False, **model_args).eval()
        randomise(model, spec["weight_seed"], spec["embed_dim"])
        model.pretrained_cfg = {
            "architecture": ARCH, "tag": "vitrel_lrp_parity_random", "input_size": (3, spec["img"], spec["img"]),
            "fixed_input_size": True, "interpolation": "bicubic", "crop_pct": 1.0, "crop_mode": "center",
            "mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5), "num_classes": CLASSES, "pool_size": None,
            "first_conv": "patch_embed.proj", "classifier": "head"}
        save_for_hf(model, mdir, model_config={"label_names": LABELS}, model_args=model_args, safe_serialization=True)
        for name in ("config.json", "model.safetensors"):
            files[f"{model_name}/{name}"] = {"description": "timm hub folder of the random ViT (F32, timm keys)"}
        sd = load_file(os.path.join(mdir, "model.safetensors"))
        model = timm.create_model(ARCH, pretrained=False, **model_args).eval()
        model.load_state_dict(sd, strict=True)
        model = model.double()
        for p in model.parameters():
            p.requires_grad_(False)

        tv = vision_transformer.VisionTransformer(
            image_size=spec["img"], patch_size=spec["patch"], num_layers=spec["depth"], num_heads=spec["num_heads"],
            hidden_dim=spec["embed_dim"], mlp_dim=int(spec["embed_dim"] * spec["mlp_ratio"]), num_classes=CLASSES).eval()
        tv.load_state_dict(timm_to_torchvision(sd, spec["depth"]), strict=True)
        tv = tv.double()
        for p in tv.parameters():
            p.requires_grad_(False)

        per_input = []
        for i, x in enumerate(make_inputs(spec["img"], spec["input_seeds"])):
            np.save(os.path.join(mdir, f"input_{i}.npy"), x.numpy())
            files[f"{model_name}/input_{i}.npy"] = {"description": "[1,3,H,W] float32, normalised (signed)"}
            info = {"min": float(x.min()), "max": float(x.max()), "negative_fraction": float((x < 0).float().mean())}
            # the patch-embedding outputs whose non-negative-form γ denominator flips sign
            with torch.no_grad():
                patches = F.unfold(x.double(), kernel_size=spec["patch"], stride=spec["patch"])[0].T  # [P, C·p·p]
                w = model.patch_embed.proj.weight.reshape(spec["embed_dim"], -1)
                b = model.patch_embed.proj.bias
                z = patches @ w.T + b
                up, down = w + GAMMA * w.clamp(min=0), w + GAMMA * w.clamp(max=0)
                old = torch.where(z > 0, patches @ up.T, patches @ down.T) + b
                xp, xn = patches.clamp(min=0), patches.clamp(max=0)
                new = torch.where(z > 0, xp @ up.T + xn @ down.T + b + GAMMA * b.clamp(min=0),
                                  xp @ down.T + xn @ up.T + b + GAMMA * b.clamp(max=0))
            info["patch_embedding_outputs"] = int(z.numel())
            info["old_gamma_denominator_flips"] = int((old * z <= 0).sum())
            info["old_gamma_min_ratio"] = float((old / z).min())
            info["new_gamma_min_ratio"] = float((new / z).min())
            assert info["old_gamma_denominator_flips"] > 0, "the fixture must exercise the flip"
            assert info["new_gamma_min_ratio"] >= 1.0

            maps, sums = {}, {}
            logits = None
            for variant, (attention, rules) in variants.items():
                TimmAttention.forward = attention_variants[attention]
                m, s, logits = pixel_relevance(model, x, LayerMapComposite(rules()))
                maps[variant], sums[variant] = m, s
            tv_map, tv_sums, tv_logits = pixel_relevance(tv, x, LayerMapComposite([(torch.nn.Conv2d, Gamma(GAMMA))]))
            maps["torchvision_cplrp"], sums["torchvision_cplrp"] = tv_map, tv_sums
            assert np.abs(tv_logits - logits).max() < 1e-10, "torchvision and timm disagree"
            np.save(os.path.join(mdir, f"logits_{i}.npy"), logits.astype(np.float64))
            files[f"{model_name}/logits_{i}.npy"] = {"description": "[3] float64 logits (timm, float64)"}
            for variant, m in maps.items():
                assert np.isfinite(m).all()
                name = f"input_{i}__{variant}.npy"
                np.save(os.path.join(mdir, name), m.astype(np.float32))
                files[f"{model_name}/{name}"] = {"description": f"[3,H,W] float32 pixel relevance per class, {variant}"}
            # cross-check: LXT's torchvision CP-LRP = the timm CP-LRP with plain-gradient linears
            TimmAttention.forward = attention_variants["cplrp"]
            m0, _, _ = pixel_relevance(model, x, LayerMapComposite([(torch.nn.Conv2d, Gamma(GAMMA))]))
            info["torchvision_vs_timm_cplrp_eps0_relative_max_difference"] = relative_max_difference(tv_map, m0)
            assert info["torchvision_vs_timm_cplrp_eps0_relative_max_difference"] < 1e-9
            info["logits"] = logits.tolist()
            info["relevance_sums"] = sums
            info["pearson_between_variants"] = {
                f"{a}~{b}": [round(pearson(maps[a][c], maps[b][c]), 5) for c in range(CLASSES)]
                for a in maps for b in maps if a < b}
            per_input.append(info)
        TimmAttention.forward = attention_variants["attnlrp"]
        meta_models[model_name] = {"model_args": model_args, "weight_seed": spec["weight_seed"],
                                   "input_seeds": list(spec["input_seeds"]), "inputs": per_input}

    def sha(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()

    for name in files:
        files[name]["sha256"] = sha(os.path.join(out, name))
    meta = {
        "generator": "Tools/make_lrp_parity_fixtures.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "timm": timm.__version__, "lxt": version("lxt"),
                     "zennit": version("zennit"), "numpy": np.__version__, "safetensors": safetensors.__version__},
        "seed": SEED, "epsilon": EPSILON, "gamma": GAMMA, "linear_gamma": LINEAR_GAMMA,
        "variants": {
            "attnlrp_eps": "LXT AttnLRP; zennit Epsilon(1e-6) on Linear, Gamma(0.25) on Conv2d",
            "cplrp_eps": "LXT CP-LRP; zennit Epsilon(1e-6) on Linear, Gamma(0.25) on Conv2d",
            "attnlrp_lingamma": "LXT AttnLRP; zennit Gamma(0.05) on Linear, Gamma(0.25) on Conv2d",
            "cplrp_zplus": "LXT CP-LRP; zennit Epsilon(1e-6) on Linear, ZPlus() on Conv2d",
            "torchvision_cplrp": "LXT monkey_patch(torchvision vision_transformer) default (CP-LRP), plain "
                                 "gradient on Linear (eps 0), zennit Gamma(0.25) on Conv2d"},
        "seeding": "relevance at the explained logit = the logit (LXT: backward from the logit, gradient x input)",
        "maps": "[classes, H, W]: x * d logit_c / dx summed over channels, float64 runs stored as float32",
        "models": meta_models,
        "files": files,
    }
    with open(os.path.join(out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(out, n)) for n in files)
    print(f"wrote {len(files) + 1} files, {total / 1e3:.0f} kB (+ meta.json) to {out}")
    for model_name, m in meta_models.items():
        for i, info in enumerate(m["inputs"]):
            print(f"{model_name} input_{i}: logits {np.round(info['logits'], 4).tolist()}, old γ flips "
                  f"{info['old_gamma_denominator_flips']}/{info['patch_embedding_outputs']} (min z_old/z "
                  f"{info['old_gamma_min_ratio']:.3g}, new {info['new_gamma_min_ratio']:.3g}), torchvision vs timm "
                  f"{info['torchvision_vs_timm_cplrp_eps0_relative_max_difference']:.2e}")
            for variant, s in info["relevance_sums"].items():
                print(f"   {variant:<18} Σ R per class {np.round(s, 4).tolist()}")


if __name__ == "__main__":
    main()
