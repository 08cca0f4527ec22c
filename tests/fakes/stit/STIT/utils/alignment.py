"""Fake of STIT's utils/alignment.py: quad crops with STIT's PIL.Image.ANTIALIAS, and a stand-in
face detector (the face is the bright-blue disc of the test frames; no disc, no face). Like
STIT's, ``compute_transform`` raises on a frame without a face and ``crop_faces`` smooths the
per-frame transforms over time before building the quads."""
import numpy as np
import PIL
import PIL.Image
from PIL import Image
from scipy.ndimage import gaussian_filter1d


def get_landmark(filepath, predictor, detector=None, fa=None):
    """The face's pixel centre and radius, or None when no face is found (STIT: 68 dlib landmarks)."""
    img = np.asarray(filepath if isinstance(filepath, PIL.Image.Image) else Image.open(filepath).convert('RGB'))
    ys, xs = np.nonzero(img[..., 2] > 180)
    if len(xs) < 20:
        return None
    return np.array([xs.mean(), ys.mean(), np.sqrt(len(xs) / np.pi)])


def compute_transform(filepath, predictor, detector=None, scale=1.0, fa=None):
    lm = get_landmark(filepath, predictor, detector, fa)
    if lm is None:
        raise Exception(f'Did not detect any faces in image: {filepath}')
    c = lm[:2]
    x = np.array([lm[2], 0.0]) * scale
    y = np.flipud(x) * [-1, 1]
    return c, x, y


def crop_faces(IMAGE_SIZE, files, scale, center_sigma=0.0, xy_sigma=0.0, use_fa=False):
    predictor = detector = None
    cs, xs, ys = [], [], []
    for _, path in files:
        c, x, y = compute_transform(path, predictor, detector=detector, scale=scale)
        cs.append(c)
        xs.append(x)
        ys.append(y)
    cs, xs, ys = np.stack(cs), np.stack(xs), np.stack(ys)
    if center_sigma != 0:
        cs = gaussian_filter1d(cs, sigma=center_sigma, axis=0)
    if xy_sigma != 0:
        xs = gaussian_filter1d(xs, sigma=xy_sigma, axis=0)
        ys = gaussian_filter1d(ys, sigma=xy_sigma, axis=0)
    quads = list(np.stack([cs - xs - ys, cs - xs + ys, cs + xs + ys, cs + xs - ys], axis=1))
    crops, orig_images = crop_faces_by_quads(IMAGE_SIZE, files, quads)
    return crops, orig_images, quads


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
