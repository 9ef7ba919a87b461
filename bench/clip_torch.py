#!/usr/bin/env python3
"""Image- and text-encoder throughput of Hugging Face's CLIPModel in PyTorch, the peer of
`t4j bench clip`.

The same model shape (openai/clip-vit-base-patch32: vision 12x768, patch 32, 224 px; text 12x512,
77 positions; projection 512; quick_gelu) with random weights (HF's own initialization), eval mode,
torch.inference_mode(). Each run encodes one batch of images (get_image_features), then one batch
of texts of `tokens` tokens without padding (get_text_features). With an image folder, the image
side starts from the files: PIL opens and decodes them and CLIPImageProcessorPil (shortest edge 224,
bicubic, center crop, normalize) preprocesses them inside the timed region, as in
`t4j bench clip --images DIR`. Prints the medians of `runs` runs after one warm-up run, in the
format of `t4j bench clip`.

Usage: python bench/clip_torch.py [threads=1] [batch=8] [runs=5] [tokens=77] [image-folder]
"""
import os
import sys
import time

import torch
from PIL import Image
from transformers import CLIPConfig, CLIPModel
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

args = sys.argv[1:]
threads, batch, runs, tokens = ([int(a) for a in args[:4]] + [1, 8, 5, 77][len(args[:4]):])[:4]
folder = args[4] if len(args) > 4 else None
torch.set_num_threads(threads)
torch.manual_seed(1)

config = CLIPConfig(
    text_config=dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                     num_attention_heads=8, max_position_embeddings=77, hidden_act="quick_gelu",
                     bos_token_id=49406, eos_token_id=49407, pad_token_id=49407),
    vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                       num_attention_heads=12, image_size=224, patch_size=32,
                       hidden_act="quick_gelu"),
    projection_dim=512)
model = CLIPModel(config).eval()
processor = CLIPImageProcessorPil(
    do_resize=True, size={"shortest_edge": 224}, resample=3, do_center_crop=True,
    crop_size={"height": 224, "width": 224}, do_rescale=True, rescale_factor=1 / 255,
    do_normalize=True, image_mean=[0.48145466, 0.4578275, 0.40821073],
    image_std=[0.26862954, 0.26130258, 0.27577711], do_convert_rgb=True)

files = []
if folder:
    files = sorted(f for f in os.listdir(folder)
                   if f.lower().endswith((".png", ".jpg", ".jpeg", ".bmp", ".gif")))[:batch]
    if len(files) < batch:
        sys.exit(f"clip_torch.py: {folder} holds {len(files)} images, fewer than batch {batch}")
    files = [os.path.join(folder, f) for f in files]
g = torch.Generator().manual_seed(7)
noise = torch.rand(batch, 3, 224, 224, generator=g) * 4 - 2
ids = torch.randint(0, 49406, (batch, tokens), generator=g)
ids[:, 0] = 49406
ids[:, -1] = 49407

image_ms, text_ms = [], []
with torch.inference_mode():
    for r in range(-1, runs):
        t0 = time.perf_counter()
        if files:
            images = [Image.open(f) for f in files]
            pixels = processor(images=images, return_tensors="pt")["pixel_values"]
        else:
            pixels = noise
        img = model.get_image_features(pixel_values=pixels)
        t1 = time.perf_counter()
        txt = model.get_text_features(input_ids=ids)
        t2 = time.perf_counter()
        if r >= 0:
            image_ms.append((t1 - t0) * 1e3)
            text_ms.append((t2 - t1) * 1e3)
        else:
            print(f"warm-up run done in {t2 - t0:.1f} s", flush=True)


def median(a):
    s = sorted(a)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


im, tm = median(image_ms), median(text_ms)
what = "read + preprocess + model" if files else "model only"
params = sum(p.numel() for p in model.parameters()) / 1e6
print(f"clip vit-b/32 (random weights, {params:.0f} M parameters) on torch {torch.__version__}"
      f" ({threads} threads, {torch.backends.cpu.get_cpu_capability()}), batch {batch},"
      f" median of {runs}: image {im:.1f} ms ({what}), {batch / (im / 1e3):.2f} images/s;"
      f" text ({tokens} tokens) {tm:.1f} ms, {batch / (tm / 1e3):.2f} texts/s")
