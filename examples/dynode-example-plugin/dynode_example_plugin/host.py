"""A host in a few lines: latent files in, one edit, latent files out."""
from typing import List

from dynode_plugin.hosts import Clip, Host


class ShiftHost(Host):
    id = "example-shift"
    summary = "example plugin: [N, 4] latents, a constant shift"
    latent_shape = (4,)
    source_help = "A latents file [N, 4] (.pt or .npy)."
    out_help = "The edited latents file (.pt or .npy)."

    def edit_names(self) -> List[str]:
        return ["shift"]

    def edit(self, latents, name, strength):
        self.check_edit(name)
        return latents + strength

    def read(self, source, select=None, progress=True) -> Clip:
        from dynode_plugin.latent_io import load_latents

        return Clip(load_latents(source), source=str(source))

    def write(self, result, out, force=False, progress=True) -> List[str]:
        from dynode_plugin.latent_io import save_latents

        self.check_output(out, force)
        return [str(save_latents(result.edited, out))]
