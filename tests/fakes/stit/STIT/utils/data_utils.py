"""Our test double of STIT's ``utils/data_utils.py``: ``make_dataset(dir)`` -> sorted
``(name without extension, path)`` pairs of the folder's .jpg/.jpeg/.png files (any case)."""
import os

IMG_EXTENSIONS = ['.jpg', '.JPG', '.jpeg', '.JPEG', '.png', '.PNG']


def is_image_file(filename):
    return os.path.splitext(filename)[1].lower() in ('.jpg', '.jpeg', '.png')


def make_dataset(dir):
    if not os.path.isdir(dir):
        raise AssertionError(f'{dir} is not a folder of frames')
    return [(entry.split('.')[0], os.path.join(dir, entry)) for entry in sorted(os.listdir(dir)) if is_image_file(entry)]
