"""Our test double of VideoEditGAN's PTI/utils/ImagesDataset.py (our own code): items are (frame name,
transformed RGB image), sorted by name."""
from PIL import Image
from torch.utils.data import Dataset

from utils.data_utils import make_dataset


class ImagesDataset(Dataset):
    def __init__(self, source_root, source_transform=None):
        self.source_paths, self.source_transform = sorted(make_dataset(source_root)), source_transform

    def __len__(self):
        return len(self.source_paths)

    def __getitem__(self, index):
        name, path = self.source_paths[index]
        image = Image.open(path).convert('RGB')
        return name, (self.source_transform(image) if self.source_transform else image)
