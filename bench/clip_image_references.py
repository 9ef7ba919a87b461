"""Reference images and Hugging Face CLIP preprocessing outputs for the Java image tests.

Run with the reference venv (Pillow 12.3, transformers 5.18):
    ~/.venv-ref/bin/python bench/clip_image_references.py
It (re)writes testdata/images/clip/: small deterministic test images in several formats and modes,
and expected.json holding, for each image, the RGB pixels Pillow decodes (convert("RGB")), and for
each preprocessing setting the uint8 image after Pillow's resize (CLIPImageProcessorPil.resize) and
the final pixel_values. Large arrays are stored as SHA-256 of their bytes (uint8, or float32 little
endian) with a few values, small ones in full.
"""
import hashlib
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageDraw
import transformers
from transformers import CLIPImageProcessorPil

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "testdata" / "images" / "clip"
FIXTURE = ROOT / "testdata" / "models" / "hf-tiny" / "clip"


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path, rows, width, height, bit_depth, color_type):
    """A minimal PNG writer (filter 0 on each row) for modes Pillow cannot save (16-bit RGB, LA)."""
    raw = b"".join(b"\x00" + r for r in rows)
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(raw, 9))
    data += png_chunk(b"IEND", b"")
    path.write_bytes(data)


def scene(w, h, seed, noise=6):
    """A smooth picture with shapes and a little noise: edges and gradients for the resampler."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [(x * 255 // max(1, w - 1)), (y * 255 // max(1, h - 1)), ((x + y) * 7) % 256], axis=-1
    ).astype(np.uint8)
    im = Image.fromarray(base, "RGB")
    d = ImageDraw.Draw(im)
    d.ellipse([w // 5, h // 4, w // 2, h // 2 + h // 4], fill=(250, 10, 20))
    d.rectangle([w // 2, h // 6, w - w // 6, h // 2], fill=(5, 240, 30))
    d.polygon([(w // 8, h - 2), (w // 3, h // 2), (w // 2, h - 2)], fill=(255, 255, 255))
    a = np.array(im).astype(np.int16) + rng.integers(-noise, noise + 1, size=(h, w, 3))
    return np.clip(a, 0, 255).astype(np.uint8)


def make_images():
    OUT.mkdir(parents=True, exist_ok=True)
    Image.fromarray(scene(640, 480, 1, noise=0), "RGB").save(OUT / "big.png", optimize=True)
    Image.fromarray(scene(10, 7, 2), "RGB").save(OUT / "small.png")
    Image.fromarray(scene(33, 97, 3), "RGB").save(OUT / "odd.png")
    Image.fromarray(scene(120, 90, 4), "RGB").save(OUT / "photo.jpg", quality=90)  # 4:2:0
    Image.fromarray(scene(45, 38, 5), "RGB").save(OUT / "photo444.jpg", quality=95, subsampling=0)
    Image.fromarray(scene(50, 37, 6)[:, :, 1], "L").save(OUT / "gray.png")
    rgba = np.concatenate([scene(41, 29, 7), (np.arange(41 * 29) % 256).astype(np.uint8).reshape(29, 41, 1)], -1)
    Image.fromarray(rgba, "RGBA").save(OUT / "rgba.png")
    Image.fromarray(scene(45, 60, 8), "RGB").quantize(colors=37, dither=Image.Dither.NONE).save(OUT / "palette.gif")
    Image.fromarray(scene(36, 31, 9), "RGB").quantize(colors=16).save(OUT / "palette.png")
    Image.fromarray(scene(37, 23, 10), "RGB").save(OUT / "bitmap.bmp")
    g16 = ((np.arange(35 * 26).reshape(26, 35) * 37) % 65536).astype(np.uint16)
    Image.fromarray(g16).save(OUT / "gray16.png")  # Pillow clips I;16 to 255 on convert("RGB")
    # high byte = the picture, low byte 7x: Pillow keeps the high byte (rounding v/257 would differ)
    rgb16 = scene(34, 27, 11).astype(np.uint16) * 256 + 7 * np.arange(34, dtype=np.uint16)[None, :, None]
    write_png(OUT / "rgb16.png", [r.astype(">u2").tobytes() for r in rgb16], 34, 27, 16, 2)
    s = scene(29, 33, 12)
    la = np.stack([s[:, :, 0], 255 - s[:, :, 1]], -1)
    write_png(OUT / "la.png", [r.tobytes() for r in la], 29, 33, 8, 4)
    g = scene(27, 19, 13)[:, :, 0]
    Image.fromarray(g).convert("1", dither=Image.Dither.NONE).save(OUT / "gray1.png")
    for bits in (2, 4):  # Pillow scales 2- and 4-bit gray up to 0..255 (L;2, L;4)
        q = (g >> (8 - bits)).astype(np.uint8)
        per = 8 // bits
        rows = []
        for r in q:
            r = np.concatenate([r, np.zeros((-len(r)) % per, np.uint8)]).reshape(-1, per)
            rows.append(bytes(int(sum(int(v) << (8 - bits * (k + 1)) for k, v in enumerate(grp))) for grp in r))
        write_png(OUT / ("gray%d.png" % bits), rows, 27, 19, bits, 0)
    s2 = scene(23, 21, 14)
    la16 = np.stack([s2[:, :, 2].astype(np.uint16) * 256 + 200, np.full((21, 23), 4660, np.uint16)], -1)
    write_png(OUT / "la16.png", [r.astype(">u2").tobytes() for r in la16], 23, 21, 16, 4)
    Image.fromarray(scene(44, 36, 15)[:, :, 0], "L").save(OUT / "gray.jpg", quality=90)
    Image.fromarray(scene(52, 40, 16), "RGB").save(OUT / "progressive.jpg", quality=85, progressive=True)
    Image.fromarray(scene(31, 26, 17), "RGB").quantize(colors=20).save(OUT / "transparent.gif", transparency=3)
    # A CMYK JPEG: the Java side refuses it with a clear message (no reference values).
    Image.fromarray(scene(12, 10, 18), "RGB").convert("CMYK").save(OUT / "cmyk.jpg", quality=90)
    (OUT / "corrupt.png").write_bytes((OUT / "small.png").read_bytes()[:60])
    (OUT / "not-an-image.png").write_bytes(b"this is text, not a picture\n")


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def arr(a, full):
    a = np.asarray(a)
    d = {"shape": list(a.shape), "dtype": str(a.dtype), "sha256": sha(a.astype("<f4") if a.dtype.kind == "f" else a)}
    if full:
        # float32 values by their shortest repr: parsing one as a Java float gives the same float
        d["values"] = [float(str(v)) for v in a.ravel()] if a.dtype.kind == "f" else a.ravel().tolist()
    else:
        d["sum"] = float(a.astype(np.float64).sum())
    return d


SETTINGS = {
    "fixture": json.loads((FIXTURE / "preprocessor_config.json").read_text()),
    "size224": {"size": {"shortest_edge": 224}, "crop_size": {"height": 224, "width": 224}},
    "pad-crop": {"size": {"shortest_edge": 20}, "crop_size": {"height": 26, "width": 23}},
    "height-width": {"size": {"height": 19, "width": 27}, "crop_size": {"height": 16, "width": 16}},
    "no-resize": {"do_resize": False, "crop_size": {"height": 12, "width": 15}},
    "raw": {"size": {"shortest_edge": 21}, "do_center_crop": False, "do_rescale": False, "do_normalize": False},
    "bilinear": {"size": {"shortest_edge": 17}, "crop_size": {"height": 17, "width": 17}, "resample": 2},
    "lanczos": {"size": {"shortest_edge": 17}, "crop_size": {"height": 17, "width": 17}, "resample": 1},
    "box": {"size": {"shortest_edge": 17}, "crop_size": {"height": 17, "width": 17}, "resample": 4},
    "hamming": {"size": {"shortest_edge": 17}, "crop_size": {"height": 17, "width": 17}, "resample": 5},
}

CASES = {  # image -> settings
    "big.png": ["fixture", "size224"],
    "small.png": ["fixture", "pad-crop", "raw"],
    "odd.png": ["fixture", "height-width", "no-resize", "raw", "bilinear", "lanczos", "box", "hamming"],
    "photo.jpg": ["fixture", "raw"],
    "photo444.jpg": ["fixture", "raw"],
    "gray.png": ["fixture", "raw"],
    "rgba.png": ["fixture", "raw"],
    "palette.gif": ["fixture", "raw", "pad-crop"],
    "palette.png": ["fixture"],
    "bitmap.bmp": ["fixture"],
    "gray1.png": ["fixture"],
    "gray2.png": ["fixture"],
    "gray4.png": ["fixture"],
    "la16.png": ["fixture"],
    "gray.jpg": ["fixture"],
    "progressive.jpg": ["fixture"],
    "transparent.gif": ["fixture"],
    "gray16.png": ["fixture"],
    "rgb16.png": ["fixture"],
    "la.png": ["fixture"],
    "../../models/hf-tiny/clip/wide.png": ["fixture", "raw", "bilinear"],
    "../../models/hf-tiny/clip/red-scene.png": ["fixture", "size224"],
    "../../models/hf-tiny/clip/tall.png": ["fixture", "height-width"],
}


def main():
    if "--keep-images" not in sys.argv:
        make_images()
    out = {
        "note": "Hugging Face CLIPImageProcessorPil (transformers %s, Pillow %s) on the images of this folder"
        " (paths relative to it): decoded = np.array(Image.open(f).convert('RGB')) (H, W, 3);"
        " per setting (the preprocessor_config.json values beside the defaults of CLIP), resized = the uint8"
        " (3, H, W) of the processor's resize step (Pillow resize, no reducing_gap), pixel_values = the final"
        " float32 (3, H, W). Arrays: shape, dtype, sha256 of the bytes (float32 little endian) and either"
        " all values or their sum. Made by bench/clip_image_references.py." % (transformers.__version__, PIL.__version__),
        "settings": SETTINGS,
        "cases": [],
    }
    for name, settings in CASES.items():
        path = OUT / name
        im = Image.open(path)
        decoded = np.array(im.convert("RGB"))
        case = {"image": name, "mode": im.mode, "decoded": arr(decoded, decoded.size <= 4000), "results": {}}
        for s in settings:
            proc = CLIPImageProcessorPil(**SETTINGS[s])
            pv = proc(images=[Image.open(path)], return_tensors="np")["pixel_values"][0]
            res = {"pixel_values": arr(pv, pv.size <= 3072)}
            if proc.do_resize:
                chw = np.transpose(decoded, (2, 0, 1))
                resized = proc.resize(chw, proc.size, resample=proc.resample)
                res["resized"] = arr(resized, resized.size <= 5000)
            case["results"][s] = res
        out["cases"].append(case)
    (OUT / "expected.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print("wrote", OUT / "expected.json", len(out["cases"]), "cases")


if __name__ == "__main__":
    main()
