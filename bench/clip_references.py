"""Extra CLIP references for ClipTowersParityTest: what the committed hf-tiny/clip fixture lacks.

Writes testdata/models/hf-tiny/clip-extra/:
  model/        a tiny random CLIPModel with hidden_act gelu, the legacy eos_token_id 2 (pooled at
                the highest id), a 30-pixel image in 6-pixel patches, 2 heads, projection 12,
                vocabulary 99; expected.json: its text_embeds, image_embeds, logits_per_image
                for a batch of 1 image and 2 padded texts, and the text tower's last hidden state
  text/         the same text tower saved as CLIPTextModelWithProjection (its own projection)
  vision/       the same vision tower saved as CLIPVisionModel (no projection)
Run with the reference venv: ~/.venv-ref/bin/python bench/clip_references.py
"""
import json
import os
import sys

import torch
from transformers import (CLIPConfig, CLIPModel, CLIPTextConfig, CLIPTextModelWithProjection,
                          CLIPVisionConfig, CLIPVisionModel)

OUT = os.path.join(os.path.dirname(__file__), "..", "testdata", "models", "hf-tiny", "clip-extra")


def rounded(t):
    return [round(float(x), 7) for x in t.flatten()] if t.dim() <= 1 else [rounded(r) for r in t]


def main():
    torch.manual_seed(0)
    text = CLIPTextConfig(vocab_size=99, hidden_size=24, intermediate_size=40, num_hidden_layers=2,
                          num_attention_heads=2, max_position_embeddings=12, hidden_act="gelu",
                          layer_norm_eps=1e-6, bos_token_id=1, eos_token_id=2, pad_token_id=0,
                          projection_dim=10)
    vision = CLIPVisionConfig(hidden_size=24, intermediate_size=40, num_hidden_layers=2,
                              num_attention_heads=2, image_size=30, patch_size=6, hidden_act="gelu",
                              layer_norm_eps=1e-6, projection_dim=10)
    config = CLIPConfig(text_config=text.to_dict(), vision_config=vision.to_dict(), projection_dim=12,
                        logit_scale_init_value=2.0)
    model = CLIPModel(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                continue
            if name.endswith("layer_norm1.weight") or name.endswith("layer_norm2.weight") or "layrnorm.weight" in name or "layernorm.weight" in name or "final_layer_norm.weight" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    # eos_token_id 2: HF pools at argmax(ids), so each row's highest id ends the text (98 here).
    ids = torch.tensor([[1, 17, 40, 5, 98, 0, 0], [1, 63, 8, 21, 33, 7, 98]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]])
    pixels = torch.randn(1, 3, 30, 30)
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, pixel_values=pixels)
        hidden = model.text_model(input_ids=ids, attention_mask=mask).last_hidden_state
    os.makedirs(OUT, exist_ok=True)
    model.save_pretrained(os.path.join(OUT, "model"))
    with torch.no_grad():
        text_alone = CLIPTextModelWithProjection(model.config.text_config).eval()
        text_alone.text_model.load_state_dict(model.text_model.state_dict())
        text_alone.text_projection.weight.copy_(0.15 * torch.randn_like(text_alone.text_projection.weight))
        text_alone.save_pretrained(os.path.join(OUT, "text"))
        text_embeds = text_alone(input_ids=ids, attention_mask=mask).text_embeds
        vision_alone = CLIPVisionModel(model.config.vision_config).eval()
        vision_alone.load_state_dict(model.vision_model.state_dict())
        vision_alone.save_pretrained(os.path.join(OUT, "vision"))
        vout = vision_alone(pixel_values=pixels)
    expected = {
        "note": "tiny random CLIPModel (gelu, legacy eos_token_id 2 pooled at the highest id, 30px"
                " images in 6px patches, projection 12; weights std 0.15, LayerNorm weights"
                " 1 + N(0, 0.01)) by bench/clip_references.py with transformers "
                + __import__("transformers").__version__ + ", torch " + torch.__version__
                + "; text_embeds/image_embeds normalized as CLIPModel returns them;"
                " text_hidden is text_model.last_hidden_state (padded positions included);"
                " text_alone_embeds are model/text's CLIPTextModelWithProjection text_embeds"
                " (not normalized); vision_alone_* are model/vision's CLIPVisionModel outputs",
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "pixel_values": rounded(pixels),
        "text_embeds": rounded(out.text_embeds),
        "image_embeds": rounded(out.image_embeds),
        "logits_per_image": rounded(out.logits_per_image),
        "text_hidden": rounded(hidden),
        "text_alone_embeds": rounded(text_embeds),
        "vision_alone_pooled": rounded(vout.pooler_output),
        "vision_alone_hidden": rounded(vout.last_hidden_state),
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote", os.path.abspath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
