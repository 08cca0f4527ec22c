import os

IMG_EXTENSIONS = ['.jpg', '.JPG', '.jpeg', '.JPEG', '.png', '.PNG']


def is_image_file(filename):
    return any(filename.endswith(extension) for extension in IMG_EXTENSIONS)


def make_dataset(dir):
    assert os.path.isdir(dir), '%s is not a valid directory' % dir
    return [(f.split('.')[0], os.path.join(dir, f)) for f in sorted(os.listdir(dir)) if is_image_file(f)]
