"""Fake of STIT's utils/alignment.py: quad crops (no landmarks), with STIT's PIL.Image.ANTIALIAS."""
import numpy as np
import PIL
import PIL.Image
from PIL import Image


def crop_image(filepath, output_size, quad, enable_padding=False):
    img = filepath if isinstance(filepath, PIL.Image.Image) else PIL.Image.open(filepath)
    img = img.transform((output_size * 2, output_size * 2), PIL.Image.QUAD, (quad + 0.5).flatten(), PIL.Image.BILINEAR)
    return img.resize((output_size, output_size), PIL.Image.ANTIALIAS)  # removed in Pillow 10


def crop_faces_by_quads(IMAGE_SIZE, files, quads):
    crops, orig_images = [], []
    for quad, (_, path) in zip(quads, files):
        crops.append(crop_image(path, IMAGE_SIZE, quad.copy()))
        orig_images.append(Image.open(path))
    return crops, orig_images


def calc_alignment_coefficients(pa, pb):
    rows = []
    for p1, p2 in zip(pa, pb):
        rows.append([p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]])
        rows.append([0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]])
    a = np.asarray(rows, dtype=float)
    return np.linalg.lstsq(a, np.asarray(pb, dtype=float).reshape(8), rcond=None)[0]
