"""Our test double (our own code) of VideoEditGAN's PTI/utils/data_utils.py: (name, path) of every image
under a folder."""
import os

EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.tiff')


def is_image_file(filename):
    return filename.lower().endswith(EXTENSIONS)


def make_dataset(dir):
    assert os.path.isdir(dir), f'{dir} is not a valid directory'
    found = []
    for folder, _, names in sorted(os.walk(dir)):
        found += [(n.split('.')[0], os.path.join(folder, n)) for n in names if is_image_file(n)]
    return found
