"""Our test double of STIT's ``datasets/image_list_dataset.py``; no STIT code.

Reproduces ``ImageListDataset(images, source_transform=None, names=None)``: item k is
``(name, transformed RGB image)``, the name being ``str(k)`` unless names are given (the adapter's
subset keeps these names)."""
from torch.utils.data import Dataset


class ImageListDataset(Dataset):

    def __init__(self, images, source_transform=None, names=None):
        self.images, self.source_transform, self.names = images, source_transform, names

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        rgb = self.images[index].convert('RGB')
        label = str(index) if self.names is None else self.names[index]
        return label, (self.source_transform(rgb) if self.source_transform else rgb)
