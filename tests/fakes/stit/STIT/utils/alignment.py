"""Our test double of STIT's ``utils/alignment.py``; no STIT code.

Reproduces the functions the adapter wraps or calls, with their signatures, and what it relies
on: ``compute_transform`` returns (centre, x, y) 2-vectors and raises an Exception starting with
"Did not detect any faces" on a frame without a face; ``crop_faces`` calls ``compute_transform``
and ``gaussian_filter1d`` (smoothing over time when the sigmas are not 0) and
``crop_faces_by_quads`` through this module's globals, and returns the same ``quads`` list it
passed on, one (4, 2) array per frame; ``crop_image`` uses ``PIL.Image.ANTIALIAS`` (gone in
Pillow 10: a pitfall the adapter's pillow fix handles). The "face detector" finds the bright-blue
disc that ``stit_builders.write_frames`` draws.
"""
import numpy as np
import PIL
import PIL.Image
from PIL import Image
from scipy.ndimage import gaussian_filter1d

CORNERS = ((-1, -1), (-1, 1), (1, 1), (1, -1))  # quad corners as (+-x, +-y) from the centre


def get_landmark(filepath, predictor, detector=None, fa=None):
    """(centre x, centre y, radius) of the blue disc, or None when there is none."""
    image = filepath if isinstance(filepath, PIL.Image.Image) else Image.open(filepath)
    blue = np.asarray(image.convert('RGB'))[:, :, 2] > 180
    if blue.sum() < 20:
        return None
    rows, cols = np.where(blue)
    return np.array([cols.mean(), rows.mean(), np.sqrt(blue.sum() / np.pi)])


def compute_transform(filepath, predictor, detector=None, scale=1.0, fa=None):
    found = get_landmark(filepath, predictor, detector, fa)
    if found is None:
        raise Exception(f'Did not detect any faces in {filepath}')
    half = found[2] * scale
    return found[:2], np.array([half, 0.0]), np.array([0.0, half])


def crop_faces(IMAGE_SIZE, files, scale, center_sigma=0.0, xy_sigma=0.0, use_fa=False):
    per_frame = [compute_transform(path, None, scale=scale) for _, path in files]
    centres, xs, ys = (np.stack(v) for v in zip(*per_frame))
    if center_sigma:
        centres = gaussian_filter1d(centres, sigma=center_sigma, axis=0)
    if xy_sigma:
        xs, ys = (gaussian_filter1d(v, sigma=xy_sigma, axis=0) for v in (xs, ys))
    quads = [np.stack([c + a * x + b * y for a, b in CORNERS]) for c, x, y in zip(centres, xs, ys)]
    crops, frames = crop_faces_by_quads(IMAGE_SIZE, files, quads)
    return crops, frames, quads


def crop_image(filepath, output_size, quad, enable_padding=False):
    source = filepath if isinstance(filepath, PIL.Image.Image) else PIL.Image.open(filepath)
    big = source.transform((2 * output_size,) * 2, PIL.Image.QUAD, (quad + 0.5).ravel(), PIL.Image.BILINEAR)
    return big.resize((output_size,) * 2, PIL.Image.ANTIALIAS)


def crop_faces_by_quads(IMAGE_SIZE, files, quads):
    frames = [Image.open(path) for _, path in files]
    return [crop_image(f, IMAGE_SIZE, q.copy()) for f, q in zip(frames, quads)], frames


def calc_alignment_coefficients(pa, pb):
    """The 8 perspective coefficients PIL needs to map quad ``pa`` onto quad ``pb`` (least squares)."""
    system = np.zeros((8, 8))
    for k, ((x, y), (u, v)) in enumerate(zip(pa, pb)):
        system[2 * k] = [x, y, 1, 0, 0, 0, -u * x, -u * y]
        system[2 * k + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y]
    return np.linalg.lstsq(system, np.asarray(pb, dtype=float).ravel(), rcond=None)[0]
