#!/usr/bin/env python3
"""Time the anchors the README sets vitrel's speed against, on this machine: PyTorch's ViT
forward pass (timm, eval mode, no grad) in Float32 and under bfloat16 autocast, and LIME
(lime 0.2 + quickshift, 1000 samples) with a torch classifier.

Usage (from the repository root; needs torch, timm, and for --lime also lime and scikit-image):
    python3 Tools/time_torch_anchors.py --threads 2
    python3 Tools/time_torch_anchors.py --threads 2 --lime
Prints one line per measurement, each the median of --rounds timed rounds after a warm-up,
so that it can be quoted beside `vitrel bench forward` / `vitrel bench lime` run just before
or after it (a shared host's speed moves from minute to minute: quote both from one sitting).
Random weights: speed does not depend on them. Made with torch 2.15, timm 1.0.31.
"""
import argparse
import statistics
import time

import torch
import timm


def median_seconds(body, rounds, repeats):
    body()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            body()
        times.append((time.perf_counter() - start) / repeats)
    return statistics.median(times), min(times), max(times)


def forward_anchor(architecture, batch, image_size, rounds, bf16):
    model = timm.create_model(architecture, pretrained=False, num_classes=3, img_size=image_size).eval()
    images = torch.randn(batch, 3, image_size, image_size)

    def body():
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            model(images)

    median, low, high = median_seconds(body, rounds, repeats=1 if batch > 4 else 3)
    precision = "bf16 autocast" if bf16 else "fp32"
    print(f"torch forward {architecture} {image_size}² batch {batch} {precision}: "
          f"{median / batch:.4f} s/image (median of {rounds}; range {low / batch:.4f}-{high / batch:.4f})")


def lime_anchor(architecture, samples, rounds):
    import numpy as np
    from lime import lime_image
    from skimage.segmentation import quickshift

    model = timm.create_model(architecture, pretrained=False, num_classes=3).eval()
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:224, 0:224] / 224.0
    gray = 0.5 + 0.25 * np.sin(7 * x + rng.uniform(0, 6.28)) * np.cos(5 * y + rng.uniform(0, 6.28))
    image = np.repeat(gray[:, :, None], 3, axis=2).astype(np.float64)

    def classify(batch):
        with torch.inference_mode():
            tensor = torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2))).float()
            return torch.softmax(model(tensor), dim=1).numpy()

    def segment(img):
        return quickshift(img, kernel_size=4, max_dist=200, ratio=0.2, rng=0)

    explainer = lime_image.LimeImageExplainer(random_state=0)

    def body():
        explainer.explain_instance(image, classify, top_labels=1, num_samples=samples, batch_size=32,
                                   segmentation_fn=segment, random_seed=0)

    median, low, high = median_seconds(body, rounds, repeats=1)
    print(f"lime 0.2 + torch {architecture} {samples} samples quickshift: {median:.2f} s/image "
          f"(median of {rounds}; range {low:.2f}-{high:.2f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lime", action="store_true", help="also time lime on ViT-Ti/16")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, timm {timm.__version__}, {torch.get_num_threads()} threads")
    for batch in (16, 1):
        forward_anchor("vit_base_patch16_224", batch, 224, args.rounds, bf16=False)
    forward_anchor("vit_base_patch16_224", 16, 224, args.rounds, bf16=True)
    if args.lime:
        lime_anchor("vit_tiny_patch16_224", 1000, max(1, args.rounds // 2))


if __name__ == "__main__":
    main()
